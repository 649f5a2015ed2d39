/** What every `palette-apikeys` subcommand writes to, and how it says its arguments are wrong. */

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Bad arguments: the dispatcher prints the message with a pointer to --help and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}
