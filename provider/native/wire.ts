/**
 * Property values on the ResourceProvider wire, as the plugin sees them. It answers
 * `acceptSecrets: true`, so the engine sends secrets in Pulumi's wire form (the signature
 * `4dabf18193072939515e22adb298388d` beside `value`); the operations work on plain values and the
 * plugin puts the secretness back on what it returns: the inputs that came secret, and the key.
 * The engine would copy secretness from an input to the same-named output only, never to a new one
 * such as `key`, so that one is wrapped here for every language (YAML has no SDK to mark it).
 */
import type * as StructPb from "google-protobuf/google/protobuf/struct_pb";
import { pulumiProto } from "./proto";

export type Props = Record<string, unknown>;

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** The outputs that are secret whatever the inputs were. */
export const SECRET_OUTPUTS = ["key"] as const;

const isSecret = (v: unknown): v is { value?: unknown } =>
  typeof v === "object" && v !== null && !Array.isArray(v) && (v as Props)[SIG_KEY] === SECRET_SIG;

/** `v` in Pulumi's secret wrapper. */
export const secret = (v: unknown): Props => ({ [SIG_KEY]: SECRET_SIG, value: v });

/** `v` with every secret wrapper removed, and whether there was one anywhere inside. */
function reveal(v: unknown): { value: unknown; secret: boolean } {
  if (isSecret(v)) return { value: reveal(v.value).value, secret: true };
  if (Array.isArray(v)) {
    const items = v.map(reveal);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (typeof v === "object" && v !== null) {
    const entries = Object.entries(v).map(([k, x]) => [k, reveal(x)] as const);
    return { value: Object.fromEntries(entries.map(([k, r]) => [k, r.value])), secret: entries.some(([, r]) => r.secret) };
  }
  return { value: v, secret: false };
}

/** A property bag as plain values, with the names of the top-level properties that held a secret. */
export interface Revealed {
  values: Props;
  secrets: Set<string>;
}

export function revealed(props: Props): Revealed {
  const values: Props = {};
  const secrets = new Set<string>();
  for (const [k, v] of Object.entries(props)) {
    const r = reveal(v);
    values[k] = r.value;
    if (r.secret) secrets.add(k);
  }
  return { values, secrets };
}

/** `props` with the named properties (those present) wrapped as secrets; undefined values dropped. */
export function concealed(props: Props, names: Iterable<string>): Props {
  const out: Props = JSON.parse(JSON.stringify(props)) as Props;
  for (const name of names) if (out[name] !== undefined && !isSecret(out[name])) out[name] = secret(out[name]);
  return out;
}

/** A Struct's plain values and secret names; an absent Struct is an empty bag. */
export function fromStruct(s: StructPb.Struct | undefined): Revealed {
  return revealed(s === undefined ? {} : (s.toJavaScript() as Props));
}

/** A property bag as a Struct (no undefined inside: JSON's rules). */
export function toStruct(props: Props): StructPb.Struct {
  return pulumiProto().Struct.fromJavaScript(JSON.parse(JSON.stringify(props)) as Parameters<typeof StructPb.Struct.fromJavaScript>[0]);
}
