/**
 * Protocol buffer messages written as compact field specs, `{ summary: "string 2", steps:
 * "repeated AttributePath.Step 1" }`, read like a `.proto` file. One spec gives both the protobufjs
 * descriptor (built at start-up, no `.proto` parsing) and the TypeScript type of each message, so
 * the two cannot drift apart.
 *
 * Only what goes on the wire matters to a peer: field numbers and wire types. Message names are
 * local, enums are declared `int32` (the same varint) and a oneof's members are plain fields
 * (we only ever set one).
 */
import { Root } from "protobufjs/light";

/** Field specs of every message in one package, keyed by message name (`"Schema.Block"` nests). */
export type PackageSpec = Readonly<Record<string, Readonly<Record<string, string>>>>;

interface Scalars {
  bytes: Buffer;
  string: string;
  bool: boolean;
  int32: number;
  int64: number;
}

type ValueOf<P extends PackageSpec, T extends string> = T extends keyof Scalars
  ? Scalars[T]
  : T extends keyof P
    ? Message<P, T>
    : never;

type FieldOf<P extends PackageSpec, S extends string> = S extends `repeated ${infer T} ${number}`
  ? ValueOf<P, T>[]
  : S extends `map<string,${infer T}> ${number}`
    ? Record<string, ValueOf<P, T>>
    : S extends `${infer T} ${number}`
      ? ValueOf<P, T>
      : never;

/** A message as a plain object; every field optional, as proto3 leaves zero values off the wire. */
export type Message<P extends PackageSpec, N extends keyof P> = {
  -readonly [F in keyof P[N]]?: P[N][F] extends string ? FieldOf<P, P[N][F]> : never;
};

interface FieldJson {
  id: number;
  type: string;
  rule?: "repeated";
  keyType?: string;
}

interface NamespaceJson {
  fields?: Record<string, FieldJson>;
  nested?: Record<string, NamespaceJson>;
}

function fieldJson(spec: string): FieldJson {
  const match = /^(repeated )?(?:map<(\w+),([\w.]+)>|([\w.]+)) (\d+)$/.exec(spec);
  if (match === null) throw new Error(`bad field spec "${spec}"`);
  const [, repeated, keyType, mapValue, type, id] = match;
  return {
    id: Number(id),
    type: mapValue ?? type ?? "",
    ...(keyType !== undefined ? { keyType } : {}),
    ...(repeated !== undefined ? { rule: "repeated" as const } : {}),
  };
}

function packageJson(spec: PackageSpec): NamespaceJson {
  const pkg: NamespaceJson = { nested: {} };
  for (const [name, fields] of Object.entries(spec)) {
    let ns = pkg;
    for (const part of name.split(".")) {
      ns.nested ??= {};
      ns = ns.nested[part] ??= {};
    }
    ns.fields = Object.fromEntries(Object.entries(fields).map(([field, s]) => [field, fieldJson(s)]));
  }
  return pkg;
}

/** Builds one protobufjs root holding every package (`{ "grpc.health.v1": spec }`). */
export function buildRoot(packages: Record<string, PackageSpec>): Root {
  const nested: Record<string, NamespaceJson> = {};
  for (const [name, spec] of Object.entries(packages)) {
    const parts = name.split(".");
    let ns: NamespaceJson = { nested };
    for (const part of parts.slice(0, -1)) ns = (ns.nested ??= {})[part] ??= {};
    (ns.nested ??= {})[parts[parts.length - 1] ?? name] = packageJson(spec);
  }
  return Root.fromJSON({ nested });
}
