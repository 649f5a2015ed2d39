/**
 * The one door into the tfplugin6 layer for a provider: what it implements (schemas, resources,
 * data sources, diagnostics), Terraform's values in plain JavaScript, and `serve()`, which runs it
 * as a plugin process. Everything behind it (go-plugin, gRPC, msgpack) is the layer's own business
 * and may change without a provider noticing; eslint keeps provider/terraform on this door.
 */
export { UNKNOWN, isCtyObject, isUnknown, type CtyObject, type CtyType, type CtyValue } from "./cty";
export type {
  AttributeSchema,
  BlockSchema,
  Ctx,
  DataSourceType,
  Diagnostic,
  EphemeralResourceType,
  NestedBlockSchema,
  PathStep,
  ProviderDefinition,
  ResourceType,
  Schema,
} from "./definition";
export { serve, type ServeOptions } from "./plugin/serve";
