/**
 * The go-plugin side of a provider process, as Terraform 1.x drives it: check the launch
 * environment, serve gRPC on a Unix socket (mutual TLS when Terraform sends its certificate), print
 * the handshake line, and exit when Terraform says Shutdown, when it goes away, or on SIGTERM.
 * SIGINT is ignored: on Ctrl-C Terraform calls StopProvider and lets a running apply finish.
 * SIGTERM (a cancelled CI job signals the whole process group; Terraform itself then stops
 * gracefully and waits for its applies) acts as StopProvider, and the process exits once the calls
 * in flight have answered: an object the provider already made reaches Terraform's state.
 *
 * What differs between providers comes in as `ServeOptions`: nothing here names one.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { format } from "node:util";
import { Server, ServerCredentials, status, type handleUnaryCall, type ServerWritableStream, type UntypedServiceImplementation } from "@grpc/grpc-js";
import type { ProviderDefinition } from "../definition";
import { SERVING, type HealthCheckResponse } from "../protocol/go-plugin";
import { pluginServices } from "../protocol/services";
import { Cancellation } from "../rpc/cancellation";
import { providerHandlers, type ProviderHandlers } from "../rpc/provider-service";
import { StillOpen } from "../rpc/still-open";
import { selfSignedCertificate } from "./certificate";
import { handshakeLine, launchProblem } from "./handshake";
import { levelFromEnv, PluginLogger } from "./log";
import { applyPluginV8Flags } from "./v8-flags";

// Terraform's own limit for provider messages (a large state can exceed grpc-js' default 4 MB).
const MAX_MESSAGE_BYTES = 256 << 20;
const PARENT_POLL_MS = 1_000;
const FORCE_STOP_AFTER_MS = 500;

/** What the server needs to know of the provider it serves; tf6server.Serve takes the name too. */
export interface ServeOptions {
  /** The provider's name: the `@module` of its log lines and the organization of its certificate. */
  name: string;
  /** Said, after "it is not meant to be run directly", to someone who starts the plugin by hand: how Terraform gets to start it. */
  launchHint?: string;
  /** The prefix of the temporary directory holding the socket. @default `tf-<name>-` */
  socketDirPrefix?: string;
  /**
   * How long SIGTERM waits for the calls in flight before the process exits anyway: longer than the
   * provider's longest call, so an answer that made something still reaches Terraform's state.
   */
  drainAfterSigtermMs: number;
}

/**
 * Serves `definition` to Terraform. Resolves once the handshake line is out; from then on the
 * process lives until Terraform shuts it down (it exits by itself, removing its socket).
 */
export async function serve(definition: ProviderDefinition, options: ServeOptions): Promise<void> {
  const problem = launchProblem(process.env, options.launchHint);
  if (problem !== undefined) {
    process.stderr.write(`${problem}\n`);
    process.exit(1);
  }
  applyPluginV8Flags();
  const log = new PluginLogger((line) => process.stderr.write(line), levelFromEnv(process.env), options.name);
  keepStdoutForHandshake(log);

  const clientCert = process.env.PLUGIN_CLIENT_CERT;
  const tls = clientCert !== undefined && clientCert !== "" ? selfSignedCertificate({ organization: options.name }) : undefined;
  const credentials =
    tls === undefined || clientCert === undefined
      ? ServerCredentials.createInsecure()
      : ServerCredentials.createSsl(Buffer.from(clientCert), [{ private_key: Buffer.from(tls.keyPem), cert_chain: Buffer.from(tls.certPem) }], true);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), options.socketDirPrefix ?? `tf-${options.name}-`));
  const socket = path.join(dir, "plugin.sock");
  process.on("exit", () => {
    // The socket, then its directory: rmSync's recursive walk would load a module of its own at exit,
    // and Terraform waits for the exit.
    for (const remove of [() => fs.unlinkSync(socket), () => fs.rmdirSync(dir)]) {
      try {
        remove();
      } catch {
        // Already gone (the socket is never made when binding failed).
      }
    }
  });

  const server = new Server({ "grpc.max_receive_message_length": MAX_MESSAGE_BYTES, "grpc.max_send_message_length": MAX_MESSAGE_BYTES });
  const stillOpen = new StillOpen();
  const stop = stopper(server, log, stillOpen);
  const cancellation = new Cancellation();
  const services = pluginServices();
  server.addService(services.provider, unaryHandlers(providerHandlers(definition, log, cancellation, stillOpen)));
  server.addService(services.controller, {
    Shutdown: ((_call, callback) => {
      callback(null, {});
      stop("Terraform called Shutdown", FORCE_STOP_AFTER_MS);
    }) satisfies handleUnaryCall<object, object>,
  });
  // Terraform opens this stream once per process to relay a plugin's stdout/stderr; ours has nothing to relay.
  server.addService(services.stdio, { StreamStdio: (call: ServerWritableStream<object, object>) => call.end() });
  server.addService(services.health, {
    Check: ((_call, callback) => callback(null, { status: SERVING })) satisfies handleUnaryCall<object, HealthCheckResponse>,
  });

  await new Promise<void>((resolve, reject) => server.bindAsync(`unix://${socket}`, credentials, (err) => (err ? reject(err) : resolve())));

  process.on("SIGINT", () => log.debug("SIGINT ignored: Terraform calls StopProvider instead"));
  process.on("SIGTERM", () => {
    cancellation.stop("SIGTERM");
    stop("SIGTERM: writes already sent finish first", options.drainAfterSigtermMs);
  });
  const parent = process.ppid;
  setInterval(() => {
    // Nobody is left to record an answer: waiting would only delay the exit.
    if (process.ppid !== parent) stop("Terraform went away", FORCE_STOP_AFTER_MS);
  }, PARENT_POLL_MS).unref();

  process.stdout.write(handshakeLine(socket, tls?.der));
  log.debug("serving", { socket, tls: tls !== undefined });
}

/**
 * Stops serving: takes no new calls, lets those in flight answer, then exits (the exit hook removes
 * the socket), at the latest after `graceMs`. A later stop may only shorten the wait. Ephemeral
 * resources Terraform left open are closed first (see rpc/still-open.ts), within their own budget.
 */
function stopper(server: Server, log: PluginLogger, stillOpen: StillOpen): (reason: string, graceMs: number) => void {
  const exit = (): void => {
    if (stillOpen.size > 0) log.info("closing the ephemeral resources Terraform did not close", { open: stillOpen.size });
    void stillOpen.closeAll(undefined, (e) => log.error(`closing an ephemeral resource failed: ${e instanceof Error ? e.message : String(e)}`)).then(() => process.exit(0));
  };
  let exitBy = Infinity;
  let force: NodeJS.Timeout | undefined;
  return (reason, graceMs) => {
    const by = Date.now() + graceMs;
    if (by >= exitBy) return;
    log.debug("stopping", { reason, graceMs });
    const first = force === undefined;
    exitBy = by;
    clearTimeout(force);
    // Not unref'd: while draining, the server may hold no handle that keeps the process alive.
    force = setTimeout(exit, graceMs);
    if (first) server.tryShutdown(exit);
  };
}

function unaryHandlers(handlers: ProviderHandlers): UntypedServiceImplementation {
  const impl: UntypedServiceImplementation = {};
  for (const [rpc, handler] of Object.entries(handlers) as [string, (req: object) => Promise<object>][]) {
    const unary: handleUnaryCall<object, object> = (call, callback) => {
      // The handlers answer with diagnostics themselves; a rejection here is a bug in the framework.
      handler(call.request).then(
        (res) => callback(null, res),
        (e: unknown) => callback({ code: status.INTERNAL, details: e instanceof Error ? e.message : String(e) }),
      );
    };
    impl[rpc] = unary;
  }
  return impl;
}

/** Stdout carries only the handshake line: whatever resource code prints goes to the log instead. */
function keepStdoutForHandshake(log: PluginLogger): void {
  const toLog = (...args: unknown[]): void => log.info(format(...args));
  console.log = toLog;
  console.info = toLog;
  console.debug = toLog;
}
