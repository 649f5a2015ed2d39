/** Schemas in their tfplugin6 form: the type constraint travels as JSON bytes (`"string"`). */
import type { BlockSchema, Schema } from "../framework";
import { NESTING, type Tf } from "./tfplugin6";

function block(b: BlockSchema): Tf<"Schema.Block"> {
  return {
    ...(b.description !== undefined ? { description: b.description } : {}),
    attributes: b.attributes.map((a) => ({
      name: a.name,
      type: Buffer.from(JSON.stringify(a.type)),
      description: a.description,
      required: a.required === true,
      optional: a.optional === true,
      computed: a.computed === true,
      sensitive: a.sensitive === true,
      deprecated: a.deprecated === true,
    })),
    block_types: (b.blockTypes ?? []).map((n) => ({
      type_name: n.typeName,
      block: block(n.block),
      nesting: NESTING[n.nesting],
      ...(n.minItems !== undefined ? { min_items: n.minItems } : {}),
      ...(n.maxItems !== undefined ? { max_items: n.maxItems } : {}),
    })),
  };
}

export const toProtoSchema = (s: Schema): Tf<"Schema"> => ({ version: s.version, block: block(s.block) });
