/**
 * The offline runner: `pulumi preview/up/refresh/destroy` for a stack of dynamic resources and
 * resources of provider plugins, without a
 * Pulumi CLI, around Pulumi's own Node.js runtime. This module is its API ({@link runProgram}) and
 * wires the engine's parts, which live in modules cut along the Go engine's seams (named below).
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
 * generator does (`step-generator.ts`, after pkg/resource/deploy/step_generator.go) and executed as
 * its steps are (`steps.ts`, after step.go and step_executor.go, with the failures recorded as the
 * engine records them), against the REAL dynamic-provider host ({@link ProviderClient}): `check`,
 * `diff`, then `create` / `update` / replace, `read` for refresh and `.get()`, and `delete` for
 * resources gone from the program (after the program, in reverse dependency order) or replaced. The
 * runtime sends registrations as their inputs resolve, so independent steps run in parallel and a
 * dependent one only once what it depends on is done. What the run knows, and its checkpoint after
 * every step, is `run-state.ts`; the state is a file in the shape of a Pulumi checkpoint
 * (`state-file.ts`), its secrets encrypted (scrypt + AES-256-GCM, `passphrase-crypter.ts`); which
 * values are secret is `secrets.ts`; Ctrl-C is `cancellation.ts`.
 *
 * Providers, as the engine's registry has them (`provider-registry.ts`, `provider-steps.ts`): a
 * dynamic resource goes to @pulumi/pulumi's dynamic-provider host, started when first needed and
 * configured with the whole stack config; a resource or function of package `<pkg>` goes to the
 * plugin `pulumi-resource-<pkg>` (found as the engine finds it, `plugin-lookup.ts`, and started with
 * the engine's address, `provider-launcher.ts`) through its default provider (registered by the run
 * on first use, its inputs the stack's `<pkg>:` keys) or the explicit provider resource the program
 * names, each its own process, checked, diffed and configured as the engine does.
 *
 * What still differs from the Go engine:
 * - Resources: dynamic resources, resources and functions of provider plugins, components, stack
 *   references and the root stack; builtin `pulumi:` functions are refused; a remote component is
 *   treated as a local one. Reads (`Resource.get`, stack references) are answered but not recorded
 *   in the state as external resources. An import over a resource already in the state (an
 *   import-replacement) is refused.
 * - Providers: the default `pulumi:providers:pulumi-nodejs` provider is written to the state without
 *   inputs, and never diffed. A plugin's version is not matched against the one the program's SDK
 *   asks for (it only names the default provider, `default_<version>`), `Handshake` is not sent
 *   (`Configure` is, as to a plugin that has none) and plugins are not downloaded.
 * - Steps: default providers, components and the stack get none (counts and summaries are of
 *   custom resources and explicit providers only, where `pulumi up` counts the stack too). Deletes run one at a time in reverse
 *   dependency order, not in parallel; `parallel` is handed to the runtime (which honours only 1,
 *   serial) and the engine's own limit on concurrent steps is not applied. A delete-before-replace
 *   does not first delete the resources that depend on the replaced one. A pending replacement is
 *   always finished delete-first, where the engine, when the diff no longer asks for
 *   delete-before-replace, creates first and then calls delete once more on the gone resource. A
 *   pending delete whose id a live entry holds is dropped, not deleted (only an earlier version of
 *   this runner wrote that).
 * - Not implemented (`SupportsFeature` says no where the runtime asks): `deletedWith`,
 *   `replaceWith`, targets, resource hooks, transforms; `aliasSpecs` is off, so the runtime sends
 *   alias URNs it computed; `ignoreChanges` and `replaceOnChanges` take top-level names only.
 * - State: written after every step, as the engine checkpoints, but with no pending-operations record:
 *   a runner killed during a create forgets the resource that create was making; no state locking, one
 *   run at a time per process. Secrets are encrypted by the runner's own passphrase
 *   crypter, not Pulumi's (see `state-file.ts`).
 * - Programs: a function program runs in this process (as an Automation API inline program does); one
 *   that throws is caught before the runtime's Stack sees it. A program file runs with ts-node in
 *   transpile-only mode by default. What a program file prints is shown only when it fails; the
 *   providers' output is kept (`ProviderClient.output`, `RunOptions.providerOutput`) and never printed.
 */
import type { SecretValue } from "./provider-client";
import { providerLauncher } from "./provider-launcher";
import { isProviderType, ProviderRegistry } from "./provider-registry";
import { ProviderSteps } from "./provider-steps";
import { abandon, Cancellation, onInterrupt } from "./cancellation";
import { runInlineProgram, runProgramFile, type ProgramRun } from "./language-host";
import { MonitorServer, type Deployment, type LogSeverity } from "./resource-monitor";
import { RunFailedError, type RunOptions, type RunResult } from "./run-api";
import { RunState } from "./run-state";
import { programConfig } from "./secrets";
import { StepExecutor } from "./steps";
import { StepGenerator } from "./step-generator";

export type { Operation, RunOptions, RunResult } from "./run-api";
export { RunFailedError } from "./run-api";
export type { PropertyChange, Step, StepCounts, StepOp } from "./render-steps";
export { SECRET_MASK, UNKNOWN_MASK, formatStep } from "./render-steps";

/**
 * A program that `require`s a module afresh on each run and returns its exports, for programs written
 * as a module with top-level `export const`. (Under jest, whose module registry is its own, prefer a
 * function program.)
 */
export function moduleProgram(modulePath: string): () => unknown {
  return () => {
    const resolved = require.resolve(modulePath);
    delete require.cache[resolved];
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a program module found at run time
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

let running = false;

/** What `pulumi up` sends as `--parallel` when none is given. */
const UNBOUNDED_PARALLEL = 2147483647;

/** One run: its state, and the parts that work on it once the provider has started. */
class OfflineRun {
  private readonly state: RunState;

  constructor(o: RunOptions) {
    this.state = new RunState(o);
  }

  /** A second SIGINT/SIGTERM: stop at once (see `cancellation.ts`). */
  abandon(name: NodeJS.Signals): never {
    return abandon(this.state, name);
  }

  async execute(): Promise<RunResult> {
    const { state } = this;
    const { o } = state;
    if ((o.operation === "preview" || o.operation === "up") && !o.program && !o.programFile) throw new Error(`${o.operation} needs a program`);
    // Checked before anything changes: a missing passphrase must not strand created resources unsaved.
    if (o.operation !== "preview" && state.passphrase === undefined) {
      throw new Error(`${o.operation} writes the state file: set PULUMI_CONFIG_PASSPHRASE (or pass passphrase) to encrypt its secrets`);
    }
    state.load();
    const config = qualifiedConfig(o);
    state.secrets.addConfig(config);

    // The engine service is up for every operation: plugins get its address and may log to it.
    const started: { generator?: StepGenerator } = {};
    const monitor = await MonitorServer.start(this.deployment(() => started.generator));
    const launcher = providerLauncher({
      projectDir: o.projectDir,
      project: o.project,
      stack: o.stack,
      config,
      env: o.env ?? {},
      engineAddress: monitor.address,
      ownProcessGroup: o.cancelOnSignals === true,
    });
    const registry = new ProviderRegistry(launcher, () => state.old.resources.filter((r) => isProviderType(r.type)));
    const steps = new StepExecutor(state, registry);
    const generator = new StepGenerator(state, registry, steps, new ProviderSteps(state, registry, steps, config));
    started.generator = generator;
    const cancellation = new Cancellation(state, registry);
    const cancel = (): void => cancellation.cancel();
    o.signal?.addEventListener("abort", cancel, { once: true });
    if (o.signal?.aborted === true) cancel();
    try {
      if (o.operation === "refresh" || o.refresh) await generator.refreshAll();
      if (o.operation === "preview" || o.operation === "up") await this.runUserProgram(generator, monitor.address, config);
      if (o.operation === "destroy") await generator.destroyAll();
    } catch (e) {
      state.fail(e);
    } finally {
      o.signal?.removeEventListener("abort", cancel);
      await monitor.close();
      await registry.close();
      if (o.providerOutput) for (const out of await registry.outputs()) o.providerOutput(`${out.stdout}${out.stderr}`);
    }

    if (o.operation !== "preview") state.save();
    cancellation.complete();
    const result = state.result();
    if (o.expectNoChanges && state.errors.length === 0) {
      const changed = [...result.refreshSteps, ...result.steps].filter((s) => s.op !== "same" && s.op !== "read");
      if (changed.length > 0) {
        const error = `expected no changes, found ${changed.map((s) => `${s.op} ${s.name}`).join(", ")}`;
        state.errors.push(error);
        result.errors.push(error);
        o.log?.(`error: ${error}`);
      }
    }
    if (result.errors.length > 0) throw new RunFailedError(result);
    return result;
  }

  /** What the resource monitor delegates to: the step generator (once there is one), and the engine's log for the program's and the plugins' messages. */
  private deployment(generator: () => StepGenerator | undefined): Deployment {
    const steps = (): StepGenerator => {
      const g = generator();
      if (!g) throw new Error("offline runner: a resource monitor call before the run started");
      return g;
    };
    return {
      registerResource: (reg) => steps().registerResource(reg),
      readResource: (req) => steps().readResource(req),
      invoke: (call) => steps().invoke(call),
      registerResourceOutputs: (urn, outputs, secretKeys) => steps().registerResourceOutputs(urn, outputs, secretKeys),
      log: (severity, message, urn) => this.log(severity, message, urn),
    };
  }

  /** The program pass (preview / up): the program runs, then the deletes it leaves are generated. */
  private async runUserProgram(generator: StepGenerator, monitorAddress: string, config: Record<string, string | SecretValue>): Promise<void> {
    const { state } = this;
    const { o } = state;
    const { plain, secretKeys } = programConfig(config);
    const run: ProgramRun = {
      monitorAddress,
      project: o.project,
      stack: o.stack,
      ...(o.organization ? { organization: o.organization } : {}),
      pwd: o.projectDir,
      dryRun: state.preview,
      parallel: o.parallel ?? UNBOUNDED_PARALLEL,
      config: plain,
      secretKeys,
    };
    const stop = new AbortController();
    void state.halted.then(async () => {
      await state.settleInflight();
      stop.abort();
    });
    let failure: string | undefined;
    if (o.programFile) {
      const exit = await runProgramFile(o.programFile, run, o.env, stop.signal, o.cancelOnSignals === true);
      if (stop.signal.aborted) exit.code = 0;
      if (exit.code !== 0) failure = state.programErrors.length > 0 ? undefined : `the program exited with code ${String(exit.code)}: ${exit.output.trim().split("\n").slice(-5).join("\n")}`;
    } else if (o.program) {
      failure = await runInlineProgram(o.program, run, stop.signal);
    }
    // The engine waits for the steps in flight before it ends the update.
    await state.settleInflight();
    if (state.errors.length === 0) {
      for (const m of state.programErrors) state.fail(new Error(m));
      if (failure !== undefined && state.programErrors.length === 0) state.fail(new Error(failure));
    }

    // A failed update keeps the previous stack outputs, as Pulumi does.
    if (state.errors.length === 0) state.takeStackOutputs();
    else state.keepOldOutputs();

    if (state.errors.length === 0 || (o.continueOnError && !state.cancelled)) await generator.deleteLeftovers();
    else generator.keepLeftovers();
  }

  /**
   * The engine's `Log`, from the program and from the plugins (their address for it is the same):
   * the program's errors count as its failure; warnings and info are printed as the CLI's
   * diagnostics are, under the resource they are about (`  palette:index:ApiKey (ci):` then
   * `    warning: ...`).
   */
  private log(severity: LogSeverity, message: string, urn: string): void {
    if (severity === "debug") return;
    const text = this.state.secrets.scrub(withoutStackTrace(message));
    if (severity === "error") {
      this.state.programErrors.push(text);
      return;
    }
    const line = `${severity === "warning" ? "warning" : "info"}: ${text}`;
    const resource = resourceOf(urn);
    if (resource === undefined) return this.state.o.log?.(line);
    this.state.o.log?.(`  ${resource}:`);
    this.state.o.log?.(line.replace(/^/gm, "    "));
  }
}

/** The stack config with every key qualified by the project (`host` -> `<project>:host`). */
function qualifiedConfig(o: RunOptions): Record<string, string | SecretValue> {
  const out: Record<string, string | SecretValue> = {};
  for (const [k, v] of Object.entries(o.config ?? {})) out[k.includes(":") ? k : `${o.project}:${k}`] = v;
  return out;
}

/** How the CLI names the resource of a URN (`urn:pulumi:<stack>::<project>::<parent$type>::<name>`): `<type> (<name>)`. */
export function resourceOf(urn: string): string | undefined {
  const parts = urn.split("::");
  if (parts.length < 4) return undefined;
  const type = (parts[2] ?? "").split("$").at(-1) ?? "";
  return `${type} (${parts.slice(3).join("::")})`;
}

/** A logged error's first lines, without the stack trace the runtime appends (`    at ...`). */
function withoutStackTrace(message: string): string {
  return message
    .split("\n")
    .filter((l) => !/^\s+at /.test(l))
    .join("\n")
    .trim();
}
