/** Schemas in their tfplugin6 form: the type constraint travels as JSON bytes (`"string"`). */
import type { BlockSchema, Schema } from "../definition";
import { NESTING, STRING_KIND, type Tf } from "./tfplugin6";

// Descriptions are written in markdown (`name_prefix`, lists): declared so, not as plain text.
const DESCRIPTION_KIND = STRING_KIND.markdown;

function block(b: BlockSchema): Tf<"Schema.Block"> {
  return {
    ...(b.description !== undefined ? { description: b.description, description_kind: DESCRIPTION_KIND } : {}),
    attributes: b.attributes.map((a) => ({
      name: a.name,
      type: Buffer.from(JSON.stringify(a.type)),
      description: a.description,
      description_kind: DESCRIPTION_KIND,
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
