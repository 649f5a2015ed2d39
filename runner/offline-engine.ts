/**
 * The offline runner: `pulumi preview/up/refresh/destroy` for a stack of dynamic resources, without a
 * Pulumi CLI, around Pulumi's own Node.js runtime.
 *
 * What it does. The runner plays the Go engine's part of the protocol. It serves the resource
 * monitor and engine gRPC services (`resource-monitor.ts`, on the stubs of `@pulumi/pulumi/proto`)
 * and starts the program against them as Pulumi does (`language-host.ts`): a program file in a child
 * `node @pulumi/pulumi/cmd/run ...` exactly as the Node.js language host launches it, a function
 * program in-process through the Automation API's inline-program server. The runtime then registers
 * the root Stack, components and dynamic resources over gRPC (`RegisterResource`, marshalled by the
 * runtime itself: secrets in the secret signature, `additionalSecretOutputs`, the serialized provider
 * in `__provider`, dependencies, parent, aliases), reads (`ReadResource`, for `Resource.get`) and stack
 * outputs (`RegisterResourceOutputs`). Each dynamic resource's step is generated as the engine's step
 * generator does (pkg/resource/deploy/step_generator.go), against the REAL dynamic-provider host
 * ({@link ProviderClient}): `check` (olds = stored inputs), `diff` (olds = stored outputs), then `create` /
 * `update` / replace (a second `check` with empty olds, create-before-delete unless
 * `deleteBeforeReplace` or the provider asks), `read` for refresh and `.get()`, and `delete` for
 * resources gone from the program (after the program, in reverse dependency order) or replaced. The
 * runtime sends registrations as their inputs resolve, so independent steps run in parallel and a
 * dependent one only once what it depends on is done. State is a file in the shape of a Pulumi
 * checkpoint (`state-file.ts`), its secrets encrypted (scrypt + AES-256-GCM, `passphrase-crypter.ts`).
 *
 * Secrets. An output is secret when the program names it in `additionalSecretOutputs` or its input
 * of the same name arrived secret (the engine's rule for providers that do not accept secrets). It is
 * sent back to the runtime in the secret signature, stored encrypted, and printed as `[secret]`.
 *
 * Failures, as the engine records them (checked in pulumi/pulumi `pkg/resource/deploy/step.go`,
 * `step_generator.go`, `step_executor.go`, `pkg/backend/snapshot.go`, `pkg/engine/update.go`).
 * - A failed step halts the run: steps in flight finish and are recorded, no new step starts (a later
 *   registration is refused, so the program fails), no delete runs. With `continueOnError`
 *   (`--continue-on-error`) only the resources depending on a failed one are refused; the rest, and
 *   the deletes, go on. Everything that completed is saved.
 * - Create-before-delete replacement: the create runs first; only once the new resource exists is the
 *   old one marked `pendingDelete` (`CreateStep.Apply`: `s.old.Delete = true` after the create), and
 *   it is deleted after the program. A create that made nothing leaves the old resource live, once. A
 *   create that failed after making something (`ErrorResourceInitFailed`) records the new resource
 *   with `initErrors` and still marks the old one: the next `up` updates the new, deletes the old.
 * - Delete-before-replace: a failed delete changes nothing. Once the delete succeeded the old entry
 *   stays as `pendingReplacement` (`DeleteStep.Apply`) until its replacement exists; the next `up`
 *   replaces it whatever the diff says, without deleting again, and drops it without a provider call
 *   when the program no longer has it (`RemovePendingReplaceStep`).
 * - A failed delete leaves the entry as it was: the old half of a replacement stays `pendingDelete`
 *   and is deleted by the next `up` after the program (since Pulumi 3.46 pending deletes are no longer
 *   retired at the start); a resource gone from the program stays live, so putting it back is `same`.
 *   `refresh` reads pending deletes too and drops one that is gone.
 * - A half-applied update (`ErrorResourceInitFailed` from update) records the provider's properties
 *   as outputs beside the OLD inputs, with `initErrors`; the next `up` diffs against them and updates.
 * - `protect`: deleting or replacing a protected resource fails the step. `retainOnDelete`: its delete
 *   (also the old half of a replacement) drops it from the state without calling the provider.
 *
 * `StackReference`s read the stacks named in `stackReferences` (their state files), as the engine's
 * builtin provider reads the backend: outputs secret there arrive secret.
 *
 * What still differs from the Go engine:
 * - Resources: only dynamic resources, components, stack references and the root stack. Other
 *   custom resources (other providers), explicit `provider` options, invokes and `import` are
 *   refused; a remote component is treated as a local one. Reads (`Resource.get`, stack references)
 *   are answered but not recorded in the state as external resources.
 * - Providers: one dynamic-provider host per run, configured with the stack config before the program
 *   starts (the engine configures the default provider when first needed). The default
 *   `pulumi:providers:pulumi-nodejs` provider is written to the state without inputs, and never diffed.
 * - Steps: the provider, components and the stack get none (counts and summaries are of dynamic
 *   resources only, where `pulumi up` counts the stack too). Deletes run one at a time in reverse
 *   dependency order, not in parallel; `parallel` is handed to the runtime (which honours only 1,
 *   serial) and the engine's own limit on concurrent steps is not applied. A delete-before-replace
 *   does not first delete the resources that depend on the replaced one. A pending replacement is
 *   always finished delete-first, where the engine, when the diff no longer asks for
 *   delete-before-replace, creates first and then calls delete once more on the gone resource. A
 *   pending delete whose id a live entry holds is dropped, not deleted (only an earlier version of
 *   this runner wrote that).
 * - Not implemented (`SupportsFeature` says no where the runtime asks): `replaceOnChanges`,
 *   `deletedWith`, `replaceWith`, targets, resource hooks, transforms; `aliasSpecs` is off, so the
 *   runtime sends alias URNs it computed; `ignoreChanges` takes top-level names only.
 * - State: written after every step, as the engine checkpoints, but with no pending-operations record:
 *   a runner killed during a create forgets the resource that create was making; no state locking, one
 *   run at a time per process. Secrets are encrypted by the runner's own passphrase
 *   crypter, not Pulumi's (see `state-file.ts`).
 * - Programs: a function program runs in this process (as an Automation API inline program does); one
 *   that throws is caught before the runtime's Stack sees it. A program file runs with ts-node in
 *   transpile-only mode by default. What a program file prints is shown only when it fails; the
 *   provider's `console` output is kept on the host (`ProviderClient.output`) and never printed.
 */
import { randomUUID } from "node:crypto";
import * as os from "node:os";
import { endChildren } from "./child-processes";
import { dependencyOrder } from "./dependency-order";
import { ProviderClient, ProviderInitError, type SecretValue } from "./provider-client";
import { runInlineProgram, runProgramFile, type ProgramRun } from "./language-host";
import { changedProperties, countSteps, formatStep, scrub, summarize, SECRET_MASK, UNKNOWN_MASK, type Step, type StepCounts } from "./render-steps";
import { MonitorServer, MonitorShuttingDown, type Answer, type Deployment, type LogSeverity, type ReadRequest, type Registration } from "./resource-monitor";
import { loadStackOutputs, loadState, saveState, type ResourceState, type StackState } from "./state-file";
import { secretObject, UNKNOWN, type PropertyMap } from "./wire-values";
import type { PassphraseCrypter } from "./passphrase-crypter";

export type { PropertyChange, Step, StepCounts, StepOp } from "./render-steps";
export { SECRET_MASK, UNKNOWN_MASK, formatStep } from "./render-steps";

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

/**
 * A program that `require`s a module afresh on each run and returns its exports, for programs written
 * as a module with top-level `export const`. (Under jest, whose module registry is its own, prefer a
 * function program.)
 */
export function moduleProgram(modulePath: string): () => unknown {
  return () => {
    const resolved = require.resolve(modulePath);
    delete require.cache[resolved];
    return require(resolved) as unknown;
  };
}

/**
 * Runs one operation against the stack in `stateFile`. Resolves with the result; rejects with
 * {@link RunFailedError} (carrying the result) when a step failed or `expectNoChanges` was violated.
 */
export async function runProgram(options: RunOptions): Promise<RunResult> {
  // The runtime's settings are process-wide: two inline programs at once would mix their resources.
  if (running) throw new Error("offline runner: another run is in progress in this process; run one operation at a time");
  running = true;
  const interrupt = options.cancelOnSignals === true ? new AbortController() : undefined;
  const signals = [options.signal, interrupt?.signal].filter((x) => x !== undefined);
  const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  const run = new OfflineRun({ ...options, ...(signal !== undefined && { signal }) });
  const handlers = interrupt === undefined ? undefined : onInterrupt(interrupt, (name) => run.abandon(name));
  try {
    return await run.execute();
  } finally {
    handlers?.remove();
    running = false;
  }
}

/** The reason a SIGINT/SIGTERM handler aborts a run with: the cancel then names the signal. */
class Interrupted extends Error {
  constructor(readonly signalName: NodeJS.Signals) {
    super(`${signalName} received`);
    this.name = "Interrupted";
  }
}

/**
 * SIGINT/SIGTERM handlers while they are installed: the first signal aborts `controller` (the run
 * cancels), a later one calls `again` (the run stops at once), as the Pulumi CLI's second Ctrl-C.
 */
function onInterrupt(controller: AbortController, again: (name: NodeJS.Signals) => void): { remove(): void } {
  const handler = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) again(name);
    else controller.abort(new Interrupted(name));
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
  for (const name of signals) process.on(name, handler);
  return { remove: () => signals.forEach((name) => process.off(name, handler)) };
}

let running = false;

const STACK_TYPE = "pulumi:pulumi:Stack";
const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";
const DYNAMIC_PREFIX = "pulumi-nodejs:dynamic";
/** What `pulumi up` sends as `--parallel` when none is given. */
const UNBOUNDED_PARALLEL = 2147483647;

/** A create the plan decided on: what is recorded if it succeeds (or half-succeeds), and its step. */
interface PlannedCreate {
  base: Pick<ResourceState, "urn" | "type" | "name" | "parent" | "dependencies" | "protect" | "retainOnDelete">;
  inputs: PropertyMap;
  secretInputs: string[];
  secretOutputs: string[];
  step: Step;
}

class OfflineRun implements Deployment {
  private readonly o: RunOptions;
  private readonly passphrase: string | undefined;
  private readonly preview: boolean;
  private host: ProviderClient | undefined;
  private old!: StackState;
  private crypter: PassphraseCrypter | undefined;
  /** Resources of the new state, in the order their steps completed. */
  private readonly next: ResourceState[] = [];
  /** URNs registered in this run, and the old URNs they took over through aliases. */
  private readonly registered = new Set<string>();
  /** Old URN -> the URN that took it over through an alias. */
  private readonly aliasedTo = new Map<string, string>();
  /** Old halves of create-before-delete replacements, deleted after the program. */
  private readonly replaced: ResourceState[] = [];
  /** Entries of the old state (or old halves) that this run deleted or dropped. */
  private readonly deleted = new Set<ResourceState>();
  /** URNs whose step failed or was refused (with `continueOnError`, their dependents are refused too). */
  private readonly failed = new Set<string>();
  /** Steps in flight, by the name of their resource: awaited before the deletes, named if abandoned. */
  private readonly inflight = new Map<Promise<unknown>, string>();
  private readonly secrets = new Set<string>();
  private readonly refreshSteps: Step[] = [];
  private readonly steps: Step[] = [];
  private readonly errors: string[] = [];
  /** Errors the program logged; they count only when no step failed (else they are its echo). */
  private readonly programErrors: string[] = [];
  private stackUrn: string;
  private stackOutputs: { values: PropertyMap; secretKeys: string[] } | undefined;
  private outputs: Record<string, unknown> = {};
  private secretOutputNames: string[] = [];
  /** Settles when the run halts on a failed step (never with `continueOnError`). */
  private readonly halted: Promise<void>;
  /** The default provider's id: the old one, or a new one for a new stack. */
  private providerId: string = randomUUID();
  private onHalt: () => void = () => undefined;
  private cancelled = false;
  /** The failure a cancel recorded: completed once the steps in flight have ended and are saved. */
  private cancelError: string | undefined;
  /** Set once the old state is loaded: from then on the state file can be written. */
  private loaded = false;

  constructor(o: RunOptions) {
    this.halted = new Promise((resolve) => (this.onHalt = resolve));
    this.o = o;
    this.passphrase = o.passphrase ?? process.env.PULUMI_CONFIG_PASSPHRASE;
    this.preview = o.operation === "preview";
    this.stackUrn = `urn:pulumi:${o.stack}::${o.project}::${STACK_TYPE}::${o.project}-${o.stack}`;
  }

  async execute(): Promise<RunResult> {
    const { o } = this;
    if ((o.operation === "preview" || o.operation === "up") && !o.program && !o.programFile) throw new Error(`${o.operation} needs a program`);
    // Checked before anything changes: a missing passphrase must not strand created resources unsaved.
    if (o.operation !== "preview" && this.passphrase === undefined) {
      throw new Error(`${o.operation} writes the state file: set PULUMI_CONFIG_PASSPHRASE (or pass passphrase) to encrypt its secrets`);
    }
    const loaded = loadState(o.stateFile, o.project, o.stack, this.passphrase);
    this.old = this.withoutStalePendingDeletes(loaded.state);
    this.loaded = true;
    if (this.old.providerId) this.providerId = this.old.providerId;
    this.crypter = loaded.crypter;
    for (const r of this.old.resources) this.collectSecrets(r);
    const config = this.qualifiedConfig();
    for (const v of Object.values(config)) if (typeof v !== "string") this.secrets.add(v.secret);

    this.host = await ProviderClient.start({ cwd: o.projectDir, env: o.env ?? {}, project: o.project, stack: o.stack, ownProcessGroup: o.cancelOnSignals === true });
    let monitor: MonitorServer | undefined;
    const cancel = (): void => this.cancel();
    o.signal?.addEventListener("abort", cancel, { once: true });
    if (o.signal?.aborted === true) this.cancel();
    try {
      await this.host.configure(config);
      if (o.operation === "refresh" || o.refresh) await this.refreshAll();
      if (o.operation === "preview" || o.operation === "up") {
        monitor = await MonitorServer.start(this);
        await this.runUserProgram(monitor.address, config);
      }
      if (o.operation === "destroy") await this.destroyAll();
    } catch (e) {
      this.fail(e);
    } finally {
      o.signal?.removeEventListener("abort", cancel);
      await monitor?.close();
      await this.host.close();
    }

    if (o.operation !== "preview") this.save();
    this.completeCancelError();
    const result = this.result();
    if (o.expectNoChanges && this.errors.length === 0) {
      const changed = [...result.refreshSteps, ...result.steps].filter((s) => s.op !== "same" && s.op !== "read");
      if (changed.length > 0) {
        const error = `expected no changes, found ${changed.map((s) => `${s.op} ${s.name}`).join(", ")}`;
        this.errors.push(error);
        result.errors.push(error);
        o.log?.(`error: ${error}`);
      }
    }
    if (result.errors.length > 0) throw new RunFailedError(result);
    return result;
  }

  /**
   * Drops pending deletes whose id a live entry of the same type holds. Only an earlier version of
   * this runner wrote that (issue 9: it marked the old resource pending delete before the replacement
   * existed, and kept it live too when the create failed); deleting it would delete the live
   * resource. The engine has no such rule because it never writes such a state.
   */
  private withoutStalePendingDeletes(state: StackState): StackState {
    const live = new Set(state.resources.filter((r) => !r.pendingDelete && !r.pendingReplacement).map((r) => `${r.type}\0${r.id}`));
    const resources = state.resources.filter((r) => {
      if (!r.pendingDelete || !live.has(`${r.type}\0${r.id}`)) return true;
      this.o.log?.(`warning: dropped a stale pending delete of ${r.type} ${r.name} (id ${r.id}): the same id is live in the state, so it is not deleted`);
      return false;
    });
    return { ...state, resources };
  }

  // ---- program pass (preview / up) -------------------------------------------------------------

  private async runUserProgram(monitorAddress: string, config: Record<string, string | SecretValue>): Promise<void> {
    const { o } = this;
    const plain: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [k, v] of Object.entries(config)) {
      plain[k] = typeof v === "string" ? v : v.secret;
      if (typeof v !== "string") secretKeys.push(k);
    }
    const run: ProgramRun = {
      monitorAddress,
      project: o.project,
      stack: o.stack,
      ...(o.organization ? { organization: o.organization } : {}),
      pwd: o.projectDir,
      dryRun: this.preview,
      parallel: o.parallel ?? UNBOUNDED_PARALLEL,
      config: plain,
      secretKeys,
    };
    const stop = new AbortController();
    void this.halted.then(async () => {
      await this.settleInflight();
      stop.abort();
    });
    let failure: string | undefined;
    if (o.programFile) {
      const exit = await runProgramFile(o.programFile, run, o.env, stop.signal, o.cancelOnSignals === true);
      if (stop.signal.aborted) exit.code = 0;
      if (exit.code !== 0) failure = this.programErrors.length > 0 ? undefined : `the program exited with code ${String(exit.code)}: ${exit.output.trim().split("\n").slice(-5).join("\n")}`;
    } else if (o.program) {
      failure = await runInlineProgram(o.program, run, stop.signal);
    }
    // The engine waits for the steps in flight before it ends the update.
    await this.settleInflight();
    if (this.errors.length === 0) {
      for (const m of this.programErrors) this.fail(new Error(m));
      if (failure !== undefined && this.programErrors.length === 0) this.fail(new Error(failure));
    }

    // A failed update keeps the previous stack outputs, as Pulumi does.
    if (this.errors.length === 0) this.takeStackOutputs();
    else [this.outputs, this.secretOutputNames] = [this.old.outputs, this.old.secretOutputs];

    if (this.errors.length === 0 || (o.continueOnError && !this.cancelled)) await this.deleteLeftovers();
    else this.keepLeftovers();
  }

  // ---- the resource monitor's calls -----------------------------------------------------------

  async registerResource(reg: Registration): Promise<Answer> {
    if (reg.type === STACK_TYPE && !reg.parent) {
      this.stackUrn = this.urnFor(reg.type, reg.name, "");
      return { urn: this.stackUrn, outputs: {}, secretOutputs: [] };
    }
    const urn = this.urnFor(reg.type, reg.name, reg.parent);
    if (!reg.custom) return this.component(urn, reg);
    return this.startStep(urn, reg, async () => {
      if (!reg.type.startsWith(DYNAMIC_PREFIX)) throw new Error(`offline runner: only dynamic resources are supported, not ${reg.type} (${reg.name})`);
      if (reg.provider) throw new Error(`offline runner: explicit providers are not supported (${reg.name} names ${reg.provider})`);
      if (reg.importId) throw new Error(`offline runner: import is not supported (${reg.name})`);
      for (const k of reg.secretInputs) this.addSecret(reg.inputs[k]);
      return this.plan(urn, reg);
    });
  }

  async readResource(req: ReadRequest): Promise<Answer> {
    const urn = this.urnFor(req.type, req.name, req.parent);
    if (req.type === STACK_REFERENCE_TYPE) return this.readStackReference(urn, req);
    return this.startStep(urn, { ...req, parent: req.parent }, async () => {
      if (!req.type.startsWith(DYNAMIC_PREFIX)) throw new Error(`offline runner: only dynamic resources can be read, not ${req.type} (${req.name})`);
      for (const k of req.secretInputs) this.addSecret(req.inputs[k]);
      return this.readExternal(urn, req);
    });
  }

  /**
   * A `StackReference`, as the engine's builtin provider reads it: `outputs` with each secret output
   * in the secret signature, and `secretOutputNames`.
   */
  private readStackReference(urn: string, req: ReadRequest): Answer {
    const ref = this.o.stackReferences?.[req.id];
    if (!ref) throw new Error(`offline runner: unknown stack ${req.id} for StackReference ${req.name}: pass its state file in stackReferences`);
    const stack = loadStackOutputs(ref.stateFile, ref.passphrase ?? this.passphrase);
    for (const k of stack.secretOutputs) this.addSecret(stack.outputs[k]);
    const outputs: PropertyMap = {};
    for (const [k, v] of Object.entries(stack.outputs)) outputs[k] = stack.secretOutputs.includes(k) ? secretObject({ value: v }) : v;
    return { urn, id: req.id, outputs: { name: req.id, outputs, secretOutputNames: stack.secretOutputs }, secretOutputs: [] };
  }

  registerResourceOutputs(urn: string, outputs: PropertyMap, secretKeys: string[]): void {
    if (urn === this.stackUrn) {
      this.stackOutputs = { values: outputs, secretKeys };
      for (const k of secretKeys) this.addSecret(outputs[k]);
      return;
    }
    const component = this.next.find((r) => r.urn === urn && r.custom === false);
    if (component) Object.assign(component, { outputs, secretOutputs: secretKeys });
  }

  log(severity: LogSeverity, message: string, urn: string): void {
    if (severity === "debug") return;
    const text = scrub(withoutStackTrace(message), this.secrets);
    if (severity === "error") {
      this.programErrors.push(text);
      return;
    }
    const name = urn ? ` ${urn.slice(urn.lastIndexOf("::") + 2)}` : "";
    this.o.log?.(`${severity === "warning" ? "warning" : "info"}${name}: ${text}`);
  }

  /**
   * Runs one resource's step unless the run is halting: after a failed step no new step starts (or,
   * with `continueOnError`, none whose dependencies failed). A failure is recorded once and goes back
   * to the runtime, which fails the program, as the engine's step executor does.
   */
  private async startStep(urn: string, reg: { name: string; type: string; parent: string; dependencies: string[] }, run: () => Promise<Answer>): Promise<Answer> {
    const blockedBy = this.cancelled
      ? ""
      : this.o.continueOnError
        ? [reg.parent, ...reg.dependencies].find((d) => this.failed.has(d))
        : this.errors.length > 0
          ? ""
          : undefined;
    if (blockedBy !== undefined) {
      this.failed.add(urn);
      const why = blockedBy ? `it depends on ${blockedBy}, which failed` : `the ${this.o.operation} ${this.cancelled ? "was cancelled" : "already failed"}`;
      this.o.log?.(`   skipped ${reg.type} ${reg.name} (${why})`);
      throw this.halt(`${reg.name}: skipped: ${why}`);
    }
    try {
      return await this.track(reg.name, run());
    } catch (e) {
      this.failed.add(urn);
      // What the failed step left (a half-made resource, a pending replacement) is on disk first.
      this.checkpoint();
      throw this.halt(this.fail(e, `${reg.name}: `));
    }
  }

  /** `step`, counted in flight (by its resource's name) until it settles. */
  private async track<T>(name: string, step: Promise<T>): Promise<T> {
    this.inflight.set(step, name);
    try {
      return await step;
    } finally {
      this.inflight.delete(step);
    }
  }

  /**
   * The engine's answer to Ctrl-C (its cancellation context): the run fails, so no new step
   * starts; the provider is told; the steps in flight go on, and `execute` saves their results.
   */
  private cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const reason: unknown = this.o.signal?.reason;
    const by = reason instanceof Interrupted ? reason.signalName : undefined;
    const op = this.o.operation;
    const names = [...this.inflight.values()];
    const waiting = names.length === 0 ? "no step is in flight" : `waiting for the ${names.length} step(s) in flight to end (${names.join(", ")})`;
    const again = by === undefined ? "" : `; ${by} again stops at once, and what they make is then not recorded`;
    this.notice(`${by === undefined ? "cancel requested" : `${by} received`}: cancelling the ${op}: no new step starts, ${waiting}${again}`);
    this.cancelError = this.fail(new Error(`${op} cancelled${by === undefined ? "" : ` (${by})`}: no step was started after the cancel`));
    this.host?.cancel().catch(() => undefined);
    this.onHalt();
  }

  /** After a cancel, once the steps in flight have ended and the state is saved: the cancel's failure says so. */
  private completeCancelError(): void {
    const i = this.cancelError === undefined ? -1 : this.errors.indexOf(this.cancelError);
    if (i < 0) return;
    const saved = this.preview || this.o.operation === "refresh" ? "" : ", and what they made is in the state file";
    this.errors[i] = `${this.cancelError}; the steps in flight then ran to their end${saved}`;
    this.o.log?.(`   ${this.errors[i]}`);
  }

  /**
   * A second SIGINT/SIGTERM, as the Pulumi CLI's second Ctrl-C: stop now. The state is saved as it
   * stands (what the steps in flight make is not in it), the provider host and the program are
   * killed, and this process exits with 128 + the signal's number.
   */
  abandon(name: NodeJS.Signals): never {
    const names = [...this.inflight.values()];
    const what =
      names.length === 0
        ? "no step was in flight"
        : `without waiting for the ${names.length} step(s) in flight (${names.join(", ")}); the state file keeps what was recorded before. ` +
          "A key those steps created may be in Palette without being in the state (its value is lost): find it with `npx palette-apikeys audit` and delete it";
    this.notice(`${name} received again: stopping at once, ${what}`);
    if (this.loaded) {
      try {
        this.checkpoint();
      } catch (e) {
        this.notice(`the state could not be saved: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    endChildren();
    process.exit(128 + (os.constants.signals[name] ?? 0));
  }

  /** A line the user must see (a cancel, an abandon): through `log`, or on stderr without one. */
  private notice(line: string): void {
    const text = scrub(line, this.secrets);
    if (this.o.log !== undefined) this.o.log(text);
    else process.stderr.write(`${text}\n`);
  }

  /**
   * The error a refused or failed step answers with: without `continueOnError` the monitor shuts
   * down (the runtime stops quietly); with it, a plain error fails only this resource's outputs, and
   * so the resources that use them.
   */
  private halt(message: string): Error {
    if (this.o.continueOnError) return new Error(message);
    this.onHalt();
    return new MonitorShuttingDown(message);
  }

  private async settleInflight(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight.keys()]);
  }

  /** A component: recorded with its parent and dependencies; no provider, no step. */
  private component(urn: string, reg: Registration): Answer {
    if (this.registered.has(urn)) throw new Error(`duplicate resource URN ${urn}`);
    const old = this.findOld(urn, reg.aliases);
    this.claim(urn, old);
    this.next.push({
      urn,
      type: reg.type,
      name: reg.name,
      id: "",
      custom: false,
      ...(reg.parent && reg.parent !== this.stackUrn ? { parent: reg.parent } : {}),
      dependencies: reg.dependencies,
      inputs: {},
      outputs: old?.outputs ?? {},
      secretInputs: [],
      secretOutputs: old?.secretOutputs ?? [],
    });
    return { urn, outputs: {}, secretOutputs: [] };
  }

  /** The engine's URN: the parent's type chain joins the type, except under the root stack. */
  private urnFor(type: string, name: string, parent: string): string {
    const parentType = parent ? (parent.split("::")[2] ?? "") : "";
    const qualified = parentType && parentType !== STACK_TYPE ? `${parentType}$${type}` : type;
    return `urn:pulumi:${this.o.stack}::${this.o.project}::${qualified}::${name}`;
  }

  private findOld(urn: string, aliases: readonly string[]): ResourceState | undefined {
    return this.old.resources.find((r) => r.urn === urn && !r.pendingDelete) ?? this.old.resources.find((r) => aliases.includes(r.urn) && !r.pendingDelete);
  }

  private claim(urn: string, old: ResourceState | undefined): void {
    this.registered.add(urn);
    if (!old) return;
    this.registered.add(old.urn);
    if (old.urn !== urn) this.aliasedTo.set(old.urn, urn);
  }

  private async plan(urn: string, reg: Registration): Promise<Answer> {
    const host = this.requireHost();
    if (this.registered.has(urn)) throw new Error(`duplicate resource URN ${urn}`);
    const old = this.findOld(urn, reg.aliases);
    this.claim(urn, old);
    const { secretInputs } = reg;
    const news: PropertyMap = { ...reg.inputs };
    // ignoreChanges: the engine resets ignored names to their old input values before check.
    for (const k of old ? reg.ignoreChanges : []) {
      if (old && k in old.inputs) news[k] = old.inputs[k];
      else delete news[k];
    }
    const secretOutputs = [...new Set([...reg.additionalSecretOutputs, ...secretInputs])];
    const base: PlannedCreate["base"] = {
      urn,
      type: reg.type,
      name: reg.name,
      ...(reg.parent && reg.parent !== this.stackUrn ? { parent: reg.parent } : {}),
      dependencies: reg.dependencies,
      protect: reg.protect ?? old?.protect ?? false,
      retainOnDelete: reg.retainOnDelete ?? old?.retainOnDelete ?? false,
    };
    const stepBase = { urn, type: reg.type, name: reg.name };

    const checked = await this.check(urn, old?.inputs ?? {}, news);
    if (!old) {
      const step: Step = { ...stepBase, op: "create", changes: changedProperties({}, withoutProvider(checked), [], secretInputs) };
      if (this.preview) return this.emit(step, undefined, checked, secretOutputs);
      const created = await this.create({ base, inputs: checked, secretInputs, secretOutputs, step });
      return this.emit({ ...step, id: created.id }, created.id, created.outputs, secretOutputs);
    }

    const diff = await host.diff(old.id, urn, old.outputs, checked, old.inputs);
    let changes = diff.changes;
    if (changes === "unknown") changes = JSON.stringify(sortKeys(old.inputs)) === JSON.stringify(sortKeys(checked)) ? "none" : "some";
    const shown = changedProperties(old.inputs, checked, old.secretInputs, secretInputs);
    const display = shown.length > 0 ? shown : changedProperties(pick(old.outputs, Object.keys(checked)), checked, old.secretOutputs, secretInputs);

    if (changes === "none" && !old.initErrors?.length && !old.pendingReplacement) {
      this.next.push({ ...old, ...base, inputs: checked, secretInputs, secretOutputs });
      return this.emit({ ...stepBase, op: "same", id: old.id, changes: [] }, old.id, old.outputs, secretOutputs);
    }
    // A pending replacement is replaced whatever the diff says: its resource is already deleted
    // (step_generator.go: `if diff.Changes == DiffSome || old.PendingReplacement`).
    if (old.pendingReplacement || (changes === "some" && diff.replaces.length > 0)) {
      if (old.protect && !old.pendingReplacement) throw protectedError(old, "replace");
      // The engine checks again with empty olds once it has decided to replace (fresh autoname).
      const fresh = await this.check(urn, {}, news);
      const step: Step = { ...stepBase, op: "replace", changes: changedProperties(old.inputs, fresh, old.secretInputs, secretInputs), replaces: diff.replaces };
      if (this.preview) return this.emit(step, undefined, fresh, secretOutputs);
      const deleteFirst = old.pendingReplacement === true || diff.deleteBeforeReplace || reg.deleteBeforeReplace;
      const planned: PlannedCreate = { base, inputs: fresh, secretInputs, secretOutputs, step };
      const created = deleteFirst ? await this.deleteThenCreate(old, planned) : await this.createThenMarkOld(old, planned);
      return this.emit({ ...step, id: created.id }, created.id, created.outputs, secretOutputs);
    }

    const step: Step = { ...stepBase, op: "update", id: old.id, changes: display };
    if (this.preview) return this.emit(step, old.id, checked, secretOutputs);
    try {
      const { properties } = await host.update(old.id, urn, old.outputs, checked, old.inputs);
      this.collectValues(properties, secretOutputs);
      this.next.push({ ...base, id: old.id, inputs: checked, outputs: properties, secretInputs, secretOutputs });
      return this.emit(step, old.id, properties, secretOutputs);
    } catch (e) {
      // A half-applied update keeps the OLD inputs beside the new outputs (engine/update.go,
      // OnResourceStepPost, pulumi#2011): the resource was not updated to the new inputs, and the
      // next `up` diffs the program against what the provider says now exists.
      if (e instanceof ProviderInitError) {
        this.collectValues(e.properties, secretOutputs);
        this.next.push({ ...old, id: e.id || old.id, outputs: e.properties, secretOutputs, initErrors: e.reasons });
      } else this.next.push(old);
      throw e;
    }
  }

  /**
   * Create-before-delete (step.go `CreateStep.Apply`): the old resource becomes a pending delete only
   * once its replacement exists, also when the create failed half-way with an id (the new one is
   * then recorded with init errors). A create that made nothing leaves the old resource as it was.
   */
  private async createThenMarkOld(old: ResourceState, planned: PlannedCreate): Promise<{ id: string; outputs: PropertyMap }> {
    try {
      const created = await this.create(planned);
      this.replaced.push({ ...old, pendingDelete: true });
      return created;
    } catch (e) {
      if (e instanceof ProviderInitError) this.replaced.push({ ...old, pendingDelete: true });
      throw e;
    }
  }

  /**
   * Delete-before-replace (step.go `DeleteStep.Apply` with `pendingReplacement`): a failed delete
   * changes nothing; once the delete succeeded the old entry stays as a pending replacement until
   * the new resource exists, so a failed create leaves a record that the next `up` must create it.
   * A resource retained on delete is left to exist, and is not recorded as a pending replacement.
   */
  private async deleteThenCreate(old: ResourceState, planned: PlannedCreate): Promise<{ id: string; outputs: PropertyMap }> {
    if (old.retainOnDelete && !old.pendingReplacement) return this.create(planned);
    if (!old.pendingReplacement) await this.requireHost().delete(old.id, old.urn, old.outputs);
    const placeholder: ResourceState = { ...old, pendingReplacement: true };
    this.next.push(placeholder);
    this.checkpoint();
    // snapshot.go createSnapshotMutation.End: the pending replacement goes once the new one is recorded.
    const drop = (): void => {
      this.next.splice(this.next.indexOf(placeholder), 1);
    };
    try {
      const created = await this.create(planned);
      drop();
      return created;
    } catch (e) {
      if (e instanceof ProviderInitError) drop();
      throw e;
    }
  }

  private async create({ base, inputs, secretInputs, secretOutputs, step }: PlannedCreate): Promise<{ id: string; outputs: PropertyMap }> {
    try {
      const { id, properties } = await this.requireHost().create(base.urn, inputs);
      this.collectValues(properties, secretOutputs);
      this.next.push({ ...base, id, inputs, outputs: properties, secretInputs, secretOutputs });
      return { id, outputs: properties };
    } catch (e) {
      // The engine records a half-made resource so the next `up` can update (or delete) it.
      if (e instanceof ProviderInitError) {
        this.collectValues(e.properties, secretOutputs);
        this.next.push({ ...base, id: e.id, inputs, outputs: e.properties, secretInputs, secretOutputs, initErrors: e.reasons });
        step.id = e.id;
      }
      throw e;
    }
  }

  /** `Resource.get`: a read of an existing resource; the engine keeps it as an external resource. */
  private async readExternal(urn: string, req: ReadRequest): Promise<Answer> {
    const read = await this.requireHost().read(req.id, urn, req.inputs, req.inputs);
    if (!read.id) throw new Error(`resource '${req.id}' does not exist`);
    const secretOutputs = [...new Set([...req.additionalSecretOutputs, ...req.secretInputs])];
    this.collectValues(read.properties, secretOutputs);
    return this.emit({ urn, type: req.type, name: req.name, op: "read", id: read.id, changes: [] }, read.id, read.properties, secretOutputs);
  }

  private async check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<PropertyMap> {
    const { inputs, failures } = await this.requireHost().check(urn, olds, news);
    if (failures.length > 0) {
      throw new Error(`check failed: ${failures.map((f) => `property "${f.property}": ${f.reason}`).join("; ")}`);
    }
    return inputs;
  }

  // ---- refresh, deletes, destroy -------------------------------------------------------------

  /**
   * Reads every resource, pending deletes included (the engine refreshes them too, so one deleted out
   * of band is dropped instead of failing the next delete). A pending replacement is already deleted
   * and is kept as it is (step.go `RefreshStep.Apply`); components have nothing to read.
   */
  private async refreshAll(): Promise<void> {
    const host = this.requireHost();
    const kept: ResourceState[] = [];
    for (const r of this.old.resources) {
      // After a cancel no new read starts: the rest stays as it was.
      if (r.pendingReplacement || r.custom === false || this.cancelled) {
        kept.push(r);
        continue;
      }
      const base = { urn: r.urn, type: r.type, name: r.name };
      try {
        const read = await this.track(r.name, host.read(r.id, r.urn, r.outputs, r.inputs));
        if (!read.id) {
          this.record(this.refreshSteps, { ...base, op: "delete", id: r.id, changes: changedProperties(withoutProvider(r.outputs), {}, r.secretOutputs, []) });
          continue;
        }
        this.collectValues(read.properties, r.secretOutputs);
        const changes = changedProperties(r.outputs, read.properties, r.secretOutputs, r.secretOutputs);
        this.record(this.refreshSteps, { ...base, op: changes.length > 0 ? "refresh-drift" : "same", id: read.id, changes });
        kept.push({ ...r, id: read.id, outputs: read.properties, inputs: read.inputs });
      } catch (e) {
        this.record(this.refreshSteps, { ...base, op: "same", id: r.id, changes: [], error: this.fail(e, `${r.name}: refresh: `) });
        kept.push(r);
      }
    }
    this.old = { ...this.old, resources: kept };
    if (this.o.operation === "refresh") this.next.push(...kept);
  }

  /**
   * After the program: delete the old halves replaced in this run, then pending deletes from earlier
   * runs and resources the program no longer registers, dependents before what they depend on. Like
   * the engine, the first failed delete stops the rest (unless `continueOnError`); whatever was not
   * deleted stays in state as it was.
   */
  private async deleteLeftovers(): Promise<void> {
    const gone = dependencyOrder(this.old.resources).filter((r) => r.pendingDelete || !this.registered.has(r.urn));
    for (const r of [...this.replaced, ...gone.reverse()]) {
      if (r.pendingReplacement) {
        this.dropPendingReplacement(r);
        continue;
      }
      const isReplaced = this.replaced.includes(r);
      if (this.preview) {
        if (r.custom !== false) this.record(this.steps, { urn: r.urn, type: r.type, name: r.name, op: "delete", id: r.id, changes: changedProperties(withoutProvider(r.inputs), {}, r.secretInputs, []) });
        continue;
      }
      if (this.errors.length > 0 && !this.o.continueOnError) this.next.push(r);
      else await this.deleteOne(r, !isReplaced);
    }
  }

  /** After a failed program: keep what was not touched, as the engine does when it stops early. */
  private keepLeftovers(): void {
    this.next.splice(0, this.next.length, ...this.snapshot());
  }

  /**
   * The stack as it stands now: what this run recorded, the old entries no step has replaced or
   * deleted yet (pending deletes included), and the old halves of replacements still to delete.
   */
  private snapshot(): ResourceState[] {
    const inNext = new Set(this.next);
    const present = new Set(this.next.map((r) => r.urn));
    const isPresent = (urn: string): boolean => present.has(urn) || present.has(this.aliasedTo.get(urn) ?? "");
    const untouched = (r: ResourceState): boolean => !this.deleted.has(r) && !inNext.has(r);
    return [
      ...this.next,
      ...this.old.resources.filter((r) => untouched(r) && (r.pendingDelete === true || !isPresent(r.urn))),
      ...this.replaced.filter(untouched),
    ];
  }

  /**
   * Writes the state as it stands after a step, as the engine checkpoints after every step, so a
   * runner killed mid-run still knows what it created. The stack outputs stay the old ones until the
   * run ends.
   */
  private checkpoint(): void {
    if (this.preview || this.o.operation === "refresh") return;
    this.crypter = saveState(
      this.o.stateFile,
      { project: this.o.project, stack: this.o.stack, resources: dependencyOrder(this.snapshot()), outputs: this.old.outputs, secretOutputs: this.old.secretOutputs, providerId: this.providerId },
      this.passphrase,
      this.crypter,
    );
  }

  private async destroyAll(): Promise<void> {
    for (const r of dependencyOrder(this.old.resources).reverse()) {
      if (r.pendingReplacement) this.dropPendingReplacement(r);
      else if ((this.errors.length > 0 && !this.o.continueOnError) || this.cancelled) this.next.push(r);
      else await this.deleteOne(r, true);
    }
    this.outputs = {};
    this.secretOutputNames = [];
  }

  /**
   * A pending replacement the program no longer wants is already deleted: it leaves the state
   * without a provider call (the engine's `RemovePendingReplaceStep`).
   */
  private dropPendingReplacement(r: ResourceState): void {
    if (this.preview) return;
    this.deleted.add(r);
    this.o.log?.(scrub(`   dropped ${r.type} ${r.name} (id ${r.id}): deleted earlier for a replacement that is no longer wanted`, this.secrets));
  }

  /**
   * Deletes one resource. On failure it stays in state exactly as it was: a pending delete stays
   * pending, a resource gone from the program stays live (the engine leaves a failed delete's state
   * untouched, snapshot.go `deleteSnapshotMutation.End`), so putting it back in the program is a
   * `same`, not a new resource. The old half of a replacement is only logged: its replace step
   * already counts. A component only leaves the state; a protected resource is not deleted (the step
   * fails); one retained on delete leaves the state without a provider call.
   */
  private async deleteOne(r: ResourceState, asStep: boolean): Promise<void> {
    this.deleted.add(r);
    if (r.custom === false) return;
    const step: Step = { urn: r.urn, type: r.type, name: r.name, op: "delete", id: r.id, changes: changedProperties(withoutProvider(r.inputs), {}, r.secretInputs, []) };
    try {
      if (r.protect && !r.pendingDelete) throw protectedError(r, "delete");
      if (r.retainOnDelete) this.o.log?.(scrub(`   retained ${r.type} ${r.name} (id ${r.id}): retainOnDelete, so it only leaves the state`, this.secrets));
      else await this.track(r.name, this.requireHost().delete(r.id, r.urn, r.outputs));
    } catch (e) {
      step.error = this.fail(e, `${r.name}: delete: `);
      this.deleted.delete(r);
      this.next.push(r);
    }
    this.checkpoint();
    if (asStep || step.error) this.record(this.steps, step);
    else this.o.log?.(scrub(`   deleted the replaced ${r.type} ${r.name} (id ${r.id})`, this.secrets));
  }

  // ---- outputs, secrets, results ---------------------------------------------------------------

  /** The root stack's outputs as the runtime registered them (secrets marked by the runtime). */
  private takeStackOutputs(): void {
    const { values, secretKeys } = this.stackOutputs ?? { values: {}, secretKeys: [] };
    this.outputs = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    this.secretOutputNames = secretKeys.filter((k) => k in this.outputs);
  }

  /** Checkpoints, records and prints a step, and answers the monitor: secret outputs are sent back secret. */
  private emit(step: Step, id: string | undefined, state: PropertyMap, secretOutputs: string[]): Answer {
    if (step.op !== "read") this.checkpoint();
    this.record(this.steps, step);
    return { urn: step.urn, ...(id !== undefined ? { id } : {}), outputs: state, secretOutputs: secretOutputs.filter((k) => k in state) };
  }

  private record(list: Step[], step: Step): void {
    list.push(step);
    for (const line of formatStep(step)) this.o.log?.(scrub(line, this.secrets));
  }

  /** Records a failure (scrubbed) once and returns its message. */
  private fail(e: unknown, prefix = ""): string {
    const raw = e instanceof Error ? e.message : String(e);
    const message = scrub(raw.includes(prefix) ? raw : `${prefix}${raw}`, this.secrets);
    if (!this.errors.some((m) => message.includes(m) || m.includes(message))) {
      this.errors.push(message);
      this.o.log?.(`error: ${message}`);
    }
    return message;
  }

  private save(): void {
    const refresh = this.o.operation === "refresh";
    const state: StackState = {
      project: this.o.project,
      stack: this.o.stack,
      resources: dependencyOrder(this.next),
      outputs: refresh ? this.old.outputs : this.outputs,
      secretOutputs: refresh ? this.old.secretOutputs : this.secretOutputNames,
      providerId: this.providerId,
    };
    this.crypter = saveState(this.o.stateFile, state, this.passphrase, this.crypter);
  }

  private result(): RunResult {
    const outputs: Record<string, unknown> = {};
    const source = this.o.operation === "refresh" ? this.old.outputs : this.outputs;
    const secret = this.o.operation === "refresh" ? this.old.secretOutputs : this.secretOutputNames;
    for (const [k, v] of Object.entries(source)) outputs[k] = secret.includes(k) ? SECRET_MASK : maskUnknown(v);
    const refreshed = this.o.operation === "refresh" || this.o.refresh === true;
    return {
      operation: this.o.operation,
      project: this.o.project,
      stack: this.o.stack,
      refreshSteps: this.refreshSteps,
      steps: this.steps,
      counts: countSteps(this.steps),
      summary: summarize(this.steps, refreshed ? this.refreshSteps : undefined),
      outputs,
      secretOutputs: [...secret],
      errors: [...this.errors],
    };
  }

  private qualifiedConfig(): Record<string, string | SecretValue> {
    const out: Record<string, string | SecretValue> = {};
    for (const [k, v] of Object.entries(this.o.config ?? {})) out[k.includes(":") ? k : `${this.o.project}:${k}`] = v;
    return out;
  }

  private collectSecrets(r: ResourceState): void {
    for (const k of r.secretInputs) this.addSecret(r.inputs[k]);
    for (const k of r.secretOutputs) this.addSecret(r.outputs[k]);
  }

  private collectValues(props: PropertyMap, secretKeys: readonly string[]): void {
    for (const k of secretKeys) this.addSecret(props[k]);
  }

  private addSecret(value: unknown): void {
    if (typeof value === "string") this.secrets.add(value);
    else if (value !== null && typeof value === "object") for (const v of Object.values(value)) this.addSecret(v);
  }

  private requireHost(): ProviderClient {
    if (!this.host) throw new Error("offline runner: provider host not started");
    return this.host;
  }
}

/** The engine's error for a step on a protected resource. */
function protectedError(r: ResourceState, what: "delete" | "replace"): Error {
  return new Error(
    `unable to ${what} resource "${r.urn}" as it is currently marked for protection. To unprotect the resource, remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\``,
  );
}

/** A logged error's first lines, without the stack trace the runtime appends (`    at ...`). */
function withoutStackTrace(message: string): string {
  return message
    .split("\n")
    .filter((l) => !/^\s+at /.test(l))
    .join("\n")
    .trim();
}

function maskUnknown(v: unknown): unknown {
  if (v === UNKNOWN) return UNKNOWN_MASK;
  if (Array.isArray(v)) return v.map(maskUnknown);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskUnknown(x)]));
  return v;
}

function withoutProvider(map: PropertyMap): PropertyMap {
  const { __provider: _p, ...rest } = map;
  return rest;
}

function pick(map: PropertyMap, keys: string[]): PropertyMap {
  return Object.fromEntries(keys.filter((k) => k in map).map((k) => [k, map[k]]));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
