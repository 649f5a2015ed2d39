/**
 * Terraform's side of a provider process start, for the start-up bench and the protocol tests:
 * launch a provider with the environment Terraform gives it and read its handshake line
 * (bench/harness/startup.ts times that against a bare `node -e 0`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from "../../provider/tfplugin6/plugin/handshake";

/** The variables Terraform 1.11 adds to its own environment when it starts a provider. */
export function terraformPluginEnv(clientCertPem?: string): Record<string, string> {
  return {
    [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE,
    PLUGIN_PROTOCOL_VERSIONS: "5,6",
    PLUGIN_MIN_PORT: "10000",
    PLUGIN_MAX_PORT: "25000",
    ...(clientCertPem !== undefined ? { PLUGIN_CLIENT_CERT: clientCertPem } : {}),
  };
}

export interface Handshake {
  network: string;
  address: string;
  protocol: string;
  /** The server certificate, DER; empty when the provider serves plaintext. */
  serverCert: Buffer;
}

export function parseHandshake(line: string): Handshake {
  const [core, app, network = "", address = "", protocol = "", cert = ""] = line.trim().split("|");
  if (core !== "1" || app !== "6") throw new Error(`not a protocol 6 handshake: ${line}`);
  return { network, address, protocol, serverCert: Buffer.from(cert, "base64") };
}

export interface LaunchedProvider {
  child: ChildProcess;
  handshake: Handshake;
  /** From spawn to the handshake line. */
  startMs: number;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Settles with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Starts `node <args>` (a bundle, or boot.js and a bundle), or `command <args>` (a launcher, an
 * executable), as Terraform would start a provider, and waits for its handshake line.
 */
export function launchProvider(args: readonly string[], env: Record<string, string>, timeoutMs = 20_000, command = process.execPath): Promise<LaunchedProvider> {
  const started = performance.now();
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no handshake within ${timeoutMs} ms`)), timeoutMs);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${e.message}; stderr: ${stderr}`));
    };
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const end = stdout.indexOf("\n");
      if (end < 0) return;
      clearTimeout(timer);
      const startMs = performance.now() - started;
      try {
        resolve({ child, handshake: parseHandshake(stdout.slice(0, end)), startMs, stderr: () => stderr, exited });
      } catch (e) {
        fail(e as Error);
      }
    });
    void exited.then((code) => fail(new Error(`provider exited (${code}) before its handshake`)));
  });
}
