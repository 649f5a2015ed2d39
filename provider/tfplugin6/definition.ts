/**
 * What a Terraform provider written in TypeScript implements: schemas plus one object per resource
 * type and data source, in plain values. `serve()` (plugin/serve.ts) does the rest: go-plugin's
 * handshake, AutoMTLS, tfplugin6 over gRPC and the msgpack encoding of values.
 *
 * The server conforms every object a resource returns to its schema (a missing attribute is
 * sent as null, nested list blocks as []), passes private state through (Read echoes it when the
 * resource returns none), and turns every exception into an error diagnostic.
 *
 * Types only, and a leaf: the server (rpc/, plugin/) and the wire encodings (protocol/,
 * cty-msgpack.ts) all read these, and none of them is imported back from here.
 */
import type { CtyObject, CtyType } from "./cty";

export interface AttributeSchema {
  /** `^[a-z0-9_]+$`. */
  name: string;
  type: CtyType;
  description: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  /** Hides the value in Terraform's output only: state keeps it in plain text. */
  sensitive?: boolean;
  deprecated?: boolean;
}

export interface NestedBlockSchema {
  typeName: string;
  nesting: "single" | "list" | "set";
  block: BlockSchema;
  minItems?: number;
  maxItems?: number;
}

export interface BlockSchema {
  description?: string;
  attributes: AttributeSchema[];
  blockTypes?: NestedBlockSchema[];
}

export interface Schema {
  version: number;
  block: BlockSchema;
}

/** One step of a path: an attribute name, a map key, or a list index. */
export type PathStep = string | { key: string } | { index: number };

export interface Diagnostic {
  severity: "error" | "warning";
  summary: string;
  detail?: string;
  /** Where in the configuration; Terraform then shows the file and line. */
  attribute?: PathStep[];
}

export interface Ctx {
  /** Aborted when Terraform calls StopProvider (Ctrl-C): cancel the API calls in flight. */
  signal: AbortSignal;
}

export interface ResourceType {
  schema: Schema;
  /** Values from variables may still be UNKNOWN here (in `terraform validate`). */
  validate(config: CtyObject): Promise<Diagnostic[]>;
  /** `raw` is the stored state as JSON (raw_state.json), written with schema `version`. */
  upgrade(raw: CtyObject, version: number): Promise<{ state: CtyObject; diagnostics?: Diagnostic[] }>;
  /** A null state means the object is gone. */
  read(req: { state: CtyObject; private?: Buffer }, ctx: Ctx): Promise<{ state: CtyObject | null; private?: Buffer; diagnostics?: Diagnostic[] }>;
  plan(
    req: { prior: CtyObject | null; proposed: CtyObject | null; config: CtyObject | null; priorPrivate?: Buffer },
    ctx: Ctx,
  ): Promise<{ planned: CtyObject | null; requiresReplace?: PathStep[][]; plannedPrivate?: Buffer; diagnostics?: Diagnostic[] }>;
  /** A null `planned` is a delete; return a null state. */
  apply(
    req: { prior: CtyObject | null; planned: CtyObject | null; config: CtyObject | null; plannedPrivate?: Buffer },
    ctx: Ctx,
  ): Promise<{ state: CtyObject | null; private?: Buffer; diagnostics?: Diagnostic[] }>;
  importState(id: string, ctx: Ctx): Promise<{ state: CtyObject; private?: Buffer; diagnostics?: Diagnostic[] }>;
}

export interface DataSourceType {
  schema: Schema;
  validate(config: CtyObject): Promise<Diagnostic[]>;
  read(config: CtyObject, ctx: Ctx): Promise<{ state: CtyObject | null; diagnostics?: Diagnostic[] }>;
}

/**
 * An ephemeral resource (protocol 6.7, Terraform 1.10+): opened when a run needs its result, which is
 * never stored in plan or state, and closed at the end of the run; Terraform opens it anew in plan
 * and in apply. `private` is what the provider needs to renew or close it (the only thing Terraform
 * hands back). Older Terraform versions never call these.
 */
export interface EphemeralResourceType {
  schema: Schema;
  validate(config: CtyObject): Promise<Diagnostic[]>;
  open(config: CtyObject, ctx: Ctx): Promise<{ result: CtyObject | null; private?: Buffer; renewAt?: Date; diagnostics?: Diagnostic[] }>;
  /** Called at `renewAt`, when open set one. */
  renew?(priv: Buffer | undefined, ctx: Ctx): Promise<{ private?: Buffer; renewAt?: Date; diagnostics?: Diagnostic[] }>;
  close(priv: Buffer | undefined, ctx: Ctx): Promise<{ diagnostics?: Diagnostic[] }>;
}

export interface ProviderDefinition {
  providerSchema: Schema;
  resources: Record<string, ResourceType>;
  dataSources: Record<string, DataSourceType>;
  ephemeralResources?: Record<string, EphemeralResourceType>;
  validateConfig(config: CtyObject): Promise<Diagnostic[]>;
  configure(config: CtyObject, terraformVersion: string): Promise<Diagnostic[]>;
}
