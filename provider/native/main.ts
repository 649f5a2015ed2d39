#!/usr/bin/env node
/**
 * `pulumi-resource-palette`: the `palette` provider plugin, as the Pulumi engine starts it:
 * `pulumi-resource-palette [--logtostderr] [-v=N] [--tracing X] <engineAddress>`. It serves the
 * ResourceProvider service on a loopback port and prints that port as the first line on stdout,
 * which the engine reads; nothing else ever goes to stdout (console.log is sent to stderr), and no
 * setting or key value goes anywhere (errors are the SDK's, redacted). Warnings go to the engine's
 * Log at the address it passes (engine-log.ts).
 */
import { engineAddressOf, engineLog } from "./engine-log";
import { pulumiProto } from "./proto";
import { providerService } from "./service";

async function main(argv: readonly string[]): Promise<void> {
  console.log = console.error;
  console.info = console.error;
  // Flags the engine passes, then the engine's address: its Log shows the plugin's warnings.
  const unknown = argv.filter((a) => a.startsWith("-") && !/^--?(logtostderr|v=\d+|tracing(=.*)?|logflow)$/.test(a) && a !== "--tracing");
  if (unknown.length > 0) process.stderr.write(`pulumi-resource-palette: ignoring unknown flags ${unknown.join(" ")}\n`);
  const { grpc, service } = pulumiProto();
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  const log = engineLog(engineAddressOf(argv));
  server.addService(service, providerService({ cancel: new AbortController(), log }));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, bound) => (err ? reject(err) : resolve(bound))),
  );
  process.stdout.write(`${port}\n`);
  const stop = (): void =>
    server.tryShutdown(() => {
      log.close();
      process.exit(0);
    });
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`pulumi-resource-palette: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
