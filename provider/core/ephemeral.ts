/**
 * A key for one run (Terraform's ephemeral palette_api_key): its expiry bounds a run that dies
 * before it can delete the key, so the default is short. Pure: the clock is a parameter.
 */
import { parseExpiresIn, resolveExpiresIn } from "./expiry";

export const DEFAULT_EPHEMERAL_EXPIRES_IN = "1h";

/** The instant a key for one run expires; `expiresIn` passed the format rules. */
export function ephemeralExpiry(expiresIn: string | undefined, now: Date): Date {
  const parsed = parseExpiresIn(expiresIn ?? DEFAULT_EPHEMERAL_EXPIRES_IN);
  if (!parsed.ok) throw new Error(`unreachable: expires_in was validated (${parsed.reason})`);
  return resolveExpiresIn(parsed.value, now);
}
