/**
 * A provider plugin's process, started as the engine starts one (sdk/go/common/resource/plugin
 * `newPlugin`): the executable with the engine's address as its argument, its port read from the
 * first line it prints on stdout (nothing may come before it), stdout and stderr kept for diagnostics
 * and secret scans, and the process never outliving the runner (`child-processes.ts`). Both the
 * dynamic-provider host and native plugins (`pulumi-resource-<name>`) are started through here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { endWithRunner } from "./child-processes";

/** How to start a plugin. */
export interface PluginProcessOptions {
  /** The executable (a plugin binary or script, or `node` for the dynamic-provider host). */
  command: string;
  /** Its arguments, the engine address last, as the engine passes it. */
  args: readonly string[];
  /** Names the plugin in errors (`dynamic-provider host`, `pulumi-resource-palette`). */
  label: string;
  cwd: string;
  /** The whole environment of the process (already merged). */
  env: Record<string, string>;
  /** Lead a process group of its own (see `ProviderClientOptions.ownProcessGroup`). */
  ownProcessGroup: boolean;
  /** How long to wait for the port (default 30 s). */
  startupTimeoutMs?: number;
}

/** A started plugin: its port, what it printed, and how to end it. */
export class PluginProcess {
  /** Everything the process printed so far. */
  readonly output = { stdout: "", stderr: "" };

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    output: { stdout: string; stderr: string },
    private readonly exited: Promise<void>,
  ) {
    this.output = output;
  }

  /** Spawns the plugin and resolves once it printed its port; rejects (and kills it) when it does not. */
  static async start(o: PluginProcessOptions): Promise<PluginProcess> {
    const child = spawn(o.command, [...o.args], { cwd: o.cwd, env: o.env, stdio: ["ignore", "pipe", "pipe"], detached: o.ownProcessGroup });
    endWithRunner(child, o.ownProcessGroup);
    const output = { stdout: "", stderr: "" };
    const exited = new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.once("error", () => resolve());
    });
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      output.stderr += chunk;
    });
    child.stdout?.on("data", (chunk: string) => {
      output.stdout += chunk;
    });
    const port = await new Promise<number>((resolve, reject) => {
      let settled = false;
      const settle = (why: string | undefined, port?: number): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (port !== undefined) return resolve(port);
        child.kill("SIGKILL");
        reject(new Error(`${o.label} did not start: ${why ?? "unknown"}\nstderr:\n${output.stderr}`));
      };
      const timer = setTimeout(() => settle("timed out waiting for its port"), o.startupTimeoutMs ?? 30_000);
      timer.unref();
      child.stdout?.on("data", () => {
        const newline = output.stdout.indexOf("\n");
        if (newline < 0) return;
        const first = output.stdout.slice(0, newline).trim();
        const port = Number(first);
        if (Number.isInteger(port) && port > 0) settle(undefined, port);
        else settle(`unexpected first line ${JSON.stringify(first)} (the port must be the first line on stdout)`);
      });
      child.once("error", (e) => settle(e.message));
      child.once("exit", (code, signal) => settle(`exited early (code ${String(code)}, signal ${String(signal)})`));
    });
    return new PluginProcess(child, port, output, exited);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Ends the process (SIGTERM) unless it has ended, and waits for its exit. */
  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    await this.exited;
  }
}

/** `process.env` with `overrides` merged over it; an `undefined` value removes the variable. */
export function mergedEnv(...overrides: Record<string, string | undefined>[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(Object.assign({}, process.env, ...overrides) as Record<string, string | undefined>)) {
    if (v !== undefined) env[k] = v;
  }
  return env;
}
