/**
 * cty values in msgpack, as Terraform puts them in DynamicValue.msgpack (go-cty `cty/msgpack`).
 *
 * Encoding is guided by the schema: an object carries exactly its type's attribute names, null
 * where a value is missing, because Terraform rejects an object with one key too few ("an object
 * with 4 attributes is required (3 given)"). Any msgpack extension decodes to UNKNOWN (type 0 is
 * a plain unknown, 12 a refined one); UNKNOWN encodes as extension 0 with one zero byte, `d4 00 00`.
 */
import { decode, encode, ExtensionCodec } from "@msgpack/msgpack";
import { isCtyObject, UNKNOWN, type CtyObject, type CtyValue } from "./cty";
import type { BlockSchema } from "./definition";

/** Types as they appear on the wire: what a schema declares, plus tuples inside dynamic values. */
export type WireType =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | ["list" | "set" | "map", WireType]
  | ["object", Record<string, WireType>]
  | ["tuple", WireType[]];

/** Raised for a value that does not fit its type; the framework turns it into an error diagnostic. */
export class CtyTypeError extends Error {
  constructor(path: string, expected: string, got: unknown) {
    super(`${path === "" ? "value" : path}: expected ${expected}, got ${describe(got)}`);
    this.name = "CtyTypeError";
  }
}

const describe = (v: unknown): string => (Array.isArray(v) ? "an array" : v === null ? "null" : typeof v);

const decodeCodec = new ExtensionCodec();
for (let type = -128; type <= 127; type++) decodeCodec.register({ type, encode: () => null, decode: () => UNKNOWN });

const encodeCodec = new ExtensionCodec();
encodeCodec.register({ type: 0, encode: (v) => (v === UNKNOWN ? new Uint8Array(1) : null), decode: () => UNKNOWN });

// ---- encoding: CtyValue -> the exact shape of the type -> msgpack ----

type Encodable = null | string | number | boolean | typeof UNKNOWN | Uint8Array | Encodable[] | { [k: string]: Encodable };

export function encodeBlockValue(value: CtyObject | null, block: BlockSchema): Uint8Array {
  return encode(shapeBlock(value, block, ""), { extensionCodec: encodeCodec });
}

export function encodeValue(value: CtyValue, type: WireType): Uint8Array {
  return encode(shape(value, type, ""), { extensionCodec: encodeCodec });
}

function shapeBlock(value: CtyValue | undefined, block: BlockSchema, path: string): Encodable {
  if (value === undefined || value === null || value === UNKNOWN) return value ?? null;
  if (!isCtyObject(value)) throw new CtyTypeError(path, "an object", value);
  const out: { [k: string]: Encodable } = {};
  for (const a of block.attributes) out[a.name] = shape(value[a.name], a.type, join(path, a.name));
  for (const b of block.blockTypes ?? []) {
    const v = value[b.typeName];
    const at = join(path, b.typeName);
    if (b.nesting === "single") out[b.typeName] = shapeBlock(v, b.block, at);
    else if (v === UNKNOWN) out[b.typeName] = UNKNOWN;
    // A list or set of blocks is never null in Terraform: no blocks is an empty collection.
    else if (v === undefined || v === null) out[b.typeName] = [];
    else if (Array.isArray(v)) out[b.typeName] = v.map((e, i) => shapeBlock(e, b.block, `${at}[${i}]`));
    else throw new CtyTypeError(at, "a list of blocks", v);
  }
  return out;
}

function shape(value: CtyValue | undefined, type: WireType, path: string): Encodable {
  if (value === undefined || value === null) return null;
  if (value === UNKNOWN) return UNKNOWN;
  if (type === "dynamic") {
    const actual = inferType(value);
    // A dynamic value travels as [type as JSON bytes, value] so the receiver can decode it.
    return [new TextEncoder().encode(JSON.stringify(actual)), shape(value, actual, path)];
  }
  if (type === "string") {
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw new CtyTypeError(path, "a string", value);
  }
  if (type === "number") {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    throw new CtyTypeError(path, "a finite number", value);
  }
  if (type === "bool") {
    if (typeof value === "boolean") return value;
    throw new CtyTypeError(path, "a bool", value);
  }
  const [kind, inner] = type;
  if (kind === "map" || kind === "object") {
    if (!isCtyObject(value)) throw new CtyTypeError(path, `a ${kind}`, value);
    const out: { [k: string]: Encodable } = {};
    if (kind === "map") for (const [k, v] of Object.entries(value)) out[k] = shape(v, inner, join(path, k));
    else for (const [k, t] of Object.entries(inner)) out[k] = shape(value[k], t, join(path, k));
    return out;
  }
  if (!Array.isArray(value)) throw new CtyTypeError(path, `a ${kind}`, value);
  if (kind === "tuple") {
    if (value.length !== inner.length) throw new CtyTypeError(path, `a tuple of ${inner.length}`, value);
    return inner.map((t, i) => shape(value[i], t, `${path}[${i}]`));
  }
  return value.map((v, i) => shape(v, inner, `${path}[${i}]`));
}

/** The type a dynamic attribute's value is sent with: what the JavaScript value looks like. */
function inferType(value: CtyValue): WireType {
  if (typeof value === "string") return "string";
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "bool";
  if (value === null || value === UNKNOWN) return "dynamic";
  if (Array.isArray(value)) return ["tuple", value.map(inferType)];
  return ["object", Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inferType(v)]))];
}

const join = (path: string, name: string): string => (path === "" ? name : `${path}.${name}`);

// ---- decoding: msgpack -> plain values -> CtyValue guided by the type ----

/** Decodes a block's object; an absent or empty DynamicValue is null. */
export function decodeBlockValue(bytes: Uint8Array | undefined, block: BlockSchema): CtyObject | null {
  if (bytes === undefined || bytes.length === 0) return null;
  const v = readBlock(decode(bytes, { extensionCodec: decodeCodec }), block);
  if (v === UNKNOWN) throw new CtyTypeError("", "a known object", "an unknown value");
  return v;
}

export function decodeValue(bytes: Uint8Array, type: WireType): CtyValue {
  return read(decode(bytes, { extensionCodec: decodeCodec }), type);
}

function readBlock(raw: unknown, block: BlockSchema): CtyObject | null | typeof UNKNOWN {
  if (raw === null || raw === undefined || raw === UNKNOWN) return raw ?? null;
  if (!isPlainObject(raw)) throw new CtyTypeError("", "an object", raw);
  const out: CtyObject = {};
  for (const a of block.attributes) out[a.name] = read(raw[a.name], a.type);
  for (const b of block.blockTypes ?? []) {
    const v = raw[b.typeName];
    if (b.nesting === "single") out[b.typeName] = readBlock(v, b.block);
    else if (Array.isArray(v)) out[b.typeName] = v.map((e) => readBlock(e, b.block));
    else if (v === UNKNOWN || v === null || v === undefined) out[b.typeName] = v ?? null;
    else throw new CtyTypeError(b.typeName, "a list of blocks", v);
  }
  return out;
}

function read(raw: unknown, type: WireType): CtyValue {
  if (raw === undefined || raw === null) return null;
  if (raw === UNKNOWN) return UNKNOWN;
  if (type === "dynamic") {
    // Either [type JSON, value] or, where Terraform had no type to give, a bare value.
    if (Array.isArray(raw) && raw.length === 2 && raw[0] instanceof Uint8Array) {
      return read(raw[1], parseWireType(JSON.parse(new TextDecoder().decode(raw[0]))));
    }
    return readAny(raw);
  }
  // Numbers too large for msgpack's integers arrive as decimal strings.
  if (type === "number" && typeof raw === "string") return Number(raw);
  if (typeof type === "string") return readAny(raw);
  switch (type[0]) {
    case "object":
      if (isPlainObject(raw)) return Object.fromEntries(Object.entries(type[1]).map(([k, t]) => [k, read(raw[k], t)]));
      break;
    case "map":
      if (isPlainObject(raw)) return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, read(v, type[1])]));
      break;
    case "tuple":
      if (Array.isArray(raw)) return type[1].map((t, i) => read(raw[i], t));
      break;
    default:
      if (Array.isArray(raw)) return raw.map((v) => read(v, type[1]));
  }
  throw new CtyTypeError("", `a ${type[0]}`, raw);
}

function readAny(raw: unknown): CtyValue {
  if (raw === null || raw === undefined) return null;
  if (raw === UNKNOWN || typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean") return raw;
  if (Array.isArray(raw)) return raw.map(readAny);
  if (isPlainObject(raw)) return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, readAny(v)]));
  throw new CtyTypeError("", "a cty value", raw);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

/** Checks a type constraint received as JSON (the type half of a dynamic value). */
export function parseWireType(json: unknown): WireType {
  if (json === "string" || json === "number" || json === "bool" || json === "dynamic") return json;
  if (Array.isArray(json) && json.length === 2) {
    const [kind, inner] = json as [unknown, unknown];
    if ((kind === "list" || kind === "set" || kind === "map") && inner !== undefined) return [kind, parseWireType(inner)];
    if (kind === "tuple" && Array.isArray(inner)) return ["tuple", inner.map(parseWireType)];
    if (kind === "object" && isPlainObject(inner)) {
      return ["object", Object.fromEntries(Object.entries(inner).map(([k, t]) => [k, parseWireType(t)]))];
    }
  }
  throw new Error(`unsupported cty type ${JSON.stringify(json)}`);
}
