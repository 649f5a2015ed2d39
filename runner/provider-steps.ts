/**
 * Steps of provider resources (`pulumi:providers:<pkg>`), as the engine generates them for both kinds:
 *
 * - a default provider, registered by the engine itself the first time a resource or function of a
 *   package names no provider (pkg/resource/deploy/default_providers.go): named `default` (or
 *   `default_<version>` when the program's SDK asks for a version), its inputs the stack config under
 *   `<pkg>:` (keys without the prefix, secret config secret), no step shown, as the CLI hides it;
 * - an explicit provider the program registers (`new palette.Provider("tenant-b", {...})`), with its
 *   own inputs and its steps shown.
 *
 * Either way its step is the step generator's for any resource, with the registry as the provider
 * (`provider-registry.ts`): `CheckConfig`, then `DiffConfig` against the old state; none is a same,
 * some an update, a replacement a new id (the old one is deleted after the program, which ends its
 * process). Each configures the plugin instance that resources naming its reference then use.
 */
import type { SecretValue } from "./provider-client";
import { isProviderType, providerRef, type ProviderRegistry } from "./provider-registry";
import { changedProperties, type Step, type StepOp } from "./render-steps";
import type { RunState } from "./run-state";
import type { Answer } from "./resource-monitor";
import type { ResourceState } from "./state-file";
import type { StepExecutor } from "./steps";
import { UNKNOWN, type PropertyMap } from "./wire-values";

/** A provider resource to plan: a program's registration, or the engine's own default provider. */
export interface ProviderGoal {
  type: string;
  name: string;
  inputs: PropertyMap;
  secretInputs: string[];
  parent?: string;
  dependencies: string[];
  aliases: string[];
  protect?: boolean;
  /** Whether the step is shown (explicit providers) or not (default providers). */
  shown: boolean;
}

export class ProviderSteps {
  private readonly defaults = new Map<string, Promise<string>>();

  constructor(
    private readonly state: RunState,
    private readonly registry: ProviderRegistry,
    private readonly steps: StepExecutor,
    /** The stack config, keys qualified. */
    private readonly config: Record<string, string | SecretValue>,
  ) {}

  /** The reference of `pkg`'s default provider, registered on first use. */
  defaultRef(pkg: string, version: string): Promise<string> {
    const name = version ? `default_${version.replace(/[.+-]/g, "_")}` : "default";
    const type = `pulumi:providers:${pkg}`;
    let ref = this.defaults.get(`${pkg}\0${name}`);
    if (ref === undefined) {
      const inputs: PropertyMap = {};
      const secretInputs: string[] = [];
      for (const [k, v] of Object.entries(this.config)) {
        if (!k.startsWith(`${pkg}:`)) continue;
        const key = k.slice(pkg.length + 1);
        inputs[key] = typeof v === "string" ? v : v.secret;
        if (typeof v !== "string") secretInputs.push(key);
      }
      if (version) inputs.version = version;
      const urn = this.urn(type, name);
      ref = this.plan(urn, { type, name, inputs, secretInputs, dependencies: [], aliases: [], shown: false }).then((entry) => providerRef(urn, entry.id));
      this.defaults.set(`${pkg}\0${name}`, ref);
    }
    return ref;
  }

  /** An explicit provider the program registers: its step, and the answer (no id for a new one in a preview). */
  async register(urn: string, goal: ProviderGoal): Promise<Answer> {
    const entry = await this.plan(urn, goal);
    return { urn, ...(entry.id !== UNKNOWN && { id: entry.id }), outputs: entry.outputs, secretOutputs: entry.secretOutputs };
  }

  /**
   * One provider resource's step; resolves with its state entry (the unknown id for a new one in a
   * preview), whose outputs are its checked inputs, as the registry's `Create` returns them.
   */
  private async plan(urn: string, goal: ProviderGoal): Promise<ResourceState> {
    const { state, registry } = this;
    const old = state.claim(urn, goal.aliases);
    const checked = await registry.check(urn, old?.inputs ?? {}, goal.inputs, goal.secretInputs);
    if (checked.failures.length > 0) throw new Error(`check failed: ${checked.failures.map((f) => `property "${f.property}": ${f.reason}`).join("; ")}`);
    const inputs = checked.inputs;
    const secret = checked.secretKeys;
    state.secrets.addNamed(inputs, secret);
    const entry = (id: string): ResourceState => ({
      urn,
      type: goal.type,
      name: goal.name,
      id,
      inputs,
      outputs: inputs,
      secretInputs: secret,
      secretOutputs: secret,
      ...(goal.parent ? { parent: goal.parent } : {}),
      dependencies: goal.dependencies,
      ...(goal.protect ?? old?.protect ? { protect: true } : {}),
    });
    const step = (op: StepOp, id: string, changes = changedProperties(old?.inputs ?? {}, inputs, old?.secretInputs ?? [], secret)): Step => ({
      urn,
      type: goal.type,
      name: goal.name,
      op,
      id,
      changes,
    });
    if (!old) {
      const id = await registry.create(urn, inputs, secret, state.preview);
      return this.record(goal, entry(id), step("create", id));
    }
    const diff = await registry.diff(urn, old.id, old.inputs, old.outputs, inputs);
    if (diff.changes === "none") {
      await registry.configure(urn, old.id, inputs, secret);
      return this.record(goal, entry(old.id), step("same", old.id, []));
    }
    if (diff.replaces.length > 0) {
      const id = await registry.create(urn, inputs, secret, state.preview);
      // The old instance is deleted after the program, once nothing uses it (its process then ends).
      if (!state.preview) state.replaced.push({ ...old, pendingDelete: true });
      return this.record(goal, entry(id), { ...step("replace", id), replaces: diff.replaces });
    }
    await registry.configure(urn, old.id, inputs, secret);
    return this.record(goal, entry(old.id), step("update", old.id));
  }

  /**
   * registry-side half of the engine's `providerChanged`: a resource whose provider reference changed
   * (another provider, or the same one under a new id) is replaced when the new provider's
   * `DiffConfig` of the old provider's inputs against its own asks for a replacement.
   */
  async providerForcesReplace(oldRef: string, newRef: string): Promise<boolean> {
    const [oldUrn, newUrn] = [oldRef, newRef].map((r) => r.slice(0, r.lastIndexOf("::")));
    const oldProvider = this.state.old.resources.find((r) => r.urn === oldUrn && isProviderType(r.type));
    const newProvider = this.state.next.find((r) => r.urn === newUrn && isProviderType(r.type));
    if (!oldProvider || !newProvider) return true;
    const client = await this.registry.forResource(newRef);
    const diff = await client.diffConfig(newUrn ?? "", oldProvider.inputs, oldProvider.outputs, newProvider.inputs);
    return diff.replaces.length > 0;
  }

  private record(goal: ProviderGoal, entry: ResourceState, step: Step): ResourceState {
    this.state.next.push(entry);
    if (goal.shown) this.steps.emit(step, entry.id, entry.outputs, entry.secretOutputs);
    else this.state.checkpoint();
    return entry;
  }

  private urn(type: string, name: string): string {
    return `urn:pulumi:${this.state.o.stack}::${this.state.o.project}::${type}::${name}`;
  }
}
