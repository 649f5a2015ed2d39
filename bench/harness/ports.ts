/**
 * One face for the two ways the reliability harness reaches the provider: its implementation called
 * in-process (as the dynamic-provider host would call it, values passed through a JSON round trip as
 * a gRPC Struct would pass them) and the REAL dynamic-provider host process (runner/provider-client.ts).
 */
import type { dynamic } from "@pulumi/pulumi";
import type * as Impl from "../../provider/impl";
import { ProviderInitError, type ProviderClient } from "../../runner/provider-client";
import type { Props } from "./program";

/** A create/update that failed after the key came to exist: the engine records `id` and `properties`. */
export class PartialFailure extends Error {
  override readonly name = "PartialFailure";
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Props,
    cause: unknown,
  ) {
    super(message, { cause });
  }
}

export interface CheckOutcome {
  inputs: Props;
  failures: { property: string; reason: string }[];
}

export interface DiffOutcome {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** The provider calls the engine makes. create/update reject with {@link PartialFailure} on a partial failure. */
export interface ProviderPort {
  readonly kind: "in-process" | "host";
  check(urn: string, olds: Props, news: Props): Promise<CheckOutcome>;
  diff(id: string, urn: string, olds: Props, news: Props): Promise<DiffOutcome>;
  create(urn: string, inputs: Props): Promise<{ id: string; outputs: Props }>;
  update(id: string, urn: string, olds: Props, news: Props, oldInputs: Props): Promise<Props>;
  read(id: string, urn: string, outputs: Props, inputs: Props): Promise<{ id: string; outputs: Props }>;
  delete(id: string, urn: string, outputs: Props): Promise<void>;
}

/** Through JSON, as a Struct: no undefined, no Dates, no shared references. */
const wire = <T>(v: T): T => JSON.parse(JSON.stringify(v ?? {})) as T;

/** The host adds the `__provider` of the request to what create/update/read return. */
const withProvider = (outs: Props | undefined, from: Props): Props => wire({ ...(outs ?? {}), __provider: from.__provider });

/** Configures `impl` with stack config answered by `config` (fully qualified keys, e.g. `palette:host`). */
export async function configureInProcess(impl: typeof Impl, config: Record<string, string>): Promise<void> {
  const req = { config: { get: (key: string) => config[key] } } as unknown as dynamic.ConfigureRequest;
  await impl.configure(req);
}

/** The provider implementation module, called directly. */
export function inProcessPort(impl: typeof Impl): ProviderPort {
  const partial = (e: unknown, inputs: Props): unknown =>
    e instanceof impl.ResourceInitError ? new PartialFailure(e.message, e.id, withProvider(e.properties, inputs), e) : e;
  return {
    kind: "in-process",
    async check(_urn, olds, news) {
      const r = await impl.check(wire(olds), wire(news));
      return { inputs: wire(r.inputs ?? {}), failures: (r.failures ?? []).map((f) => ({ property: f.property, reason: f.reason })) };
    },
    async diff(id, _urn, olds, news) {
      const r = await impl.diff(id, wire(olds), wire(news));
      return { changes: r.changes === true, replaces: r.replaces ?? [], deleteBeforeReplace: r.deleteBeforeReplace === true };
    },
    async create(_urn, inputs) {
      try {
        const r = await impl.create(wire(inputs));
        return { id: r.id, outputs: withProvider(r.outs, inputs) };
      } catch (e) {
        throw partial(e, inputs);
      }
    },
    async update(id, _urn, olds, news) {
      try {
        const r = await impl.update(id, wire(olds), wire(news));
        return withProvider(r.outs, news);
      } catch (e) {
        throw partial(e, news);
      }
    },
    async read(id, _urn, outputs) {
      const r = await impl.read(id, wire(outputs));
      return { id: r.id ?? "", outputs: withProvider(r.props, outputs) };
    },
    async delete(id, _urn, outputs) {
      await impl.delete(id, wire(outputs));
    },
  };
}

/** A running dynamic-provider host (already configured). */
export function hostPort(host: ProviderClient): ProviderPort {
  const partial = (e: unknown): unknown => (e instanceof ProviderInitError ? new PartialFailure(e.message, e.id, e.properties, e) : e);
  return {
    kind: "host",
    check: (urn, olds, news) => host.check(urn, olds, news),
    async diff(id, urn, olds, news) {
      const r = await host.diff(id, urn, olds, news);
      return { changes: r.changes !== "none", replaces: r.replaces, deleteBeforeReplace: r.deleteBeforeReplace };
    },
    async create(urn, inputs) {
      try {
        const r = await host.create(urn, inputs);
        return { id: r.id, outputs: r.properties };
      } catch (e) {
        throw partial(e);
      }
    },
    async update(id, urn, olds, news, oldInputs) {
      try {
        return (await host.update(id, urn, olds, news, oldInputs)).properties;
      } catch (e) {
        throw partial(e);
      }
    },
    async read(id, urn, outputs, inputs) {
      const r = await host.read(id, urn, outputs, inputs);
      return { id: r.id, outputs: r.properties };
    },
    delete: (id, urn, outputs) => host.delete(id, urn, outputs),
  };
}
