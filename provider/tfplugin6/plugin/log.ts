/**
 * Logging for a plugin: hclog JSON lines on stderr, which Terraform folds into its own log
 * (TF_LOG, TF_LOG_PROVIDER). Stdout belongs to the handshake. Values of sensitive settings and
 * attributes are registered with `redact` and never appear in a line. Each line names the provider
 * as its `@module`.
 */

const LEVELS = ["trace", "debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LEVELS)[number];

export type LogFields = Record<string, string | number | boolean>;

export class PluginLogger {
  private readonly secrets = new Set<string>();
  private readonly threshold: number;

  constructor(
    private readonly write: (line: string) => void,
    level: LogLevel | "off",
    private readonly module: string,
  ) {
    this.threshold = level === "off" ? LEVELS.length : LEVELS.indexOf(level);
  }

  /** Never print this value again (a password, an API key, a sensitive attribute). */
  redact(value: string): void {
    if (value !== "") this.secrets.add(value);
  }

  scrub(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join("<redacted>");
    return out;
  }

  debug(message: string, fields?: LogFields): void {
    this.log("debug", message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log("info", message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log("warn", message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log("error", message, fields);
  }

  private log(level: LogLevel, message: string, fields: LogFields = {}): void {
    if (LEVELS.indexOf(level) < this.threshold) return;
    // go-plugin parses @timestamp with six fractional digits; a different shape demotes the line to plain text.
    const timestamp = `${new Date().toISOString().slice(0, 23)}000Z`;
    const entry: LogFields = { "@level": level, "@message": message, "@module": this.module, "@timestamp": timestamp, ...fields };
    for (const [k, v] of Object.entries(entry)) if (typeof v === "string") entry[k] = this.scrub(v);
    this.write(`${JSON.stringify(entry)}\n`);
  }
}

/** The level Terraform asked providers to log at: TF_LOG_PROVIDER, else TF_LOG; errors only when neither is set. */
export function levelFromEnv(env: Readonly<Record<string, string | undefined>>): LogLevel | "off" {
  const asked = (env.TF_LOG_PROVIDER ?? env.TF_LOG ?? "").toLowerCase();
  if (asked === "off") return "off";
  if (asked === "json") return "trace";
  return (LEVELS as readonly string[]).includes(asked) ? (asked as LogLevel) : "error";
}
