/**
 * The steps the runner applies and how each is executed against the provider, as the engine's
 * pkg/resource/deploy/step.go (`SameStep`, `CreateStep`, `UpdateStep`, `ReplaceStep`, `DeleteStep`,
 * `RemovePendingReplaceStep`, `RefreshStep`, `ReadStep`) and step_executor.go do it. The step
 * generator (`step-generator.ts`) decides which step a resource gets; this module runs it, records
 * what it left in the run state and answers the resource monitor.
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
 */
import { ProviderInitError, type ProviderClient } from "./provider-client";
import { isProviderType, type ProviderRegistry } from "./provider-registry";
import { changedProperties, type Step } from "./render-steps";
import { MonitorShuttingDown, type Answer, type ReadRequest } from "./resource-monitor";
import type { RunState } from "./run-state";
import { secretOutputNames } from "./secrets";
import type { ResourceState } from "./state-file";
import { markSecrets, type PropertyMap } from "./wire-values";

/** A step the generator decided on: what is recorded if it succeeds (or half-succeeds), and its step to report. */
export interface PlannedStep {
  base: Pick<ResourceState, "urn" | "type" | "name" | "parent" | "dependencies" | "protect" | "retainOnDelete" | "provider" | "importId">;
  inputs: PropertyMap;
  secretInputs: string[];
  secretOutputs: string[];
  step: Step;
}

/** Runs steps against the run's providers, recording them in one run's state. */
export class StepExecutor {
  constructor(
    private readonly state: RunState,
    private readonly providers: ProviderRegistry,
  ) {}

  /**
   * Runs one resource's step unless the run is halting: after a failed step no new step starts (or,
   * with `continueOnError`, none whose dependencies failed). A failure is recorded once and goes back
   * to the runtime, which fails the program, as the engine's step executor does.
   */
  async execute(urn: string, reg: { name: string; type: string; parent: string; dependencies: string[] }, run: () => Promise<Answer>): Promise<Answer> {
    const { state } = this;
    const blockedBy = state.cancelled
      ? ""
      : state.o.continueOnError
        ? [reg.parent, ...reg.dependencies].find((d) => state.failed.has(d))
        : state.errors.length > 0
          ? ""
          : undefined;
    if (blockedBy !== undefined) {
      state.failed.add(urn);
      const why = blockedBy ? `it depends on ${blockedBy}, which failed` : `the ${state.o.operation} ${state.cancelled ? "was cancelled" : "already failed"}`;
      state.o.log?.(`   skipped ${reg.type} ${reg.name} (${why})`);
      throw this.halt(`${reg.name}: skipped: ${why}`);
    }
    try {
      return await state.track(reg.name, run());
    } catch (e) {
      state.failed.add(urn);
      // What the failed step left (a half-made resource, a pending replacement) is on disk first.
      state.checkpoint();
      throw this.halt(state.fail(e, `${reg.name}: `));
    }
  }

  /** Checkpoints, records and prints a step, and answers the monitor: secret outputs are sent back secret. */
  emit(step: Step, id: string | undefined, outputs: PropertyMap, secretOutputs: string[]): Answer {
    if (step.op !== "read") this.state.checkpoint();
    this.state.record(this.state.steps, step);
    return { urn: step.urn, ...(id !== undefined ? { id } : {}), outputs, secretOutputs: secretOutputs.filter((k) => k in outputs) };
  }

  /** `SameStep`: the old resource goes on as it is, under the program's new registration. */
  same(old: ResourceState, { base, inputs, secretInputs, secretOutputs, step }: PlannedStep): Answer {
    this.state.next.push({ ...old, ...base, inputs, secretInputs, secretOutputs });
    return this.emit(step, old.id, old.outputs, secretOutputs);
  }

  /** `CreateStep` of a new resource. */
  async create(planned: PlannedStep): Promise<Answer> {
    const created = await this.createResource(planned);
    return this.emit({ ...planned.step, id: created.id }, created.id, created.outputs, created.secretOutputs);
  }

  /** `UpdateStep`: in place, under the old id. */
  async update(old: ResourceState, { base, inputs, secretInputs, secretOutputs, step }: PlannedStep): Promise<Answer> {
    try {
      const provider = await this.providers.forResource(base.provider);
      const updated = await provider.update(old.id, base.urn, outputsOf(old), markSecrets(inputs, secretInputs), inputsOf(old));
      const secret = union(secretOutputs, updated.secretOutputs);
      this.state.secrets.addNamed(updated.properties, secret);
      this.state.next.push({ ...base, id: old.id, inputs, outputs: updated.properties, secretInputs, secretOutputs: secret });
      return this.emit(step, old.id, updated.properties, secret);
    } catch (e) {
      // A half-applied update keeps the OLD inputs beside the new outputs (engine/update.go,
      // OnResourceStepPost, pulumi#2011): the resource was not updated to the new inputs, and the
      // next `up` diffs the program against what the provider says now exists.
      if (e instanceof ProviderInitError) {
        const secret = union(secretOutputs, e.secretOutputs);
        this.state.secrets.addNamed(e.properties, secret);
        this.state.next.push({ ...old, id: e.id || old.id, outputs: e.properties, secretOutputs: secret, initErrors: e.reasons });
      } else this.state.next.push(old);
      throw e;
    }
  }

  /** `ReplaceStep`: create-before-delete, or delete-before-replace when `deleteFirst`. */
  async replace(old: ResourceState, planned: PlannedStep, deleteFirst: boolean): Promise<Answer> {
    const created = deleteFirst ? await this.deleteThenCreate(old, planned) : await this.createThenMarkOld(old, planned);
    return this.emit({ ...planned.step, id: created.id }, created.id, created.outputs, created.secretOutputs);
  }

  /** `ReadStep` (`Resource.get`): a read of an existing resource; the engine keeps it as an external resource. */
  async read(urn: string, req: ReadRequest, providerRef: string | undefined): Promise<Answer> {
    const provider = await this.providers.forResource(providerRef);
    const read = await provider.read(req.id, urn, markSecrets(req.inputs, req.secretInputs), markSecrets(req.inputs, req.secretInputs));
    if (!read.id) throw new Error(`resource '${req.id}' does not exist`);
    const secretOutputs = union(secretOutputNames(req), read.secretOutputs);
    this.state.secrets.addNamed(read.properties, secretOutputs);
    return this.emit({ urn, type: req.type, name: req.name, op: "read", id: read.id, changes: [] }, read.id, read.properties, secretOutputs);
  }

  /**
   * `RefreshStep`: reads one stored resource and records what changed. Returns the entry to keep:
   * as read, as it was when the read failed, or none when the resource is gone.
   */
  async refresh(r: ResourceState): Promise<ResourceState | undefined> {
    const { state } = this;
    const base = { urn: r.urn, type: r.type, name: r.name };
    try {
      const provider = await this.providers.forResource(r.provider);
      const read = await state.track(r.name, provider.read(r.id, r.urn, outputsOf(r), inputsOf(r)));
      if (!read.id) {
        state.record(state.refreshSteps, { ...base, op: "delete", id: r.id, changes: changedProperties(withoutProvider(r.outputs), {}, r.secretOutputs, []) });
        return undefined;
      }
      const secretOutputs = union(r.secretOutputs, read.secretOutputs);
      const secretInputs = union(r.secretInputs, read.secretInputs);
      state.secrets.addNamed(read.properties, secretOutputs);
      state.secrets.addNamed(read.inputs, secretInputs);
      const changes = changedProperties(r.outputs, read.properties, r.secretOutputs, secretOutputs);
      state.record(state.refreshSteps, { ...base, op: changes.length > 0 ? "refresh-drift" : "same", id: read.id, changes });
      return { ...r, id: read.id, outputs: read.properties, inputs: read.inputs, secretOutputs, secretInputs };
    } catch (e) {
      state.record(state.refreshSteps, { ...base, op: "same", id: r.id, changes: [], error: state.fail(e, `${r.name}: refresh: `) });
      return r;
    }
  }

  /** A preview's `DeleteStep`: reported, nothing called (a component has no step). */
  previewDelete(r: ResourceState): void {
    if (r.custom !== false) this.state.record(this.state.steps, deleteStep(r));
  }

  /**
   * `DeleteStep` of one resource. On failure it stays in state exactly as it was: a pending delete
   * stays pending, a resource gone from the program stays live (the engine leaves a failed delete's
   * state untouched, snapshot.go `deleteSnapshotMutation.End`), so putting it back in the program is
   * a `same`, not a new resource. The old half of a replacement is only logged: its replace step
   * already counts. A component only leaves the state; a protected resource is not deleted (the step
   * fails); one retained on delete leaves the state without a provider call.
   */
  async delete(r: ResourceState, asStep: boolean): Promise<void> {
    const { state } = this;
    state.deleted.add(r);
    if (r.custom === false) return;
    const step = deleteStep(r);
    try {
      if (r.protect && !r.pendingDelete) throw protectedError(r, "delete");
      if (r.retainOnDelete) state.say(`   retained ${r.type} ${r.name} (id ${r.id}): retainOnDelete, so it only leaves the state`);
      else if (isProviderType(r.type)) await this.providers.delete(r.urn, r.id);
      else await state.track(r.name, this.deleteResource(r));
    } catch (e) {
      step.error = state.fail(e, `${r.name}: delete: `);
      state.deleted.delete(r);
      state.next.push(r);
    }
    state.checkpoint();
    // The CLI hides default providers' steps.
    if (isDefaultProvider(r) && !step.error) return;
    if (asStep || step.error) state.record(state.steps, step);
    else state.say(`   deleted the replaced ${r.type} ${r.name} (id ${r.id})`);
  }

  /**
   * `RemovePendingReplaceStep`: a pending replacement the program no longer wants is already
   * deleted, so it leaves the state without a provider call.
   */
  removePendingReplacement(r: ResourceState): void {
    if (this.state.preview) return;
    this.state.deleted.add(r);
    this.state.say(`   dropped ${r.type} ${r.name} (id ${r.id}): deleted earlier for a replacement that is no longer wanted`);
  }

  /**
   * The error a refused or failed step answers with: without `continueOnError` the monitor shuts
   * down (the runtime stops quietly); with it, a plain error fails only this resource's outputs, and
   * so the resources that use them.
   */
  private halt(message: string): Error {
    if (this.state.o.continueOnError) return new Error(message);
    this.state.stop();
    return new MonitorShuttingDown(message);
  }

  /**
   * Create-before-delete (step.go `CreateStep.Apply`): the old resource becomes a pending delete only
   * once its replacement exists, also when the create failed half-way with an id (the new one is
   * then recorded with init errors). A create that made nothing leaves the old resource as it was.
   */
  private async createThenMarkOld(old: ResourceState, planned: PlannedStep): Promise<Created> {
    try {
      const created = await this.createResource(planned);
      this.state.replaced.push({ ...old, pendingDelete: true });
      return created;
    } catch (e) {
      if (e instanceof ProviderInitError) this.state.replaced.push({ ...old, pendingDelete: true });
      throw e;
    }
  }

  /**
   * Delete-before-replace (step.go `DeleteStep.Apply` with `pendingReplacement`): a failed delete
   * changes nothing; once the delete succeeded the old entry stays as a pending replacement until
   * the new resource exists, so a failed create leaves a record that the next `up` must create it.
   * A resource retained on delete is left to exist, and is not recorded as a pending replacement.
   */
  private async deleteThenCreate(old: ResourceState, planned: PlannedStep): Promise<Created> {
    const { state } = this;
    if (old.retainOnDelete && !old.pendingReplacement) return this.createResource(planned);
    if (!old.pendingReplacement) await this.deleteResource(old);
    const placeholder: ResourceState = { ...old, pendingReplacement: true };
    state.next.push(placeholder);
    state.checkpoint();
    // snapshot.go createSnapshotMutation.End: the pending replacement goes once the new one is recorded.
    const drop = (): void => {
      state.next.splice(state.next.indexOf(placeholder), 1);
    };
    try {
      const created = await this.createResource(planned);
      drop();
      return created;
    } catch (e) {
      if (e instanceof ProviderInitError) drop();
      throw e;
    }
  }

  private async createResource({ base, inputs, secretInputs, secretOutputs, step }: PlannedStep): Promise<Created> {
    try {
      const provider = await this.providers.forResource(base.provider);
      const created = await provider.create(base.urn, markSecrets(inputs, secretInputs));
      const secret = union(secretOutputs, created.secretOutputs);
      this.state.secrets.addNamed(created.properties, secret);
      this.state.next.push({ ...base, id: created.id, inputs, outputs: created.properties, secretInputs, secretOutputs: secret });
      return { id: created.id, outputs: created.properties, secretOutputs: secret };
    } catch (e) {
      // The engine records a half-made resource so the next `up` can update (or delete) it.
      if (e instanceof ProviderInitError) {
        const secret = union(secretOutputs, e.secretOutputs);
        this.state.secrets.addNamed(e.properties, secret);
        this.state.next.push({ ...base, id: e.id, inputs, outputs: e.properties, secretInputs, secretOutputs: secret, initErrors: e.reasons });
        step.id = e.id;
      }
      throw e;
    }
  }

  /** The provider's `Delete` of a stored resource, its outputs and inputs sent with their secrets. */
  private async deleteResource(r: ResourceState): Promise<void> {
    const provider: ProviderClient = await this.providers.forResource(r.provider);
    await provider.delete(r.id, r.urn, outputsOf(r), inputsOf(r));
  }
}

/** What a create made: its id, outputs and the names of the secret ones. */
interface Created {
  id: string;
  outputs: PropertyMap;
  secretOutputs: string[];
}

/** A stored resource's outputs and inputs as a provider is sent them: secrets in wire form. */
function outputsOf(r: ResourceState): PropertyMap {
  return markSecrets(r.outputs, r.secretOutputs);
}

function inputsOf(r: ResourceState): PropertyMap {
  return markSecrets(r.inputs, r.secretInputs);
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/** A default provider (`pulumi:providers:<pkg>::default...`), which the engine registers and the CLI does not show. */
export function isDefaultProvider(r: { type: string; name: string }): boolean {
  return isProviderType(r.type) && /^default(_|$)/.test(r.name);
}

/** The engine's error for a step on a protected resource. */
export function protectedError(r: ResourceState, what: "delete" | "replace"): Error {
  return new Error(
    `unable to ${what} resource "${r.urn}" as it is currently marked for protection. To unprotect the resource, remove the \`protect\` flag from the resource in your Pulumi program and run \`pulumi up\``,
  );
}

/** Properties without the serialized provider, which a create or delete step does not list as a change. */
export function withoutProvider(map: PropertyMap): PropertyMap {
  const { __provider: _p, ...rest } = map;
  return rest;
}

/** The delete step of a stored resource: its inputs, going. */
function deleteStep(r: ResourceState): Step {
  return { urn: r.urn, type: r.type, name: r.name, op: "delete", id: r.id, changes: changedProperties(withoutProvider(r.inputs), {}, r.secretInputs, []) };
}
