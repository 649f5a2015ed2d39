/**
 * The demo's stack driver without a Pulumi CLI: the TypeScript program (an `examples/` module) runs on
 * Pulumi's Node.js runtime in a child process (`@pulumi/pulumi/cmd/run`, started as the Node.js
 * language host starts it, ts-node compiling the program) against the offline runner
 * (`runner/offline-engine.ts`: each resource planned and applied through the real dynamic-provider host),
 * state in an encrypted checkpoint file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { secretConfig, type SecretValue } from "../runner/provider-client";
import { RunFailedError, runProgram, type RunOptions, type RunResult } from "../runner/offline-engine";
import { loadState } from "../runner/state-file";
import type { OperationReport, PreviewOptions, StackDriver } from "./demo-driver";

/** Options for {@link startOfflineDriver}. */
export interface OfflineDriverOptions {
  /** The Pulumi project directory (the provider host's working directory). */
  projectDir: string;
  /** The program's entry module, e.g. `examples/quickstart/index.ts`. */
  programFile: string;
  project: string;
  stack: string;
  stateFile: string;
  passphrase: string;
  /** Environment for the provider host, merged over `process.env` (`undefined` removes a variable). */
  env?: Record<string, string | undefined>;
  /**
   * SIGINT/SIGTERM during an operation cancel it as `pulumi` does, a second one stops at once (see
   * `RunOptions.cancelOnSignals`). On by default: the driver is the demo's, a process whose main job
   * is the run; a Ctrl-C that killed it the default way would leave the provider host running.
   * @default true
   */
  cancelOnSignals?: boolean;
}

const EXPECTED_NO_CHANGES = "expected no changes";

/** Starts the offline driver. */
export function startOfflineDriver(o: OfflineDriverOptions): StackDriver {
  return new OfflineDriver(o);
}

class OfflineDriver implements StackDriver {
  readonly mode = "offline" as const;
  private readonly config: Record<string, string | SecretValue> = {};
  private lastSecretOutputs: string[] = [];
  private saved = 0;

  constructor(private readonly o: OfflineDriverOptions) {}

  setConfig(key: string, value: string, secret = false): Promise<void> {
    this.config[key] = secret ? secretConfig(value) : value;
    return Promise.resolve();
  }

  async preview(options: PreviewOptions = {}): Promise<OperationReport> {
    try {
      return report(await this.run("preview", options));
    } catch (e) {
      // `expectNoChanges` makes the runner fail; when that is the only failure, the changes ARE the answer.
      if (options.expectNoChanges && e instanceof RunFailedError && e.result.errors.every((m) => m.startsWith(EXPECTED_NO_CHANGES))) {
        return { ...report(e.result), changesFound: true };
      }
      throw unwrapFailure(e);
    }
  }

  async up(options: { refresh?: boolean } = {}): Promise<OperationReport> {
    const result = await this.run("up", options).catch((e: unknown) => Promise.reject(unwrapFailure(e)));
    this.lastSecretOutputs = result.secretOutputs;
    return report(result);
  }

  async destroy(): Promise<OperationReport> {
    return report(await this.run("destroy", {}).catch((e: unknown) => Promise.reject(unwrapFailure(e))));
  }

  /** The program ran in another process: its secret outputs are read back from the (decrypted) state. */
  secretOutputValues(): Promise<Record<string, string>> {
    const { state } = loadState(this.o.stateFile, this.o.project, this.o.stack, this.o.passphrase);
    const values: Record<string, string> = {};
    for (const name of this.lastSecretOutputs) {
      const value = state.outputs[name];
      if (typeof value === "string") values[name] = value;
    }
    return Promise.resolve(values);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  private async run(operation: RunOptions["operation"], extra: PreviewOptions): Promise<RunResult> {
    try {
      return await this.runOnce(operation, extra);
    } finally {
      this.keepHistory(operation);
    }
  }

  /** Like the file backend's history: a copy of the state after every operation that writes it, numbered. */
  private keepHistory(operation: RunOptions["operation"]): void {
    if (operation === "preview" || !fs.existsSync(this.o.stateFile)) return;
    const dir = path.join(path.dirname(this.o.stateFile), "history");
    fs.mkdirSync(dir, { recursive: true });
    this.saved += 1;
    fs.copyFileSync(this.o.stateFile, path.join(dir, `${String(this.saved).padStart(2, "0")}-${operation}.json`));
  }

  private runOnce(operation: RunOptions["operation"], extra: PreviewOptions): Promise<RunResult> {
    return runProgram({
      operation,
      programFile: this.o.programFile,
      projectDir: this.o.projectDir,
      stateFile: this.o.stateFile,
      project: this.o.project,
      stack: this.o.stack,
      config: { ...this.config },
      passphrase: this.o.passphrase,
      cancelOnSignals: this.o.cancelOnSignals ?? true,
      ...(this.o.env ? { env: this.o.env } : {}),
      ...(extra.refresh ? { refresh: true } : {}),
      ...(extra.expectNoChanges ? { expectNoChanges: true } : {}),
    });
  }
}

function report(r: RunResult): OperationReport {
  return {
    drift: r.refreshSteps.filter((s) => s.op !== "same"),
    steps: r.steps,
    outputs: r.operation === "up" ? r.outputs : {},
    secretOutputs: r.secretOutputs,
    changesFound: false,
  };
}

/** The runner's failure as a plain error whose message lists what failed (already scrubbed). */
function unwrapFailure(e: unknown): unknown {
  return e instanceof RunFailedError ? new Error(e.result.errors.join("; ")) : e;
}
