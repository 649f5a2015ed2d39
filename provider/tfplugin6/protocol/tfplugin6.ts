/**
 * The subset of Terraform's plugin protocol 6 (tfplugin6.8) that a resource provider serves, with
 * the ephemeral resources of 6.7 (Terraform 1.10+; older versions never call them and ignore the
 * schema field they do not know),
 * written from the field table in docs/reference/terraform-plugin.md §3 (not copied from
 * HashiCorp's `.proto`). Fields Terraform sends that are not listed here (client capabilities,
 * provider_meta) are skipped by the decoder; fields we never set (deferred, legacy flags) are left out.
 */
import type { Message } from "./message-spec";

const REQ = { type_name: "string 1" } as const;

export const TFPLUGIN6 = {
  DynamicValue: { msgpack: "bytes 1", json: "bytes 2" },
  Diagnostic: { severity: "int32 1", summary: "string 2", detail: "string 3", attribute: "AttributePath 4" },
  AttributePath: { steps: "repeated AttributePath.Step 1" },
  "AttributePath.Step": { attribute_name: "string 1", element_key_string: "string 2", element_key_int: "int64 3" },
  RawState: { json: "bytes 1", flatmap: "map<string,string> 2" },
  Schema: { version: "int64 1", block: "Schema.Block 2" },
  "Schema.Block": {
    version: "int64 1",
    attributes: "repeated Schema.Attribute 2",
    block_types: "repeated Schema.NestedBlock 3",
    description: "string 4",
    description_kind: "int32 5",
    deprecated: "bool 6",
  },
  "Schema.Attribute": {
    name: "string 1",
    type: "bytes 2",
    description: "string 3",
    required: "bool 4",
    optional: "bool 5",
    computed: "bool 6",
    sensitive: "bool 7",
    description_kind: "int32 8",
    deprecated: "bool 9",
  },
  "Schema.NestedBlock": { type_name: "string 1", block: "Schema.Block 2", nesting: "int32 3", min_items: "int64 4", max_items: "int64 5" },
  ServerCapabilities: { plan_destroy: "bool 1", get_provider_schema_optional: "bool 2" },

  "GetMetadata.Request": {},
  "GetMetadata.Response": {
    server_capabilities: "ServerCapabilities 1",
    diagnostics: "repeated Diagnostic 2",
    data_sources: "repeated GetMetadata.DataSourceMetadata 3",
    resources: "repeated GetMetadata.ResourceMetadata 4",
  },
  "GetMetadata.DataSourceMetadata": { ...REQ },
  "GetMetadata.ResourceMetadata": { ...REQ },
  "GetProviderSchema.Request": {},
  "GetProviderSchema.Response": {
    provider: "Schema 1",
    resource_schemas: "map<string,Schema> 2",
    data_source_schemas: "map<string,Schema> 3",
    diagnostics: "repeated Diagnostic 4",
    server_capabilities: "ServerCapabilities 6",
    ephemeral_resource_schemas: "map<string,Schema> 8",
  },
  "ValidateProviderConfig.Request": { config: "DynamicValue 1" },
  "ValidateProviderConfig.Response": { diagnostics: "repeated Diagnostic 2" },
  "ValidateResourceConfig.Request": { ...REQ, config: "DynamicValue 2" },
  "ValidateResourceConfig.Response": { diagnostics: "repeated Diagnostic 1" },
  "ValidateDataResourceConfig.Request": { ...REQ, config: "DynamicValue 2" },
  "ValidateDataResourceConfig.Response": { diagnostics: "repeated Diagnostic 1" },
  "UpgradeResourceState.Request": { ...REQ, version: "int64 2", raw_state: "RawState 3" },
  "UpgradeResourceState.Response": { upgraded_state: "DynamicValue 1", diagnostics: "repeated Diagnostic 2" },
  "ConfigureProvider.Request": { terraform_version: "string 1", config: "DynamicValue 2" },
  "ConfigureProvider.Response": { diagnostics: "repeated Diagnostic 1" },
  "ReadResource.Request": { ...REQ, current_state: "DynamicValue 2", private: "bytes 3" },
  "ReadResource.Response": { new_state: "DynamicValue 1", diagnostics: "repeated Diagnostic 2", private: "bytes 3" },
  "PlanResourceChange.Request": {
    ...REQ,
    prior_state: "DynamicValue 2",
    proposed_new_state: "DynamicValue 3",
    config: "DynamicValue 4",
    prior_private: "bytes 5",
  },
  "PlanResourceChange.Response": {
    planned_state: "DynamicValue 1",
    requires_replace: "repeated AttributePath 2",
    planned_private: "bytes 3",
    diagnostics: "repeated Diagnostic 4",
  },
  "ApplyResourceChange.Request": {
    ...REQ,
    prior_state: "DynamicValue 2",
    planned_state: "DynamicValue 3",
    config: "DynamicValue 4",
    planned_private: "bytes 5",
  },
  "ApplyResourceChange.Response": { new_state: "DynamicValue 1", private: "bytes 2", diagnostics: "repeated Diagnostic 3" },
  "ImportResourceState.Request": { ...REQ, id: "string 2" },
  "ImportResourceState.ImportedResource": { ...REQ, state: "DynamicValue 2", private: "bytes 3" },
  "ImportResourceState.Response": {
    imported_resources: "repeated ImportResourceState.ImportedResource 1",
    diagnostics: "repeated Diagnostic 2",
  },
  "ReadDataSource.Request": { ...REQ, config: "DynamicValue 2" },
  "ReadDataSource.Response": { state: "DynamicValue 1", diagnostics: "repeated Diagnostic 2" },
  // Ephemeral resources (6.7). `Timestamp` is google.protobuf.Timestamp, the same on the wire.
  Timestamp: { seconds: "int64 1", nanos: "int32 2" },
  "ValidateEphemeralResourceConfig.Request": { ...REQ, config: "DynamicValue 2" },
  "ValidateEphemeralResourceConfig.Response": { diagnostics: "repeated Diagnostic 1" },
  "OpenEphemeralResource.Request": { ...REQ, config: "DynamicValue 2" },
  "OpenEphemeralResource.Response": { diagnostics: "repeated Diagnostic 1", renew_at: "Timestamp 2", result: "DynamicValue 3", private: "bytes 4" },
  "RenewEphemeralResource.Request": { ...REQ, private: "bytes 2" },
  "RenewEphemeralResource.Response": { diagnostics: "repeated Diagnostic 1", renew_at: "Timestamp 2", private: "bytes 3" },
  "CloseEphemeralResource.Request": { ...REQ, private: "bytes 2" },
  "CloseEphemeralResource.Response": { diagnostics: "repeated Diagnostic 1" },
  "StopProvider.Request": {},
  "StopProvider.Response": { Error: "string 1" },
} as const;

/** The `tfplugin6.Provider` methods served; each takes `<name>.Request` and returns `<name>.Response`. */
export const PROVIDER_RPCS = [
  "GetMetadata",
  "GetProviderSchema",
  "ValidateProviderConfig",
  "ValidateResourceConfig",
  "ValidateDataResourceConfig",
  "UpgradeResourceState",
  "ConfigureProvider",
  "ReadResource",
  "PlanResourceChange",
  "ApplyResourceChange",
  "ImportResourceState",
  "ReadDataSource",
  "ValidateEphemeralResourceConfig",
  "OpenEphemeralResource",
  "RenewEphemeralResource",
  "CloseEphemeralResource",
  "StopProvider",
] as const;

export type ProviderRpc = (typeof PROVIDER_RPCS)[number];

export type Tf<N extends keyof typeof TFPLUGIN6> = Message<typeof TFPLUGIN6, N>;
export type RpcRequest<R extends ProviderRpc> = Tf<`${R}.Request`>;
export type RpcResponse<R extends ProviderRpc> = Tf<`${R}.Response`>;

/**
 * What this server tells Terraform in GetProviderSchema and GetMetadata.
 * - get_provider_schema_optional: the handlers read the schemas from the definition, never from an
 *   earlier GetProviderSchema, so Terraform (1.6+) may use the schema it cached in this command and
 *   skip the call in each later process: one GetProviderSchema per command instead of one per process.
 * - plan_destroy stays off: a destroy has nothing for a plan to add here, and the capability would
 *   cost one call per destroyed object.
 */
export const SERVER_CAPABILITIES: Tf<"ServerCapabilities"> = { get_provider_schema_optional: true };

/** `Diagnostic.severity` and `Schema.NestedBlock.nesting` values. */
export const SEVERITY = { error: 1, warning: 2 } as const;
export const NESTING = { single: 1, list: 2, set: 3 } as const;

/** tfplugin6 `StringKind`: how Terraform and doc generators render a description. */
export const STRING_KIND = { plain: 0, markdown: 1 } as const;
