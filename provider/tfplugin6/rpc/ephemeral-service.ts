/**
 * The ephemeral-resource RPCs of protocol 6.7 (Terraform 1.10+) mapped onto a definition's
 * `ephemeralResources`, beside the provider service's other handlers (provider-service.ts, which
 * hands in its decoding and encoding so both conform values the same way). Terraform keeps only the
 * `private` bytes between open, renew and close; the result itself is never stored.
 */
import type { CtyObject } from "../cty";
import type { Ctx, Diagnostic, EphemeralResourceType, ProviderDefinition, Schema } from "../definition";
import { errorDiagnostic, toProtoDiagnostic } from "../protocol/diagnostics";
import type { RpcRequest, RpcResponse, Tf } from "../protocol/tfplugin6";
import type { StillOpen } from "./still-open";

type EphemeralRpc = "ValidateEphemeralResourceConfig" | "OpenEphemeralResource" | "RenewEphemeralResource" | "CloseEphemeralResource";

export type EphemeralHandlers = { [R in EphemeralRpc]: (request: RpcRequest<R>) => Promise<RpcResponse<R>> };

/** What the provider service lends: its call context and its value codec (with its diagnostics on a missing value). */
export interface ServiceTools {
  ctx: () => Ctx;
  object: (dv: Tf<"DynamicValue"> | undefined, schema: Schema, what: string) => CtyObject;
  encoded: (value: CtyObject | null, schema: Schema) => Tf<"DynamicValue">;
  /** What this process opened and Terraform did not close yet: closed before the process exits. */
  stillOpen: StillOpen;
}

/** The open resource's key in `stillOpen`: its type and private bytes, which Terraform hands back to close it. */
const tokenKey = (typeName: string, priv: Buffer | undefined): string => `${typeName}\0${priv?.toString("base64") ?? ""}`;

const diagnostics = (list: readonly Diagnostic[] | undefined): Tf<"Diagnostic">[] => (list ?? []).map(toProtoDiagnostic);

const timestamp = (at: Date | undefined): { renew_at?: Tf<"Timestamp"> } => {
  if (at === undefined) return {};
  const ms = at.getTime();
  return { renew_at: { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 } };
};

const privateOf = (bytes: Buffer | undefined): { private?: Buffer } => (bytes !== undefined && bytes.length > 0 ? { private: bytes } : {});

/** An unknown type name answers with a diagnostic (never a gRPC error), as every handler does. */
function found(definition: ProviderDefinition, name: string | undefined): EphemeralResourceType | Tf<"Diagnostic"> {
  const types = definition.ephemeralResources ?? {};
  const type = name !== undefined && Object.hasOwn(types, name) ? types[name] : undefined;
  if (type !== undefined) return type;
  const known = Object.keys(types).join(", ") || "none";
  return toProtoDiagnostic(errorDiagnostic(`Unknown ephemeral resource type "${name ?? ""}"`, `This provider has these ephemeral resource types: ${known}.`));
}

const isType = (t: EphemeralResourceType | Tf<"Diagnostic">): t is EphemeralResourceType => "schema" in t;

export function ephemeralHandlers(definition: ProviderDefinition, tools: ServiceTools): EphemeralHandlers {
  const tokens = new Map<string, number>();
  return {
    ValidateEphemeralResourceConfig: async (req) => {
      const t = found(definition, req.type_name);
      if (!isType(t)) return { diagnostics: [t] };
      return { diagnostics: diagnostics(await t.validate(tools.object(req.config, t.schema, "configuration"))) };
    },

    OpenEphemeralResource: async (req) => {
      const t = found(definition, req.type_name);
      if (!isType(t)) return { diagnostics: [t] };
      const res = await t.open(tools.object(req.config, t.schema, "configuration"), tools.ctx());
      if (res.result !== null) {
        const key = tokenKey(req.type_name ?? "", res.private);
        tokens.set(key, tools.stillOpen.add(() => t.close(res.private, tools.ctx())));
      }
      return {
        result: tools.encoded(res.result, t.schema),
        ...privateOf(res.private),
        ...timestamp(res.renewAt),
        diagnostics: diagnostics(res.diagnostics),
      };
    },

    RenewEphemeralResource: async (req) => {
      const t = found(definition, req.type_name);
      if (!isType(t)) return { diagnostics: [t] };
      // Without renew, open never set renew_at and Terraform does not call this: keep what it holds.
      if (t.renew === undefined) return { ...privateOf(req.private) };
      const res = await t.renew(req.private, tools.ctx());
      return { ...privateOf(res.private ?? req.private), ...timestamp(res.renewAt), diagnostics: diagnostics(res.diagnostics) };
    },

    CloseEphemeralResource: async (req) => {
      const t = found(definition, req.type_name);
      if (!isType(t)) return { diagnostics: [t] };
      const key = tokenKey(req.type_name ?? "", req.private);
      const res = await t.close(req.private, tools.ctx());
      const token = tokens.get(key);
      if (token !== undefined) tools.stillOpen.remove(token);
      tokens.delete(key);
      return { diagnostics: diagnostics(res.diagnostics) };
    },
  };
}
