/**
 * The runner's step generator, after the engine's pkg/resource/deploy/step_generator.go: from each
 * registration the program sends and the old state it decides which step the resource gets. It
 * computes the URN (the parent's type chain, aliases), applies `ignoreChanges`, asks the provider
 * to `check` (olds = stored inputs) and `diff` (olds = stored outputs), and chooses same, create,
 * update or replace (a second `check` with empty olds, create-before-delete unless
 * `deleteBeforeReplace` or the provider asks). Components are recorded without a step; reads
 * (`Resource.get`) and `StackReference`s are answered; a `StackReference` reads the state file of
 * the stack named in `stackReferences`, as the engine's builtin provider reads the backend, its
 * secret outputs arriving secret.
 *
 * It also generates the passes around the program: the refresh pass before it, the deletes after it
 * (`GenerateDeletes`: old halves of replacements, pending deletes and resources the program no
 * longer registers, dependents first) and destroy. What each step does is `steps.ts`.
 */
import { dependencyOrder } from "./dependency-order";
import type { ProviderClient } from "./provider-client";
import { changedProperties, type Step } from "./render-steps";
import type { Answer, ReadRequest, Registration } from "./resource-monitor";
import type { RunState } from "./run-state";
import { markSecrets, secretOutputNames } from "./secrets";
import { loadStackOutputs, type ResourceState } from "./state-file";
import { protectedError, withoutProvider, type PlannedStep, type StepExecutor } from "./steps";
import type { PropertyMap } from "./wire-values";

const STACK_TYPE = "pulumi:pulumi:Stack";
const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";
const DYNAMIC_PREFIX = "pulumi-nodejs:dynamic";

/** Decides the steps of one run; {@link StepExecutor} runs them. */
export class StepGenerator {
  private stackUrn: string;

  constructor(
    private readonly state: RunState,
    private readonly provider: ProviderClient,
    private readonly steps: StepExecutor,
  ) {
    const { project, stack } = state.o;
    this.stackUrn = `urn:pulumi:${stack}::${project}::${STACK_TYPE}::${project}-${stack}`;
  }

  // ---- the resource monitor's calls -----------------------------------------------------------

  async registerResource(reg: Registration): Promise<Answer> {
    if (reg.type === STACK_TYPE && !reg.parent) {
      this.stackUrn = this.urnFor(reg.type, reg.name, "");
      return { urn: this.stackUrn, outputs: {}, secretOutputs: [] };
    }
    const urn = this.urnFor(reg.type, reg.name, reg.parent);
    if (!reg.custom) return this.component(urn, reg);
    return this.steps.execute(urn, reg, async () => {
      if (!reg.type.startsWith(DYNAMIC_PREFIX)) throw new Error(`offline runner: only dynamic resources are supported, not ${reg.type} (${reg.name})`);
      if (reg.provider) throw new Error(`offline runner: explicit providers are not supported (${reg.name} names ${reg.provider})`);
      if (reg.importId) throw new Error(`offline runner: import is not supported (${reg.name})`);
      this.state.secrets.addNamed(reg.inputs, reg.secretInputs);
      return this.plan(urn, reg);
    });
  }

  async readResource(req: ReadRequest): Promise<Answer> {
    const urn = this.urnFor(req.type, req.name, req.parent);
    if (req.type === STACK_REFERENCE_TYPE) return this.readStackReference(urn, req);
    return this.steps.execute(urn, { ...req, parent: req.parent }, async () => {
      if (!req.type.startsWith(DYNAMIC_PREFIX)) throw new Error(`offline runner: only dynamic resources can be read, not ${req.type} (${req.name})`);
      this.state.secrets.addNamed(req.inputs, req.secretInputs);
      return this.steps.read(urn, req);
    });
  }

  registerResourceOutputs(urn: string, outputs: PropertyMap, secretKeys: string[]): void {
    if (urn === this.stackUrn) {
      this.state.stackOutputs = { values: outputs, secretKeys };
      this.state.secrets.addNamed(outputs, secretKeys);
      return;
    }
    const component = this.state.next.find((r) => r.urn === urn && r.custom === false);
    if (component) Object.assign(component, { outputs, secretOutputs: secretKeys });
  }

  // ---- refresh, deletes, destroy -------------------------------------------------------------

  /**
   * Reads every resource, pending deletes included (the engine refreshes them too, so one deleted out
   * of band is dropped instead of failing the next delete). A pending replacement is already deleted
   * and is kept as it is (step.go `RefreshStep.Apply`); components have nothing to read.
   */
  async refreshAll(): Promise<void> {
    const { state } = this;
    const kept: ResourceState[] = [];
    for (const r of state.old.resources) {
      // After a cancel no new read starts: the rest stays as it was.
      if (r.pendingReplacement || r.custom === false || state.cancelled) {
        kept.push(r);
        continue;
      }
      const refreshed = await this.steps.refresh(r);
      if (refreshed) kept.push(refreshed);
    }
    state.old = { ...state.old, resources: kept };
    if (state.o.operation === "refresh") state.next.push(...kept);
  }

  /**
   * After the program: delete the old halves replaced in this run, then pending deletes from earlier
   * runs and resources the program no longer registers, dependents before what they depend on. Like
   * the engine, the first failed delete stops the rest (unless `continueOnError`); whatever was not
   * deleted stays in state as it was.
   */
  async deleteLeftovers(): Promise<void> {
    const { state } = this;
    const gone = dependencyOrder(state.old.resources).filter((r) => r.pendingDelete || !state.registered.has(r.urn));
    for (const r of [...state.replaced, ...gone.reverse()]) {
      if (r.pendingReplacement) {
        this.steps.removePendingReplacement(r);
        continue;
      }
      const isReplaced = state.replaced.includes(r);
      if (state.preview) this.steps.previewDelete(r);
      else if (state.errors.length > 0 && !state.o.continueOnError) state.next.push(r);
      else await this.steps.delete(r, !isReplaced);
    }
  }

  /** After a failed program: keep what was not touched, as the engine does when it stops early. */
  keepLeftovers(): void {
    this.state.next.splice(0, this.state.next.length, ...this.state.snapshot());
  }

  /** `destroy`: every resource deleted, dependents first; a failure (or a cancel) keeps the rest. */
  async destroyAll(): Promise<void> {
    const { state } = this;
    for (const r of dependencyOrder(state.old.resources).reverse()) {
      if (r.pendingReplacement) this.steps.removePendingReplacement(r);
      else if ((state.errors.length > 0 && !state.o.continueOnError) || state.cancelled) state.next.push(r);
      else await this.steps.delete(r, true);
    }
    state.outputs = {};
    state.secretOutputNames = [];
  }

  // ---- deciding a resource's step ------------------------------------------------------------

  /**
   * A `StackReference`, as the engine's builtin provider reads it: `outputs` with each secret output
   * in the secret signature, and `secretOutputNames`.
   */
  private readStackReference(urn: string, req: ReadRequest): Answer {
    const ref = this.state.o.stackReferences?.[req.id];
    if (!ref) throw new Error(`offline runner: unknown stack ${req.id} for StackReference ${req.name}: pass its state file in stackReferences`);
    const stack = loadStackOutputs(ref.stateFile, ref.passphrase ?? this.state.passphrase);
    this.state.secrets.addNamed(stack.outputs, stack.secretOutputs);
    const outputs = markSecrets(stack.outputs, stack.secretOutputs);
    return { urn, id: req.id, outputs: { name: req.id, outputs, secretOutputNames: stack.secretOutputs }, secretOutputs: [] };
  }

  /** A component: recorded with its parent and dependencies; no provider, no step. */
  private component(urn: string, reg: Registration): Answer {
    if (this.state.registered.has(urn)) throw new Error(`duplicate resource URN ${urn}`);
    const old = this.findOld(urn, reg.aliases);
    this.claim(urn, old);
    this.state.next.push({
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
    return `urn:pulumi:${this.state.o.stack}::${this.state.o.project}::${qualified}::${name}`;
  }

  private findOld(urn: string, aliases: readonly string[]): ResourceState | undefined {
    const { resources } = this.state.old;
    return resources.find((r) => r.urn === urn && !r.pendingDelete) ?? resources.find((r) => aliases.includes(r.urn) && !r.pendingDelete);
  }

  private claim(urn: string, old: ResourceState | undefined): void {
    this.state.registered.add(urn);
    if (!old) return;
    this.state.registered.add(old.urn);
    if (old.urn !== urn) this.state.aliasedTo.set(old.urn, urn);
  }

  private async plan(urn: string, reg: Registration): Promise<Answer> {
    const { state, steps } = this;
    if (state.registered.has(urn)) throw new Error(`duplicate resource URN ${urn}`);
    const old = this.findOld(urn, reg.aliases);
    this.claim(urn, old);
    const { secretInputs } = reg;
    const news: PropertyMap = { ...reg.inputs };
    // ignoreChanges: the engine resets ignored names to their old input values before check.
    for (const k of old ? reg.ignoreChanges : []) {
      if (old && k in old.inputs) news[k] = old.inputs[k];
      else delete news[k];
    }
    const secretOutputs = secretOutputNames(reg);
    const base: PlannedStep["base"] = {
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
      if (state.preview) return steps.emit(step, undefined, checked, secretOutputs);
      return steps.create({ base, inputs: checked, secretInputs, secretOutputs, step });
    }

    const diff = await this.provider.diff(old.id, urn, old.outputs, checked, old.inputs);
    let changes = diff.changes;
    if (changes === "unknown") changes = JSON.stringify(sortKeys(old.inputs)) === JSON.stringify(sortKeys(checked)) ? "none" : "some";
    const shown = changedProperties(old.inputs, checked, old.secretInputs, secretInputs);
    const display = shown.length > 0 ? shown : changedProperties(pick(old.outputs, Object.keys(checked)), checked, old.secretOutputs, secretInputs);

    if (changes === "none" && !old.initErrors?.length && !old.pendingReplacement) {
      return steps.same(old, { base, inputs: checked, secretInputs, secretOutputs, step: { ...stepBase, op: "same", id: old.id, changes: [] } });
    }
    // A pending replacement is replaced whatever the diff says: its resource is already deleted
    // (step_generator.go: `if diff.Changes == DiffSome || old.PendingReplacement`).
    if (old.pendingReplacement || (changes === "some" && diff.replaces.length > 0)) {
      if (old.protect && !old.pendingReplacement) throw protectedError(old, "replace");
      // The engine checks again with empty olds once it has decided to replace (fresh autoname).
      const fresh = await this.check(urn, {}, news);
      const step: Step = { ...stepBase, op: "replace", changes: changedProperties(old.inputs, fresh, old.secretInputs, secretInputs), replaces: diff.replaces };
      if (state.preview) return steps.emit(step, undefined, fresh, secretOutputs);
      const deleteFirst = old.pendingReplacement === true || diff.deleteBeforeReplace || reg.deleteBeforeReplace;
      return steps.replace(old, { base, inputs: fresh, secretInputs, secretOutputs, step }, deleteFirst);
    }

    const step: Step = { ...stepBase, op: "update", id: old.id, changes: display };
    if (state.preview) return steps.emit(step, old.id, checked, secretOutputs);
    return steps.update(old, { base, inputs: checked, secretInputs, secretOutputs, step });
  }

  private async check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<PropertyMap> {
    const { inputs, failures } = await this.provider.check(urn, olds, news);
    if (failures.length > 0) {
      throw new Error(`check failed: ${failures.map((f) => `property "${f.property}": ${f.reason}`).join("; ")}`);
    }
    return inputs;
  }
}

function pick(map: PropertyMap, keys: string[]): PropertyMap {
  return Object.fromEntries(keys.filter((k) => k in map).map((k) => [k, map[k]]));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
