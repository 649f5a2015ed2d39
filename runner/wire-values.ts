/**
 * Property values as the Node.js runtime marshals them to the engine (`runtime/rpc.js`
 * `serializeProperty` with `secrets` supported and output values off): a secret is an object
 * `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "value": ...}`, an unknown
 * the sentinel string {@link UNKNOWN}. The provider host speaks `acceptSecrets=false`, so it gets plain
 * values; secretness is kept per top-level property name, as the runner's state records it.
 */
import type { PropertyMap } from "./engine-host";

export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

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
  if (v !== null && typeof v === "object") {
    const rec = v as Record<string, unknown>;
    if (rec[SIG_KEY] === SECRET_SIG) return { value: unwrap(rec.value).value, secret: true };
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(rec)) {
      const u = unwrap(x);
      secret ||= u.secret;
      if (u.value !== undefined) out[k] = u.value;
    }
    return { value: out, secret };
  }
  return { value: v, secret: false };
}
