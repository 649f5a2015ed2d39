/**
 * The engine's Log service, as a plugin reaches it: the address the engine passes as the plugin's
 * last argument serves `pulumirpc.Engine`, whose `Log` shows a message under a resource (the CLI's
 * `warning:` / `info:` lines in the preview and its Diagnostics). The ResourceProvider protocol has
 * no other channel for a note that is not a failure (a Diff answer carries no text), and a plugin's
 * stderr is only shown at high verbosity.
 *
 * A message that cannot be delivered (no engine address, the engine gone) goes to stderr instead:
 * a note must never fail the operation it accompanies. Messages carry no secret (the callers' text is
 * about inputs' shape, never their values).
 */
import { pulumiProto } from "./proto";

export type LogLevel = "info" | "warning";

export interface EngineLog {
  /** Sends `message` for the resource `urn`; resolves once the engine has it (or it went to stderr). */
  log(level: LogLevel, urn: string, message: string): Promise<void>;
  close(): void;
}

/** How long a message may take to reach the engine before it goes to stderr (the engine is local). */
const DELIVERY_MS = 5_000;

/** The engine log at `address` (`127.0.0.1:<port>`), or stderr only without one. */
export function engineLog(address: string | undefined): EngineLog {
  const toStderr = (level: LogLevel, urn: string, message: string): void => {
    process.stderr.write(`${level}: ${urn}: ${message}\n`);
  };
  if (address === undefined || address === "") {
    return { log: async (level, urn, message) => toStderr(level, urn, message), close: () => undefined };
  }
  const { grpc, engine } = pulumiProto();
  const client = new engine.Client(address, grpc.credentials.createInsecure());
  const severity = { info: engine.pb.LogSeverity.INFO, warning: engine.pb.LogSeverity.WARNING } as const;
  return {
    log: (level, urn, message) =>
      new Promise<void>((resolve) => {
        const req = new engine.pb.LogRequest();
        req.setSeverity(severity[level]);
        req.setMessage(message);
        req.setUrn(urn);
        client.log(req, new grpc.Metadata(), { deadline: Date.now() + DELIVERY_MS }, (e) => {
          if (e !== null) toStderr(level, urn, message);
          resolve();
        });
      }),
    close: () => client.close(),
  };
}

/** The engine's address among the plugin's arguments: the last one that is not a flag. */
export function engineAddressOf(argv: readonly string[]): string | undefined {
  return argv.filter((a) => !a.startsWith("-")).at(-1);
}
