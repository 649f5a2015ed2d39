/**
 * The provider's clock. Real time, unless `PALETTE_APIKEYS_NOW` names an instant: then the clock
 * starts there when first read and runs on in real time. That lets a pipeline or a test rehearse a
 * rotation schedule (against the emulator, whose clock moves the same way) without waiting weeks;
 * with real Palette, whose clock cannot be moved, it would only make the provider misjudge expiry.
 */
import { parseExpiresAt } from "./expiry";

export const CLOCK_ENV = "PALETTE_APIKEYS_NOW";

export function clockFrom(env: Record<string, string | undefined>, realNow: () => number = () => Date.now()): () => Date {
  const text = env[CLOCK_ENV]?.trim();
  if (text === undefined || text === "") return () => new Date(realNow());
  const start = parseExpiresAt(text);
  if (!start.ok) throw new Error(`${CLOCK_ENV}: ${start.reason}; unset it to use the real clock`);
  const startedAt = realNow();
  return () => new Date(start.value.getTime() + (realNow() - startedAt));
}
