/**
 * What a run of the offline engine is asked ({@link RunOptions}) and what it answers ({@link RunResult},
 * {@link RunFailedError}). In a module of their own so that the engine's parts (run state, step
 * generator, steps, cancellation) can name them without importing `offline-engine.ts`, which wires
 * those parts together and re-exports these types as its public API.
 */
import type { SecretValue } from "./provider-client";
import type { Step, StepCounts } from "./render-steps";

/** Which command to emulate. */
export type Operation = "preview" | "up" | "refresh" | "destroy";

/** Options for {@link runProgram}. */
export interface RunOptions {
  operation: Operation;
  /**
   * The Pulumi program as a function: constructs resources, returns the stack outputs. It runs in this
   * process, as the Automation API runs an inline program. Preview and up need it or `programFile`.
   */
  program?: () => unknown;
  /**
   * The program as a file (a `.ts` or `.js` module, or a directory), run in a child process by
   * `@pulumi/pulumi/cmd/run` as the Node.js language host runs it.
   */
  programFile?: string;
  /** The Pulumi project directory: the program's and the provider host's working directory. */
  projectDir: string;
  /** State file; created on the first `up`. */
  stateFile: string;
  project: string;
  stack: string;
  organization?: string;
  /** Stack config, fully qualified keys (`palette:host`); secrets as `{ secret }`. Given to the program and to `configure`. */
  config?: Record<string, string | SecretValue>;
  /** Environment for the provider host and a program file's process, merged over `process.env`. */
  env?: Record<string, string | undefined>;
  /** Encrypts secrets in the state file; default `process.env.PULUMI_CONFIG_PASSPHRASE`. */
  passphrase?: string;
  /** preview/up: refresh every resource from the provider first (`--refresh`). */
  refresh?: boolean;
  /** Fail when anything would change (`--expect-no-changes`). */
  expectNoChanges?: boolean;
  /** `--continue-on-error`: a failed step stops only the resources that depend on it. */
  continueOnError?: boolean;
  /**
   * The stacks the program's `StackReference`s may read, by the name it gives (`org/project/stack`):
   * their state file and passphrase (default: this run's). Outputs secret there are secret here.
   */
  stackReferences?: Record<string, { stateFile: string; passphrase?: string }>;
  /** `--parallel`, handed to the runtime (default: unbounded, 2147483647, as the CLI sends it). */
  parallel?: number;
  /**
   * Receives what each provider process printed (stdout and stderr), NOT scrubbed, once it has ended:
   * for tests that check that no secret leaves a plugin.
   */
  providerOutput?: (text: string) => void;
  /** Receives each printable line (already masked) as steps happen. */
  log?: (line: string) => void;
  /**
   * Cancels the run as the engine does on Ctrl-C: no new step starts, the provider gets `Cancel`
   * (which @pulumi/pulumi's dynamic-provider host ignores: its calls in flight run on), the steps in
   * flight run to their end and are saved in the state, and the run fails (cancelled).
   */
  signal?: AbortSignal;
  /**
   * For a process whose main job is this run (a CLI, the demo): handles SIGINT and SIGTERM as
   * `pulumi up` does, while the run is. The first cancels (as `signal` does) and says so; a second
   * stops at once: it saves the state as it stands, kills the provider host and the program, and
   * ends this process (`process.exit`, code 128 + the signal's number: 130 for SIGINT), leaving
   * what the steps in flight make unrecorded. With it the provider host and a program file's
   * process lead process groups of their own, so a terminal's Ctrl-C reaches only this process.
   */
  cancelOnSignals?: boolean;
}

/** What a run did (or, for a preview, would do). Every value in it is masked. */
export interface RunResult {
  operation: Operation;
  project: string;
  stack: string;
  /** Steps of the refresh pass (`refresh` operation, or `refresh: true`): `same`, `refresh-drift` or `delete` (gone). */
  refreshSteps: Step[];
  /** Steps of the main pass, in the order they ran. */
  steps: Step[];
  counts: StepCounts;
  /** E.g. `+1 ~1 -0 =2`. */
  summary: string;
  /** Stack outputs: secrets as `[secret]`, unknowns as `[unknown]`. */
  outputs: Record<string, unknown>;
  /** Names of the stack outputs that are secret. */
  secretOutputs: string[];
  /** Failures (secrets scrubbed); empty when the run succeeded. */
  errors: string[];
}

/** A run that failed; state was still saved for everything that completed (except in preview). */
export class RunFailedError extends Error {
  override readonly name = "RunFailedError";
  constructor(readonly result: RunResult) {
    super(`${result.operation} failed: ${result.errors.join("; ")}`);
  }
}
