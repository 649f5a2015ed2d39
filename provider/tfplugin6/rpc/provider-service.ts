/**
 * tfplugin6.Provider mapped onto a ProviderDefinition: decode the request's values with the
 * schema, call the resource, conform and encode what it returns. Every handler answers with
 * diagnostics, never with a gRPC error status: an exception becomes an error diagnostic, because
 * Terraform shows those with their detail while a failed call only says the plugin broke.
 */
import { isCtyObject, type CtyObject, type CtyValue } from "../cty";
import { decodeBlockValue, encodeBlockValue } from "../cty-msgpack";
import type { BlockSchema, Ctx, DataSourceType, Diagnostic, ProviderDefinition, ResourceType, Schema } from "../definition";
import type { PluginLogger } from "../plugin/log";
import { attributePath, errorDiagnostic, toProtoDiagnostic } from "../protocol/diagnostics";
import { toProtoSchema } from "../protocol/schema";
import { PROVIDER_RPCS, SERVER_CAPABILITIES, type ProviderRpc, type RpcRequest, type RpcResponse, type Tf } from "../protocol/tfplugin6";
import { Cancellation } from "./cancellation";
import { ephemeralHandlers } from "./ephemeral-service";
import { StillOpen } from "./still-open";

export type ProviderHandlers = { [R in ProviderRpc]: (request: RpcRequest<R>) => Promise<RpcResponse<R>> };

/** Thrown inside a handler to answer with exactly this diagnostic. */
class DiagnosticError extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.summary);
  }
}

type DynamicValue = Tf<"DynamicValue">;

const diagnostics = (list: readonly Diagnostic[] | undefined): Tf<"Diagnostic">[] => (list ?? []).map(toProtoDiagnostic);

const nullable = (dv: DynamicValue | undefined, schema: Schema): CtyObject | null => decodeBlockValue(dv?.msgpack, schema.block);

const decodeEach = <K extends string>(schema: Schema, values: Record<K, DynamicValue | undefined>): Record<K, CtyObject | null> =>
  Object.fromEntries(Object.entries<DynamicValue | undefined>(values).map(([k, dv]) => [k, nullable(dv, schema)])) as Record<K, CtyObject | null>;

function object(dv: DynamicValue | undefined, schema: Schema, what: string): CtyObject {
  const value = nullable(dv, schema);
  if (value === null) throw new DiagnosticError(errorDiagnostic(`Terraform sent no ${what}`));
  return value;
}

/** `{ private: bytes }` when there are bytes: proto3 has no null, an absent field is the empty value. */
const privateField = <K extends string>(key: K, bytes: Buffer | undefined): { [k in K]?: Buffer } =>
  (bytes !== undefined && bytes.length > 0 ? { [key]: bytes } : {}) as { [k in K]?: Buffer };

function lookup<T>(types: Record<string, T>, name: string | undefined, kind: string): T {
  const found = name !== undefined && Object.hasOwn(types, name) ? types[name] : undefined;
  if (found === undefined) {
    const known = Object.keys(types).join(", ") || "none";
    throw new DiagnosticError(errorDiagnostic(`Unknown ${kind} "${name ?? ""}"`, `This provider has these ${kind}s: ${known}.`));
  }
  return found;
}

/** `cancellation` is shared with the process's signal handlers: SIGTERM stops calls as StopProvider does. */
/** `stillOpen` is shared with the process's exit: ephemeral resources Terraform did not close are closed then. */
export function providerHandlers(definition: ProviderDefinition, log: PluginLogger, cancellation = new Cancellation(), stillOpen = new StillOpen()): ProviderHandlers {
  const ctx = (): Ctx => ({ signal: cancellation.signal });
  const resource = (name: string | undefined): ResourceType => lookup(definition.resources, name, "resource type");
  const dataSource = (name: string | undefined): DataSourceType => lookup(definition.dataSources, name, "data source");
  const providerConfig = (dv: DynamicValue | undefined): CtyObject => {
    const config = object(dv, definition.providerSchema, "provider configuration");
    redactSensitive(config, definition.providerSchema.block, log);
    return config;
  };
  const encoded = (value: CtyObject | null, schema: Schema): DynamicValue => {
    if (value !== null) redactSensitive(value, schema.block, log);
    return { msgpack: Buffer.from(encodeBlockValue(value, schema.block)) };
  };
  let schemaResponse: RpcResponse<"GetProviderSchema"> | undefined;

  const handlers: ProviderHandlers = {
    // What Terraform may ask instead of the schemas (no Terraform up to 1.11 does): the type names.
    GetMetadata: async () => ({
      server_capabilities: SERVER_CAPABILITIES,
      resources: Object.keys(definition.resources).map((type_name) => ({ type_name })),
      data_sources: Object.keys(definition.dataSources).map((type_name) => ({ type_name })),
    }),

    GetProviderSchema: async () =>
      (schemaResponse ??= {
        server_capabilities: SERVER_CAPABILITIES,
        provider: toProtoSchema(definition.providerSchema),
        resource_schemas: Object.fromEntries(Object.entries(definition.resources).map(([k, r]) => [k, toProtoSchema(r.schema)])),
        data_source_schemas: Object.fromEntries(Object.entries(definition.dataSources).map(([k, d]) => [k, toProtoSchema(d.schema)])),
        ephemeral_resource_schemas: Object.fromEntries(Object.entries(definition.ephemeralResources ?? {}).map(([k, e]) => [k, toProtoSchema(e.schema)])),
      }),

    ValidateProviderConfig: async (req) => ({ diagnostics: diagnostics(await definition.validateConfig(providerConfig(req.config))) }),

    ConfigureProvider: async (req) => ({
      diagnostics: diagnostics(await definition.configure(providerConfig(req.config), req.terraform_version ?? "")),
    }),

    ValidateResourceConfig: async (req) => {
      const r = resource(req.type_name);
      return { diagnostics: diagnostics(await r.validate(object(req.config, r.schema, "configuration"))) };
    },

    ValidateDataResourceConfig: async (req) => {
      const d = dataSource(req.type_name);
      return { diagnostics: diagnostics(await d.validate(object(req.config, d.schema, "configuration"))) };
    },

    UpgradeResourceState: async (req) => {
      const r = resource(req.type_name);
      const json = req.raw_state?.json;
      if (json === undefined) throw new DiagnosticError(errorDiagnostic("Unsupported state format", "The stored state has no JSON form (legacy flatmap)."));
      const raw: unknown = JSON.parse(json.toString("utf8"));
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new DiagnosticError(errorDiagnostic("Stored state is not an object"));
      const res = await r.upgrade(raw as CtyObject, req.version ?? 0);
      return { upgraded_state: encoded(res.state, r.schema), diagnostics: diagnostics(res.diagnostics) };
    },

    ReadResource: async (req) => {
      const r = resource(req.type_name);
      const state = object(req.current_state, r.schema, "current state");
      const res = await r.read({ state, ...privateField("private", req.private) }, ctx());
      return {
        new_state: encoded(res.state, r.schema),
        ...privateField("private", res.private ?? req.private),
        diagnostics: diagnostics(res.diagnostics),
      };
    },

    PlanResourceChange: async (req) => {
      const r = resource(req.type_name);
      const values = decodeEach(r.schema, { prior: req.prior_state, proposed: req.proposed_new_state, config: req.config });
      const res = await r.plan({ ...values, ...privateField("priorPrivate", req.prior_private) }, ctx());
      return {
        planned_state: encoded(res.planned, r.schema),
        requires_replace: (res.requiresReplace ?? []).map(attributePath),
        ...privateField("planned_private", res.plannedPrivate ?? req.prior_private),
        diagnostics: diagnostics(res.diagnostics),
      };
    },

    ApplyResourceChange: async (req) => {
      const r = resource(req.type_name);
      const values = decodeEach(r.schema, { prior: req.prior_state, planned: req.planned_state, config: req.config });
      const res = await r.apply({ ...values, ...privateField("plannedPrivate", req.planned_private) }, ctx());
      return {
        new_state: encoded(res.state, r.schema),
        ...privateField("private", res.state === null ? undefined : (res.private ?? req.planned_private)),
        diagnostics: diagnostics(res.diagnostics),
      };
    },

    ImportResourceState: async (req) => {
      const r = resource(req.type_name);
      const res = await r.importState(req.id ?? "", ctx());
      return {
        imported_resources: [{ type_name: req.type_name ?? "", state: encoded(res.state, r.schema), ...privateField("private", res.private) }],
        diagnostics: diagnostics(res.diagnostics),
      };
    },

    ReadDataSource: async (req) => {
      const d = dataSource(req.type_name);
      const res = await d.read(object(req.config, d.schema, "configuration"), ctx());
      return { state: encoded(res.state, d.schema), diagnostics: diagnostics(res.diagnostics) };
    },

    ...ephemeralHandlers(definition, { ctx, object, encoded, stillOpen }),

    StopProvider: async () => {
      cancellation.stop("Terraform called StopProvider");
      log.info("StopProvider: cancelling what was not sent; writes already sent finish");
      return {};
    },
  };
  return guarded(handlers, log);
}

/** Wraps every handler: logs each call (never its values) and turns an exception into a diagnostic. */
function guarded(handlers: ProviderHandlers, log: PluginLogger): ProviderHandlers {
  const out: Partial<Record<ProviderRpc, (req: { type_name?: string }) => Promise<object>>> = {};
  for (const rpc of PROVIDER_RPCS) {
    const handler = handlers[rpc] as (req: { type_name?: string }) => Promise<object>;
    out[rpc] = async (req) => {
      const started = performance.now();
      const fields = req.type_name !== undefined ? { type_name: req.type_name } : {};
      try {
        const res = await handler(req);
        log.debug(rpc, { ...fields, ms: Math.round(performance.now() - started) });
        return res;
      } catch (e) {
        const diagnostic = diagnosticOf(e, rpc, req.type_name);
        diagnostic.detail = log.scrub(diagnostic.detail ?? "");
        log.error(`${rpc} failed: ${diagnostic.summary}`, { ...fields, detail: diagnostic.detail });
        return rpc === "StopProvider" ? { Error: diagnostic.detail } : { diagnostics: [toProtoDiagnostic(diagnostic)] };
      }
    };
  }
  return out as ProviderHandlers;
}

function diagnosticOf(e: unknown, rpc: ProviderRpc, typeName: string | undefined): Diagnostic {
  if (e instanceof DiagnosticError) return { ...e.diagnostic };
  const where = typeName !== undefined ? ` (${typeName})` : "";
  // Duck-typed: an abort reason is a DOMException, which is not an Error of every realm.
  const { name, message } = typeof e === "object" && e !== null ? (e as { name?: unknown; message?: unknown }) : {};
  if (name === "AbortError") return errorDiagnostic(`${rpc}${where} was cancelled`, "Terraform asked the provider to stop.");
  return errorDiagnostic(`Provider error in ${rpc}${where}`, typeof message === "string" ? message : String(e));
}

/** Registers the values of sensitive attributes (at any block depth) so no log line shows them. */
function redactSensitive(value: CtyObject, block: BlockSchema, log: PluginLogger): void {
  for (const a of block.attributes) {
    const v = value[a.name];
    if (a.sensitive === true && typeof v === "string") log.redact(v);
  }
  for (const b of block.blockTypes ?? []) {
    const v = value[b.typeName];
    const nested: (CtyValue | undefined)[] = Array.isArray(v) ? v : [v];
    for (const n of nested) if (isCtyObject(n)) redactSensitive(n, b.block, log);
  }
}
