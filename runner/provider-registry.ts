/**
 * The runner's provider registry, after the engine's pkg/resource/deploy/providers/registry.go: the
 * provider processes of a run, by provider reference (`<provider urn>::<id>`), and the lifecycle of
 * provider resources (`pulumi:providers:<pkg>`, default or explicit). `check` loads the package's
 * plugin and calls `CheckConfig`, keeping the instance unconfigured under the provider's URN; `diff`
 * asks that instance's `DiffConfig`; `create` (a new id, a random UUID, or the unknown id in a
 * preview), `update` and `same` `Configure` it with the provider's inputs and register it under its
 * reference; `delete` ends its process. A reference no step of this run registered (a resource left in
 * the state whose provider the program dropped, or a refresh or destroy, which run no program) is
 * loaded from the old state and configured with its stored inputs, as the engine's `Same` loads one
 * fresh. Resources of dynamic providers carry no reference and go to the one dynamic-provider host,
 * started when first needed.
 */
import { randomUUID } from "node:crypto";
import type { CheckResult, DiffResult, ProviderClient } from "./provider-client";
import type { ResourceState } from "./state-file";
import { UNKNOWN, type PropertyMap } from "./wire-values";

/** The prefix of provider resource types: `pulumi:providers:<pkg>`. */
export const PROVIDER_TYPE_PREFIX = "pulumi:providers:";

/** How the registry gets provider processes. */
export interface ProviderLauncher {
  /** The dynamic-provider host, started and configured with the stack config. */
  dynamic(): Promise<ProviderClient>;
  /** A started, not yet configured, plugin of package `pkg`. */
  plugin(pkg: string): Promise<ProviderClient>;
}

/** Whether `type` is a provider resource's type. */
export function isProviderType(type: string): boolean {
  return type.startsWith(PROVIDER_TYPE_PREFIX);
}

/** The package of a type token or a provider type (`palette:index:ApiKey`, `pulumi:providers:palette` -> `palette`). */
export function packageOf(type: string): string {
  return isProviderType(type) ? type.slice(PROVIDER_TYPE_PREFIX.length) : (type.split(":")[0] ?? "");
}

/** `<urn>::<id>`, a provider reference. */
export function providerRef(urn: string, id: string): string {
  return `${urn}::${id}`;
}

/** The URN part of a provider reference. */
export function refUrn(ref: string): string {
  return ref.slice(0, ref.lastIndexOf("::"));
}

export class ProviderRegistry {
  /** Configured instances by reference. */
  private readonly configured = new Map<string, Promise<ProviderClient>>();
  /** Instances `check` loaded, by provider URN, until a create, update or same configures them. */
  private readonly unconfigured = new Map<string, ProviderClient>();
  /** Every process started, to cancel and close. */
  private readonly started = new Set<Promise<ProviderClient>>();
  private dynamicHost: Promise<ProviderClient> | undefined;

  constructor(
    private readonly launcher: ProviderLauncher,
    /** The provider resources of the state the run started from. */
    private readonly oldProviders: () => readonly ResourceState[],
  ) {}

  /** The provider of a resource: by its reference, or the dynamic-provider host when it has none. */
  async forResource(ref: string | undefined): Promise<ProviderClient> {
    if (ref === undefined || ref === "") return this.dynamic();
    const known = this.configured.get(ref);
    if (known) return known;
    const old = this.oldProviders().find((r) => providerRef(r.urn, r.id) === ref);
    if (!old) throw new Error(`unknown provider reference ${ref}: no provider resource of that URN and id in this run or in the state`);
    const loading = this.load(old.urn).then(async (client) => {
      await client.configureProvider(old.urn, old.id, old.inputs, old.secretInputs);
      return client;
    });
    this.configured.set(ref, loading);
    return loading;
  }

  /** registry.go `Check`: loads the plugin and checks the provider's inputs; kept unconfigured unless they fail. */
  async check(urn: string, olds: PropertyMap, news: PropertyMap, secretNews: readonly string[]): Promise<CheckResult> {
    const client = await this.load(urn);
    const result = await client.checkConfig(urn, olds, news, secretNews);
    if (result.failures.length > 0) {
      await this.closeOne(client);
      return result;
    }
    const previous = this.unconfigured.get(urn);
    this.unconfigured.set(urn, client);
    if (previous) await this.closeOne(previous);
    return result;
  }

  /**
   * registry.go `Diff`: the instance `check` loaded diffs the configuration; "unknown" becomes
   * "some" or "none" by comparing the old outputs with the new inputs, as the registry does.
   */
  async diff(urn: string, id: string, oldInputs: PropertyMap, oldOutputs: PropertyMap, newInputs: PropertyMap): Promise<DiffResult> {
    const client = this.unconfigured.get(urn) ?? (await this.forResource(providerRef(urn, id)));
    const diff = await client.diffConfig(urn, oldInputs, oldOutputs, newInputs);
    if (diff.changes === "unknown") diff.changes = sameJson(oldOutputs, newInputs) ? "none" : "some";
    return diff;
  }

  /** registry.go `Create`: configures the instance under a new id (the unknown id in a preview) and returns it. */
  async create(urn: string, inputs: PropertyMap, secretInputs: readonly string[], preview: boolean): Promise<string> {
    const id = preview ? UNKNOWN : randomUUID();
    await this.configure(urn, id, inputs, secretInputs);
    return id;
  }

  /** registry.go `Update` and `Same`: configures the instance under the provider's id. */
  async configure(urn: string, id: string, inputs: PropertyMap, secretInputs: readonly string[]): Promise<void> {
    const ref = providerRef(urn, id);
    const checked = this.unconfigured.get(urn);
    this.unconfigured.delete(urn);
    const client = checked ?? (await this.load(urn));
    const configuring = client.configureProvider(urn, id, inputs, secretInputs).then(() => client);
    const previous = this.configured.get(ref);
    this.configured.set(ref, configuring);
    await configuring;
    if (previous) await this.closeOne(await previous);
  }

  /** registry.go `Delete`: the provider's process ends (a provider never loaded needs nothing). */
  async delete(urn: string, id: string): Promise<void> {
    const ref = providerRef(urn, id);
    const client = this.configured.get(ref);
    this.configured.delete(ref);
    if (client) await this.closeOne(await client);
  }

  /** `Cancel` to every provider started (the engine's SignalCancellation). */
  async cancel(): Promise<void> {
    await Promise.allSettled([...this.started].map(async (p) => (await p).cancel()));
  }

  /** Ends every provider process of the run. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.started].map(async (p) => (await p).close()));
  }

  /** What every provider process printed (for secret scans and diagnostics). */
  async outputs(): Promise<{ stdout: string; stderr: string }[]> {
    const settled = await Promise.allSettled([...this.started]);
    return settled.flatMap((s) => (s.status === "fulfilled" ? [s.value.output] : []));
  }

  private dynamic(): Promise<ProviderClient> {
    this.dynamicHost ??= this.track(this.launcher.dynamic());
    return this.dynamicHost;
  }

  /** Starts the plugin of the provider resource `urn`'s package. */
  private load(urn: string): Promise<ProviderClient> {
    const type = urn.split("::")[2] ?? "";
    return this.track(this.launcher.plugin(packageOf(type.slice(type.lastIndexOf("$") + 1))));
  }

  private track(client: Promise<ProviderClient>): Promise<ProviderClient> {
    this.started.add(client);
    client.catch(() => this.started.delete(client));
    return client;
  }

  private async closeOne(client: ProviderClient): Promise<void> {
    await client.close();
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

/** `v` with object keys sorted, so JSON texts compare as values. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
