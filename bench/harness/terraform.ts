/**
 * Terraform's side of a provider process start, for the start-up bench and the protocol tests:
 * launch a provider bundle with the environment Terraform gives it, read its handshake line, and
 * time that against a bare `node -e 0`. Terraform starts 2-5 provider processes per command, so
 * this time is paid several times over by every plan and apply.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from "../../provider/tfplugin6/plugin/handshake";
import { selfSignedCertificate } from "../../provider/tfplugin6/plugin/certificate";

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
 * Starts `node <args>` (a bundle, or boot.js and a bundle) as Terraform would start the launcher,
 * and waits for its handshake line.
 */
export function launchProvider(args: readonly string[], env: Record<string, string>, timeoutMs = 20_000): Promise<LaunchedProvider> {
  const started = performance.now();
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
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

function runBareNode(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", () => resolve(performance.now() - started));
  });
}

export interface HandshakeFigures {
  runs: number;
  providerMs: number[];
  bareMs: number[];
  medianProviderMs: number;
  medianBareMs: number;
  /** Median of the per-pair ratios (each provider start beside the bare start next to it). */
  medianRatio: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};

/**
 * Time to handshake of `node <args>` against a bare `node -e 0`, alternating the two `runs` times
 * (so load on the machine hits both alike), with mTLS on as under Terraform. Each provider is
 * stopped with SIGTERM and awaited before the next start. One unmeasured start comes first (it
 * writes boot.js's compile cache).
 */
export async function measureHandshake(args: readonly string[], runs = 10, extraEnv: Record<string, string> = {}): Promise<HandshakeFigures> {
  const env = { ...terraformPluginEnv(selfSignedCertificate().certPem), ...extraEnv };
  const stop = async (p: LaunchedProvider): Promise<void> => {
    p.child.kill("SIGTERM");
    await p.exited;
  };
  const providerMs: number[] = [];
  const bareMs: number[] = [];
  await runBareNode(); // warms the file cache for node itself
  await stop(await launchProvider(args, env));
  for (let i = 0; i < runs; i++) {
    const p = await launchProvider(args, env);
    providerMs.push(p.startMs);
    await stop(p);
    bareMs.push(await runBareNode());
  }
  return {
    runs,
    providerMs,
    bareMs,
    medianProviderMs: median(providerMs),
    medianBareMs: median(bareMs),
    medianRatio: median(providerMs.map((ms, i) => ms / (bareMs[i] ?? NaN))),
  };
}
