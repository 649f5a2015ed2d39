/**
 * Property values as the Node.js runtime marshals them to the engine (`runtime/rpc.js`
 * `serializeProperty` with `secrets` supported and output values off), and the one place their
 * shapes are written: a property bag is a {@link PropertyMap}, an unknown the sentinel string
 * {@link UNKNOWN}, and a secret Pulumi's secret object, the signature
 * `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ...}` beside its
 * `value` on the wire or its `ciphertext` in a checkpoint ({@link secretObject}). The provider host
 * speaks `acceptSecrets=false`, so it gets plain values; secretness is kept per top-level property
 * name, as the runner's state records it. The resource monitor, the provider client and the state
 * file all import from here, and this module imports none of them.
 */
import type * as StructPb from "google-protobuf/google/protobuf/struct_pb";

/** A JSON-like property bag as the provider sees it. Undefined values are stripped before sending. */
export type PropertyMap = Record<string, unknown>;

/** Pulumi's unknown sentinel (`runtime/rpc.js unknownValue`), as a preview sends unresolved inputs. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** `rpc.js specialSigKey` and `specialSecretSig`: the key and value that mark a secret object. */
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Pulumi's secret object around `payload`: `{ value }` as the runtime and the engine send a secret,
 * `{ ciphertext }` as a checkpoint stores one (apitype's secret property).
 */
export function secretObject(payload: { value: unknown } | { ciphertext: string }): PropertyMap {
  return { [SIG_KEY]: SECRET_SIG, ...payload };
}

/** `map` with each top-level property named in `secretKeys` in the secret signature (a stack reference's outputs, a provider's inputs). */
export function markSecrets(map: PropertyMap, secretKeys: readonly string[]): PropertyMap {
  const marked: PropertyMap = {};
  for (const [k, v] of Object.entries(map)) marked[k] = secretKeys.includes(k) && v !== undefined ? secretObject({ value: v }) : v;
  return marked;
}

/** Whether `v` is a secret object (either payload). */
export function isSecretObject(v: unknown): v is PropertyMap {
  return typeof v === "object" && v !== null && (v as PropertyMap)[SIG_KEY] === SECRET_SIG;
}

/** A protobuf `Struct` as a plain property bag (an absent Struct is an empty bag). */
export function fromStruct(s: StructPb.Struct | undefined): PropertyMap {
  return s ? (s.toJavaScript() as PropertyMap) : {};
}

/**
 * Deep copy without undefined values (object keys dropped, array items become null, as JSON does):
 * a `Struct` cannot hold `undefined`.
 */
export function stripUndefined(map: PropertyMap): PropertyMap {
  return JSON.parse(JSON.stringify(map)) as PropertyMap;
}

/** Plain values plus the names of the top-level properties that held a secret anywhere inside. */
export function unwrapSecrets(props: PropertyMap): { values: PropertyMap; secretKeys: string[] } {
  const values: PropertyMap = {};
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(props)) {
    const { value, secret } = unwrap(v);
    if (value === undefined) continue;
    values[k] = value;
    if (secret) secretKeys.push(k);
  }
  return { values, secretKeys };
}

function unwrap(v: unknown): { value: unknown; secret: boolean } {
  if (Array.isArray(v)) {
    const items = v.map(unwrap);
    return { value: items.map((i) => (i.value === undefined ? null : i.value)), secret: items.some((i) => i.secret) };
  }
  if (isSecretObject(v)) return { value: unwrap(v.value).value, secret: true };
  if (v !== null && typeof v === "object") {
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const u = unwrap(x);
      secret ||= u.secret;
      if (u.value !== undefined) out[k] = u.value;
    }
    return { value: out, secret };
  }
  return { value: v, secret: false };
}
