/**
 * The runner's step generator, after the engine's pkg/resource/deploy/step_generator.go: from each
 * registration the program sends and the old state it decides which step the resource gets. It
 * computes the URN (the parent's type chain, aliases), applies `ignoreChanges`, asks the provider
 * to `check` (olds = stored inputs) and `diff` (olds = stored outputs), and chooses same, create,
 * update or replace (a second `check` with empty olds, create-before-delete unless
 * `deleteBeforeReplace` or the provider asks; `replaceOnChanges`; a changed provider reference whose
 * new provider's `DiffConfig` asks for it). A resource of a provider plugin goes to the provider its
 * registration names or its package's default provider (`provider-steps.ts`); provider resources get
 * the registry's steps; the `import` option reads the resource first. Components are recorded without a step; reads
 * (`Resource.get`), invokes and `StackReference`s are answered; a `StackReference` reads the state file of
 * the stack named in `stackReferences`, as the engine's builtin provider reads the backend, its
 * secret outputs arriving secret.
 *
 * It also generates the passes around the program: the refresh pass before it, the deletes after it
 * (`GenerateDeletes`: old halves of replacements, pending deletes and resources the program no
 * longer registers, dependents first) and destroy. What each step does is `steps.ts`.
 */
import { dependencyOrder } from "./dependency-order";
import type { ProviderClient } from "./provider-client";
import { isProviderType, packageOf, sortKeys, type ProviderRegistry } from "./provider-registry";
import type { ProviderSteps } from "./provider-steps";
import { changedProperties, type Step } from "./render-steps";
import type { Answer, Invocation, ReadRequest, Registration } from "./resource-monitor";
import type { RunState } from "./run-state";
import { secretOutputNames } from "./secrets";
import { loadStackOutputs, type ResourceState } from "./state-file";
import { protectedError, withoutProvider, type PlannedStep, type StepExecutor } from "./steps";
import { markSecrets, type PropertyMap } from "./wire-values";

const STACK_TYPE = "pulumi:pulumi:Stack";
const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";
const DYNAMIC_PREFIX = "pulumi-nodejs:dynamic";

/** Decides the steps of one run; {@link StepExecutor} runs them. */
export class StepGenerator {
  private stackUrn: string;

  constructor(
    private readonly state: RunState,
    private readonly registry: ProviderRegistry,
    private readonly steps: StepExecutor,
    private readonly providers: ProviderSteps,
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
      this.state.secrets.addNamed(reg.inputs, reg.secretInputs);
      if (isProviderType(reg.type)) {
        const { type, name, inputs, secretInputs, dependencies, aliases } = reg;
        const parent = reg.parent && reg.parent !== this.stackUrn ? { parent: reg.parent } : {};
        return this.providers.register(urn, { type, name, inputs, secretInputs, dependencies, aliases, ...parent, ...(reg.protect !== undefined && { protect: reg.protect }), shown: true });
      }
      if (reg.importId && reg.type.startsWith(DYNAMIC_PREFIX)) throw new Error(`offline runner: a dynamic resource cannot be imported (${reg.name}), as in Pulumi (pulumi/pulumi#16175)`);
      return this.plan(urn, reg, await this.providerOf(reg));
    });
  }

  async readResource(req: ReadRequest): Promise<Answer> {
    const urn = this.urnFor(req.type, req.name, req.parent);
    if (req.type === STACK_REFERENCE_TYPE) return this.readStackReference(urn, req);
    return this.steps.execute(urn, { ...req, parent: req.parent }, async () => {
      this.state.secrets.addNamed(req.inputs, req.secretInputs);
      return this.steps.read(urn, req, await this.providerOf(req));
    });
  }

  /**
   * An `Invoke` (a provider function, `palette:index:getUser`): sent to the provider the program
   * names, or to the package's default provider, registered on first use, as the engine's resource
   * monitor does (source_eval.go `Invoke`). Its answer keeps the secrets the provider returned.
   */
  async invoke(call: Invocation): Promise<{ result: PropertyMap; failures: { property: string; reason: string }[] }> {
    if (call.tok.startsWith("pulumi:")) throw new Error(`offline runner: the builtin function ${call.tok} is not supported`);
    const ref = call.provider || (await this.providers.defaultRef(packageOf(call.tok), call.version));
    const client = await this.registry.forResource(ref);
    return client.invoke(call.tok, call.args);
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
      // Provider resources are not read (registry.go `Read`); their resources are.
      if (r.pendingReplacement || r.custom === false || isProviderType(r.type) || state.cancelled) {
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

  /**
   * The provider reference of a resource of a provider plugin: the one the program names, or its
   * package's default provider; undefined for a dynamic resource (the dynamic-provider host).
   */
  private async providerOf(reg: { type: string; name: string; provider: string; version: string }): Promise<string | undefined> {
    if (!reg.type.startsWith(DYNAMIC_PREFIX)) return reg.provider || this.providers.defaultRef(packageOf(reg.type), reg.version);
    if (reg.provider) throw new Error(`offline runner: a dynamic resource takes no explicit provider (${reg.name} names ${reg.provider})`);
    return undefined;
  }

  /** A component: recorded with its parent and dependencies; no provider, no step. */
  private component(urn: string, reg: Registration): Answer {
    const old = this.state.claim(urn, reg.aliases);
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

  private async plan(urn: string, reg: Registration, provider: string | undefined): Promise<Answer> {
    const { state, steps } = this;
    const old = state.claim(urn, reg.aliases);
    const client = await this.registry.forResource(provider);
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
      ...(provider !== undefined && { provider }),
      ...(reg.importId && { importId: reg.importId }),
    };
    const stepBase = { urn, type: reg.type, name: reg.name };

    // step_generator.go: an import when the program names an id the old resource was not imported with.
    if (reg.importId && (!old || (old.importId ?? old.id) !== reg.importId)) {
      if (old) throw new Error(`offline runner: ${reg.name} exists in the state; importing it again over it (an import-replacement) is not supported`);
      return this.importResource(client, reg, base, news, secretOutputs);
    }

    const { inputs: checked, secretInputs } = await this.check(client, urn, old, news, reg.secretInputs);
    if (!old) {
      const step: Step = { ...stepBase, op: "create", changes: changedProperties({}, withoutProvider(checked), [], secretInputs) };
      if (state.preview) return steps.emit(step, undefined, checked, secretOutputs);
      return steps.create({ base, inputs: checked, secretInputs, secretOutputs, step });
    }

    const diff = await this.diff(client, old, reg, provider, checked, secretInputs);
    const shown = changedProperties(old.inputs, checked, old.secretInputs, secretInputs);
    const display = shown.length > 0 ? shown : changedProperties(pick(old.outputs, Object.keys(checked)), checked, old.secretOutputs, secretInputs);

    if (diff.changes === "none" && !old.initErrors?.length && !old.pendingReplacement) {
      return steps.same(old, { base, inputs: checked, secretInputs, secretOutputs, step: { ...stepBase, op: "same", id: old.id, changes: [] } });
    }
    // A pending replacement is replaced whatever the diff says: its resource is already deleted
    // (step_generator.go: `if diff.Changes == DiffSome || old.PendingReplacement`).
    if (old.pendingReplacement || (diff.changes === "some" && diff.replaces.length > 0)) {
      if (old.protect && !old.pendingReplacement) throw protectedError(old, "replace");
      if (reg.importId) {
        throw new Error(`previously-imported resources that still specify an ID may not be replaced; please remove the \`import\` declaration from your program; it would replace ${reg.name} for ${diff.replaces.join(", ")}`);
      }
      // The engine checks again with empty olds once it has decided to replace (fresh autoname).
      const fresh = await this.check(client, urn, undefined, news, reg.secretInputs);
      const step: Step = { ...stepBase, op: "replace", changes: changedProperties(old.inputs, fresh.inputs, old.secretInputs, fresh.secretInputs), replaces: diff.replaces };
      if (state.preview) return steps.emit(step, undefined, fresh.inputs, secretOutputs);
      const deleteFirst = old.pendingReplacement === true || diff.deleteBeforeReplace || reg.deleteBeforeReplace;
      return steps.replace(old, { base, inputs: fresh.inputs, secretInputs: fresh.secretInputs, secretOutputs, step }, deleteFirst);
    }

    const step: Step = { ...stepBase, op: "update", id: old.id, changes: display };
    if (state.preview) return steps.emit(step, old.id, checked, secretOutputs);
    return steps.update(old, { base, inputs: checked, secretInputs, secretOutputs, step });
  }

  /**
   * The engine's diff of a resource (step_generator.go `diff`): a changed provider reference whose
   * new provider's `DiffConfig` asks for it is a replacement blamed on "provider"; otherwise the
   * provider's `Diff` ("unknown" decided by comparing inputs), with `replaceOnChanges` turning a
   * change of a named top-level property (or any, for "*") into a replacement.
   */
  private async diff(client: ProviderClient, old: ResourceState, reg: Registration, provider: string | undefined, checked: PropertyMap, secretInputs: string[]) {
    if (provider && old.provider && old.provider !== provider && (await this.providers.providerForcesReplace(old.provider, provider))) {
      return { changes: "some" as const, replaces: ["provider"], deleteBeforeReplace: false };
    }
    const diff = await client.diff(old.id, old.urn, markSecrets(old.outputs, old.secretOutputs), markSecrets(checked, secretInputs), markSecrets(old.inputs, old.secretInputs));
    const changes = diff.changes !== "unknown" ? diff.changes : sameJson(old.inputs, checked) ? "none" : "some";
    let replaces = diff.replaces;
    if (changes === "some" && reg.replaceOnChanges.length > 0) {
      const changed = diff.diffs.length > 0 ? diff.diffs : Object.keys({ ...old.inputs, ...checked }).filter((k) => !sameJson(old.inputs[k], checked[k]));
      const forced = reg.replaceOnChanges.includes("*") ? changed : changed.filter((k) => reg.replaceOnChanges.includes(k));
      replaces = [...new Set([...replaces, ...forced])];
    }
    return { changes, replaces, deleteBeforeReplace: diff.deleteBeforeReplace };
  }

  /**
   * The `import` option, as the engine does it since Pulumi 3.174 (step.go `ImportStep`, then
   * step_generator.go `continueStepsFromImport`): `Read` with the id alone, the resource must exist
   * and the provider must return inputs; the state read becomes the old state, and the program's
   * inputs are checked and diffed against it. No change: the import alone (no same step). An
   * in-place change: the import, then an update. A replacement: refused, as the engine refuses to
   * replace a resource the program still imports.
   */
  private async importResource(client: ProviderClient, reg: Registration, base: PlannedStep["base"], news: PropertyMap, secretOutputs: string[]): Promise<Answer> {
    const { state, steps } = this;
    const { urn } = base;
    const read = await client.read(reg.importId, urn, {});
    if (!read.id) throw new Error(`resource '${reg.importId}' does not exist`);
    if (!read.inputsReturned) throw new Error(`provider does not support importing resources; please try updating the '${packageOf(reg.type)}' plugin`);
    const imported: ResourceState = {
      ...base,
      id: read.id,
      inputs: read.inputs,
      outputs: read.properties,
      secretInputs: read.secretInputs,
      secretOutputs: [...new Set([...secretOutputs, ...read.secretOutputs])],
    };
    state.secrets.addResource(imported);
    const importStep: Step = { urn, type: reg.type, name: reg.name, op: "import", id: read.id, changes: [] };
    const { inputs: checked, secretInputs } = await this.check(client, urn, imported, news, reg.secretInputs);
    const diff = await this.diff(client, imported, reg, base.provider, checked, secretInputs);
    if (diff.changes === "some" && diff.replaces.length > 0) {
      throw new Error(`previously-imported resources that still specify an ID may not be replaced; please remove the \`import\` declaration from your program; importing ${reg.name} would replace it for ${diff.replaces.join(", ")}`);
    }
    if (diff.changes === "none") {
      if (!state.preview) state.next.push(imported);
      return steps.emit(importStep, read.id, imported.outputs, imported.secretOutputs);
    }
    state.record(state.steps, importStep);
    const step: Step = { urn, type: reg.type, name: reg.name, op: "update", id: read.id, changes: changedProperties(imported.inputs, checked, imported.secretInputs, secretInputs) };
    if (state.preview) return steps.emit(step, read.id, checked, imported.secretOutputs);
    return steps.update(imported, { base, inputs: checked, secretInputs, secretOutputs: imported.secretOutputs, step });
  }

  /** `Check(olds = the old inputs, news)`, secrets sent in wire form; the inputs' secret names are the program's and the provider's. */
  private async check(client: ProviderClient, urn: string, old: ResourceState | undefined, news: PropertyMap, secretNews: string[]): Promise<{ inputs: PropertyMap; secretInputs: string[] }> {
    const { inputs, failures, secretKeys } = await client.check(urn, old ? markSecrets(old.inputs, old.secretInputs) : {}, markSecrets(news, secretNews));
    if (failures.length > 0) {
      throw new Error(`check failed: ${failures.map((f) => `property "${f.property}": ${f.reason}`).join("; ")}`);
    }
    return { inputs, secretInputs: [...new Set([...secretNews, ...secretKeys])].filter((k) => k in inputs) };
  }
}

function pick(map: PropertyMap, keys: string[]): PropertyMap {
  return Object.fromEntries(keys.filter((k) => k in map).map((k) => [k, map[k]]));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}
