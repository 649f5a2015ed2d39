/**
 * The offline runner: `pulumi preview/up/refresh/destroy` for a stack of dynamic resources, without a
 * Pulumi CLI.
 *
 * What it does. The program runs in this process under Pulumi's own mock runtime
 * (`pulumi.runtime.setMocks`), inside a real root `Stack` resource (`runInPulumiStack`). Its mock
 * `newResource` plays the engine's step generator for every dynamic resource, calling the REAL
 * `@pulumi/pulumi` dynamic-provider host through {@link EngineHost}: `check` (olds = stored inputs),
 * `diff` (olds = stored outputs), then `create` / `update` / replace (a second `check` with empty
 * olds, create-before-delete unless `deleteBeforeReplace`), `read` for refresh and `.get()`, and
 * `delete` for resources gone from the program or replaced. The provider's real outputs are handed
 * back to the program, so exported Outputs resolve to real values. State lives in a JSON file whose
 * secret properties are encrypted (scrypt + AES-256-GCM, see `passphrase-crypter.ts`).
 *
 * Secrets. `additionalSecretOutputs` is invisible to mocks, so a stack transformation
 * (`registerStackTransformation`, which works under mocks once a root Stack exists) records each
 * resource's options; secret outputs = those names + {@link DEFAULT_SECRET_OUTPUTS} + outputs named
 * like a secret input (the engine's rule) + names secret in the previous state. They are returned to
 * the program as `pulumi.secret`, stored encrypted, and printed as `[secret]`.
 *
 * Failures, as the engine records them (checked in pulumi/pulumi `pkg/resource/deploy/step.go`,
 * `step_generator.go`, `pkg/backend/snapshot.go`, `pkg/engine/update.go`). The first failed step
 * halts the run; everything that completed is saved.
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
 *
 * What it does NOT do, compared with the real engine: no other resource kinds than dynamic resources
 * and components (a custom resource of any other type is an error); URNs ignore component parents, so
 * a name must be unique per type; no parallelism limits, `protect`, `retainOnDelete`, aliases,
 * `replaceOnChanges`, `import`, targets or `--continue-on-error`; `ignoreChanges` only for top-level
 * names; deletes run in reverse registration order, not a dependency graph, and a delete-before-replace
 * does not first delete the resources that depend on the replaced one; state is written once, at the
 * end of the run, with no pending-operations record, so a runner killed mid-run forgets what it created
 * in that run (the engine checkpoints after every step); a pending replacement is always finished
 * delete-first, where the engine, when the diff no longer asks for delete-before-replace, creates first
 * and then calls delete once more on the gone resource; a pending delete whose id a
 * live entry holds is dropped, not deleted (only an earlier version of this runner wrote that); the
 * provider's `console` output is kept on the host (`EngineHost.output`) and never printed; no state
 * locking, and one run at a time per process (the mock runtime is global); the state format is its own
 * (not a Pulumi checkpoint). The program's `process.env` is not changed by `env` (that goes to the
 * provider host only).
 */
import * as pulumi from "@pulumi/pulumi";
import { EngineHost, ProviderInitError, UNKNOWN, urnOf, type PropertyMap, type SecretValue } from "./engine-host";
import { changedProperties, countSteps, formatStep, scrub, summarize, SECRET_MASK, UNKNOWN_MASK, type Step, type StepCounts } from "./plan";
import { loadState, saveState, type ResourceState, type StackState } from "./state-file";
import type { PassphraseCrypter } from "./passphrase-crypter";

export type { PropertyChange, Step, StepCounts, StepOp } from "./plan";
export { SECRET_MASK, UNKNOWN_MASK, formatStep } from "./plan";

/** Which command to emulate. */
export type Operation = "preview" | "up" | "refresh" | "destroy";

/**
 * Secret outputs the runner knows per type, on top of what the resource options declare. `key` of
 * the Palette `ApiKey` is listed so it stays secret even if a program constructs the resource in a way
 * the stack transformation cannot see.
 */
export const DEFAULT_SECRET_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
  "pulumi-nodejs:dynamic/palette:ApiKey": ["key"],
};

/** Options for {@link runProgram}. */
export interface RunOptions {
  operation: Operation;
  /** The Pulumi program: constructs resources, returns the stack outputs. Required for preview and up. */
  program?: () => unknown;
  /** The provider host's working directory (the Pulumi project directory). */
  projectDir: string;
  /** State JSON file; created on the first `up`. */
  stateFile: string;
  project: string;
  stack: string;
  /** Stack config, fully qualified keys (`palette:host`); secrets as `{ secret }`. Given to the program and to `configure`. */
  config?: Record<string, string | SecretValue>;
  /** Environment for the provider host, merged over `process.env`. */
  env?: Record<string, string | undefined>;
  /** Encrypts secrets in the state file; default `process.env.PULUMI_CONFIG_PASSPHRASE`. */
  passphrase?: string;
  /** preview/up: refresh every resource from the provider first (`--refresh`). */
  refresh?: boolean;
  /** Fail when anything would change (`--expect-no-changes`). */
  expectNoChanges?: boolean;
  /** Extra secret output names per resource type. */
  secretOutputs?: Record<string, readonly string[]>;
  /** Receives each printable line (already masked) as steps happen. */
  log?: (line: string) => void;
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

/** A resolved Output: its value (or `undefined` when unknown), and whether it is secret / known. */
export interface ResolvedOutput {
  value: unknown;
  secret: boolean;
  known: boolean;
}

/** Resolves any value that may hold Outputs, keeping secretness and knowness (for tests and demos). */
export async function resolveOutput(value: unknown): Promise<ResolvedOutput> {
  const out = pulumi.output(value);
  // `promise(withUnknowns)` is the Output internal that Pulumi's own stack-output code relies on.
  const resolved = await (out as unknown as { promise(withUnknowns: boolean): Promise<unknown> }).promise(true);
  const known = !containsUnknown(resolved);
  return { value: known ? resolved : undefined, secret: await pulumi.isSecret(out), known };
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
  // The mock runtime is process-global state: two runs at once would mix their resources.
  if (running) throw new Error("offline runner: another run is in progress in this process; run one operation at a time");
  running = true;
  try {
    return await new OfflineRun(options).execute();
  } finally {
    running = false;
  }
}

let running = false;

interface RecordedOptions {
  additionalSecretOutputs: string[];
  deleteBeforeReplace: boolean;
  ignoreChanges: string[];
}

type MockArgs = pulumi.runtime.MockResourceArgs;

/** A create the plan decided on: what is recorded if it succeeds (or half-succeeds), and its step. */
interface PlannedCreate {
  base: { urn: string; type: string; name: string };
  inputs: PropertyMap;
  secretInputs: string[];
  secretOutputs: string[];
  step: Step;
}

class OfflineRun {
  private readonly o: RunOptions;
  private readonly passphrase: string | undefined;
  private readonly preview: boolean;
  private host: EngineHost | undefined;
  private old!: StackState;
  private crypter: PassphraseCrypter | undefined;
  /** Resources of the new state, in registration order. */
  private readonly next: ResourceState[] = [];
  private readonly registered = new Set<string>();
  /** Old halves of create-before-delete replacements, deleted after the program. */
  private readonly replaced: ResourceState[] = [];
  private readonly options = new Map<string, RecordedOptions>();
  private readonly secrets = new Set<string>();
  private readonly refreshSteps: Step[] = [];
  private readonly steps: Step[] = [];
  private readonly errors: string[] = [];
  private outputs: Record<string, unknown> = {};
  private secretOutputNames: string[] = [];

  constructor(o: RunOptions) {
    this.o = o;
    this.passphrase = o.passphrase ?? process.env.PULUMI_CONFIG_PASSPHRASE;
    this.preview = o.operation === "preview";
  }

  async execute(): Promise<RunResult> {
    const { o } = this;
    if ((o.operation === "preview" || o.operation === "up") && !o.program) throw new Error(`${o.operation} needs a program`);
    // Checked before anything changes: a missing passphrase must not strand created resources unsaved.
    if (o.operation !== "preview" && this.passphrase === undefined) {
      throw new Error(`${o.operation} writes the state file: set PULUMI_CONFIG_PASSPHRASE (or pass passphrase) to encrypt its secrets`);
    }
    const loaded = loadState(o.stateFile, o.project, o.stack, this.passphrase);
    this.old = this.withoutStalePendingDeletes(loaded.state);
    this.crypter = loaded.crypter;
    for (const r of this.old.resources) this.collectSecrets(r);
    const config = this.qualifiedConfig();
    for (const v of Object.values(config)) if (typeof v !== "string") this.secrets.add(v.secret);

    this.host = await EngineHost.start({ cwd: o.projectDir, env: o.env ?? {}, project: o.project, stack: o.stack });
    try {
      await this.host.configure(config);
      if (o.operation === "refresh" || o.refresh) await this.refreshAll();
      if (o.operation === "preview" || o.operation === "up") await this.runUserProgram(config);
      if (o.operation === "destroy") await this.destroyAll();
    } catch (e) {
      this.fail(e);
    } finally {
      await this.host.close();
    }

    if (o.operation !== "preview") this.save();
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

  private async runUserProgram(config: Record<string, string | SecretValue>): Promise<void> {
    const { o } = this;
    await pulumi.runtime.setMocks(
      { newResource: (args) => this.newResource(args), call: (args) => Promise.reject(new Error(`offline runner: invokes are not supported (${args.token})`)) },
      o.project,
      o.stack,
      this.preview,
    );
    const plain: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [k, v] of Object.entries(config)) {
      plain[k] = typeof v === "string" ? v : v.secret;
      if (typeof v !== "string") secretKeys.push(k);
    }
    pulumi.runtime.setAllConfig(plain, secretKeys);

    let exported: Record<string, unknown> = {};
    try {
      await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((args) => {
          // Custom-resource options; components simply have none of these.
          const opts = args.opts as pulumi.CustomResourceOptions;
          this.options.set(`${args.type}::${args.name}`, {
            additionalSecretOutputs: [...(opts.additionalSecretOutputs ?? [])],
            deleteBeforeReplace: opts.deleteBeforeReplace === true,
            ignoreChanges: [...(opts.ignoreChanges ?? [])],
          });
          return undefined;
        });
        // A throwing program is recorded here, not rethrown: a rejected stack init leaves rejected
        // promises inside the SDK (the stack's outputs) that nobody awaits.
        try {
          const value = (await o.program?.()) ?? {};
          exported = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
        } catch (e) {
          this.fail(e);
        }
        return exported;
      });
    } catch (e) {
      this.fail(e);
    }
    await waitForRegistrations();
    // A failed update keeps the previous stack outputs, as Pulumi does.
    if (this.errors.length === 0) await this.resolveStackOutputs(exported);
    else [this.outputs, this.secretOutputNames] = [this.old.outputs, this.old.secretOutputs];

    if (this.errors.length === 0) await this.deleteLeftovers();
    else this.keepLeftovers();
  }

  /**
   * The engine, as the mock monitor sees it: one call per registered (or read) resource.
   *
   * A failure is recorded, not thrown: a rejected registration leaves rejected promises inside the
   * SDK that nobody awaits. Like the engine, the run then halts: later registrations are answered
   * with their inputs and applied nowhere, so a failed `up` changes nothing more.
   */
  private async newResource(args: MockArgs): Promise<{ id: string | undefined; state: Record<string, unknown> }> {
    if (!args.custom) return { id: undefined, state: args.inputs as Record<string, unknown> };
    if (this.errors.length > 0) {
      this.o.log?.(`   skipped ${args.type} ${args.name} (the ${this.o.operation} already failed)`);
      return { id: undefined, state: {} };
    }
    if (!args.type.startsWith("pulumi-nodejs:dynamic")) {
      this.fail(new Error(`offline runner: only dynamic resources are supported, not ${args.type} (${args.name})`));
      return { id: undefined, state: {} };
    }
    const urn = urnOf({ project: this.o.project, stack: this.o.stack, type: args.type, name: args.name });
    const { values: news, secretKeys } = normalizeInputs(args.inputs as Record<string, unknown>);
    for (const k of secretKeys) this.addSecret(news[k]);
    try {
      if (args.id) return await this.readExternal(urn, args, news, secretKeys);
      return await this.plan(urn, args, news, secretKeys);
    } catch (e) {
      this.fail(e, `${args.name}: `);
      return { id: undefined, state: {} };
    }
  }

  private async plan(urn: string, args: MockArgs, rawNews: PropertyMap, secretInputs: string[]) {
    const host = this.requireHost();
    if (this.registered.has(urn)) throw new Error(`duplicate resource URN ${urn}`);
    this.registered.add(urn);
    const old = this.old.resources.find((r) => r.urn === urn && !r.pendingDelete);
    const opts = this.options.get(`${args.type}::${args.name}`) ?? { additionalSecretOutputs: [], deleteBeforeReplace: false, ignoreChanges: [] };
    const news: PropertyMap = { ...rawNews };
    // ignoreChanges: the engine resets ignored names to their old input values before check.
    for (const k of old ? opts.ignoreChanges : []) {
      if (old && k in old.inputs) news[k] = old.inputs[k];
      else delete news[k];
    }
    const secretOutputs = this.secretOutputsFor(args.type, opts, secretInputs, old);
    const base = { urn, type: args.type, name: args.name };

    const checked = await this.check(urn, old?.inputs ?? {}, news);
    if (!old) {
      const step: Step = { ...base, op: "create", changes: changedProperties({}, withoutProvider(checked), [], secretInputs) };
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
      this.next.push({ ...old, inputs: checked, secretInputs, secretOutputs });
      return this.emit({ ...base, op: "same", id: old.id, changes: [] }, old.id, old.outputs, secretOutputs);
    }
    // A pending replacement is replaced whatever the diff says: its resource is already deleted
    // (step_generator.go: `if diff.Changes == DiffSome || old.PendingReplacement`).
    if (old.pendingReplacement || (changes === "some" && diff.replaces.length > 0)) {
      // The engine checks again with empty olds once it has decided to replace (fresh autoname).
      const fresh = await this.check(urn, {}, news);
      const step: Step = { ...base, op: "replace", changes: changedProperties(old.inputs, fresh, old.secretInputs, secretInputs), replaces: diff.replaces };
      if (this.preview) return this.emit(step, undefined, fresh, secretOutputs);
      const deleteFirst = old.pendingReplacement === true || diff.deleteBeforeReplace || opts.deleteBeforeReplace;
      const planned: PlannedCreate = { base, inputs: fresh, secretInputs, secretOutputs, step };
      const created = deleteFirst ? await this.deleteThenCreate(old, planned) : await this.createThenMarkOld(old, planned);
      return this.emit({ ...step, id: created.id }, created.id, created.outputs, secretOutputs);
    }

    const step: Step = { ...base, op: "update", id: old.id, changes: display };
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
   */
  private async deleteThenCreate(old: ResourceState, planned: PlannedCreate): Promise<{ id: string; outputs: PropertyMap }> {
    if (!old.pendingReplacement) await this.requireHost().delete(old.id, old.urn, old.outputs);
    const placeholder: ResourceState = { ...old, pendingReplacement: true };
    this.next.push(placeholder);
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

  private async readExternal(urn: string, args: MockArgs, inputs: PropertyMap, secretInputs: string[]) {
    const read = await this.requireHost().read(args.id as string, urn, inputs, inputs);
    if (!read.id) throw new Error(`resource '${args.id as string}' does not exist`);
    const opts = this.options.get(`${args.type}::${args.name}`) ?? { additionalSecretOutputs: [], deleteBeforeReplace: false, ignoreChanges: [] };
    const secretOutputs = this.secretOutputsFor(args.type, opts, secretInputs, undefined);
    this.collectValues(read.properties, secretOutputs);
    return this.emit({ urn, type: args.type, name: args.name, op: "read", id: read.id, changes: [] }, read.id, read.properties, secretOutputs);
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
   * and is kept as it is (step.go `RefreshStep.Apply`).
   */
  private async refreshAll(): Promise<void> {
    const host = this.requireHost();
    const kept: ResourceState[] = [];
    for (const r of this.old.resources) {
      if (r.pendingReplacement) {
        kept.push(r);
        continue;
      }
      const base = { urn: r.urn, type: r.type, name: r.name };
      try {
        const read = await host.read(r.id, r.urn, r.outputs, r.inputs);
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
   * runs and resources the program no longer registers, newest first. Like the engine, the first
   * failed delete stops the rest; whatever was not deleted stays in state as it was.
   */
  private async deleteLeftovers(): Promise<void> {
    const gone = this.old.resources.filter((r) => r.pendingDelete || !this.registered.has(r.urn));
    for (const r of [...this.replaced, ...gone.reverse()]) {
      if (r.pendingReplacement) {
        this.dropPendingReplacement(r);
        continue;
      }
      const isReplaced = this.replaced.includes(r);
      if (this.preview) {
        this.record(this.steps, { urn: r.urn, type: r.type, name: r.name, op: "delete", id: r.id, changes: changedProperties(withoutProvider(r.inputs), {}, r.secretInputs, []) });
        continue;
      }
      if (this.errors.length > 0) this.next.push(r);
      else await this.deleteOne(r, !isReplaced);
    }
  }

  /** After a failed program: keep what was not touched, as the engine does when it stops early. */
  private keepLeftovers(): void {
    const present = new Set(this.next.map((r) => r.urn));
    for (const r of this.old.resources) if (!present.has(r.urn) || r.pendingDelete) this.next.push(r);
    this.next.push(...this.replaced);
  }

  private async destroyAll(): Promise<void> {
    for (const r of [...this.old.resources].reverse()) {
      if (r.pendingReplacement) this.dropPendingReplacement(r);
      else if (this.errors.length > 0) this.next.push(r);
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
    this.o.log?.(scrub(`   dropped ${r.type} ${r.name} (id ${r.id}): deleted earlier for a replacement that is no longer wanted`, this.secrets));
  }

  /**
   * Deletes one resource. On failure it stays in state exactly as it was: a pending delete stays
   * pending, a resource gone from the program stays live (the engine leaves a failed delete's state
   * untouched, snapshot.go `deleteSnapshotMutation.End`), so putting it back in the program is a
   * `same`, not a new resource. The old half of a replacement is only logged: its replace step
   * already counts.
   */
  private async deleteOne(r: ResourceState, asStep: boolean): Promise<void> {
    const step: Step = { urn: r.urn, type: r.type, name: r.name, op: "delete", id: r.id, changes: changedProperties(withoutProvider(r.inputs), {}, r.secretInputs, []) };
    try {
      await this.requireHost().delete(r.id, r.urn, r.outputs);
    } catch (e) {
      step.error = this.fail(e, `${r.name}: delete: `);
      this.next.push(r);
    }
    if (asStep || step.error) this.record(this.steps, step);
    else this.o.log?.(scrub(`   deleted the replaced ${r.type} ${r.name} (id ${r.id})`, this.secrets));
  }

  // ---- outputs, secrets, results ---------------------------------------------------------------

  private async resolveStackOutputs(exported: Record<string, unknown>): Promise<void> {
    const outputs: Record<string, unknown> = {};
    const secret: string[] = [];
    for (const [k, v] of Object.entries(exported)) {
      try {
        const r = await resolveOutput(v);
        if (r.value === undefined && r.known) continue;
        outputs[k] = r.known ? r.value : UNKNOWN;
        if (r.secret) {
          secret.push(k);
          this.addSecret(r.value);
        }
      } catch (e) {
        this.fail(e, `stack output ${k}: `);
      }
    }
    this.outputs = outputs;
    this.secretOutputNames = secret;
  }

  private secretOutputsFor(type: string, opts: RecordedOptions, secretInputs: string[], old: ResourceState | undefined): string[] {
    return [
      ...new Set([
        ...opts.additionalSecretOutputs,
        ...(DEFAULT_SECRET_OUTPUTS[type] ?? []),
        ...(this.o.secretOutputs?.[type] ?? []),
        ...secretInputs,
        ...(old?.secretOutputs ?? []),
      ]),
    ];
  }

  /** Records a step, prints it, and answers the mock monitor: secret outputs wrapped as `pulumi.secret`. */
  private emit(step: Step, id: string | undefined, state: PropertyMap, secretOutputs: string[]) {
    this.record(this.steps, step);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(state)) out[k] = secretOutputs.includes(k) ? pulumi.secret(v) : v;
    return { id, state: out };
  }

  private record(list: Step[], step: Step): void {
    list.push(step);
    for (const line of formatStep(step)) this.o.log?.(scrub(line, this.secrets));
  }

  /** Records a failure (scrubbed) once and returns its message. */
  private fail(e: unknown, prefix = ""): string {
    const raw = e instanceof Error ? e.message : String(e);
    const message = scrub(raw.includes(prefix) ? raw : `${prefix}${raw}`, this.secrets);
    // A registration failure resurfaces through the SDK with "failed to register new resource ...".
    if (!this.errors.some((m) => message.includes(m) || m.includes(message))) {
      this.errors.push(message);
      this.o.log?.(`error: ${message}`);
    }
    return message;
  }

  private save(): void {
    const state: StackState = {
      project: this.o.project,
      stack: this.o.stack,
      resources: this.next,
      outputs: this.o.operation === "refresh" ? this.old.outputs : this.outputs,
      secretOutputs: this.o.operation === "refresh" ? this.old.secretOutputs : this.secretOutputNames,
    };
    this.crypter = saveState(this.o.stateFile, state, this.passphrase, this.crypter);
  }

  private result(): RunResult {
    const outputs: Record<string, unknown> = {};
    const source = this.o.operation === "refresh" ? this.old.outputs : this.outputs;
    const secret = this.o.operation === "refresh" ? this.old.secretOutputs : this.secretOutputNames;
    for (const [k, v] of Object.entries(source)) outputs[k] = secret.includes(k) ? SECRET_MASK : v === UNKNOWN ? UNKNOWN_MASK : v;
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

  private requireHost(): EngineHost {
    if (!this.host) throw new Error("offline runner: provider host not started");
    return this.host;
  }
}

/**
 * Mock inputs carry secrets as Pulumi's `{sig, value}` wrapper and unknowns as `pulumi.unknown`; the
 * provider gets plain values and the unknown sentinel string, as the engine sends them
 * (acceptSecrets=false). Secretness is kept per top-level name.
 */
export function normalizeInputs(inputs: Record<string, unknown>): { values: PropertyMap; secretKeys: string[] } {
  const values: PropertyMap = {};
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(inputs)) {
    const { value, secret } = unwrap(v);
    if (value === undefined) continue;
    values[k] = value;
    if (secret) secretKeys.push(k);
  }
  return { values, secretKeys };
}

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function unwrap(v: unknown): { value: unknown; secret: boolean } {
  if (pulumi.isUnknown(v)) return { value: UNKNOWN, secret: false };
  if (Array.isArray(v)) {
    const items = v.map(unwrap);
    return { value: items.map((i) => (i.value === undefined ? null : i.value)), secret: items.some((i) => i.secret) };
  }
  if (v !== null && typeof v === "object") {
    const rec = v as Record<string, unknown>;
    if (rec[SIG_KEY] === SECRET_SIG) return { value: unwrap(rec.value).value, secret: true };
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(rec)) {
      const u = unwrap(x);
      secret ||= u.secret;
      if (u.value !== undefined) out[k] = u.value;
    }
    return { value: out, secret };
  }
  return { value: v, secret: false };
}

function containsUnknown(v: unknown): boolean {
  if (pulumi.isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v !== null && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
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

/** Waits until the SDK has no resource registration in flight (the mock monitor's RPC queue drained). */
async function waitForRegistrations(): Promise<void> {
  // `waitForRPCs` is exported by the runtime's settings module but marked internal in its typings.
  const waitForRPCs = (pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> }).waitForRPCs;
  if (waitForRPCs) await waitForRPCs();
}
