/**
 * Palette's rate limit (10 requests/s, burst 5, per source IP and path prefix, answered with 429
 * and Retry-After), so the SDK's pacing is checked against the limit it must stay under.
 */
import type { RateLimitSettings } from "./options";

interface Bucket {
  tokens: number;
  at: number;
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

/**
 * Token buckets per (path prefix, client IP), the way Palette limits "per source IP, grouped by
 * parent resource prefix". Runs on real monotonic time, not the emulator clock: moving the clock
 * for expiry tests must not refill or drain buckets.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private settings: RateLimitSettings | false;

  constructor(
    settings: RateLimitSettings | false,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    this.settings = validRateLimit(settings);
  }

  configure(settings: RateLimitSettings | false): void {
    this.settings = validRateLimit(settings);
    this.buckets.clear();
  }

  clear(): void {
    this.buckets.clear();
  }

  take(prefix: string, clientIp: string): RateDecision {
    const settings = this.settings;
    if (settings === false) return { ok: true };
    const id = `${prefix} ${clientIp}`;
    const now = this.nowMs();
    const bucket = this.buckets.get(id) ?? { tokens: settings.burst, at: now };
    bucket.tokens = Math.min(settings.burst, bucket.tokens + ((now - bucket.at) / 1000) * settings.perSecond);
    bucket.at = now;
    this.buckets.set(id, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / settings.perSecond)) };
  }
}

export function validRateLimit(settings: RateLimitSettings | false): RateLimitSettings | false {
  if (settings === false) return false;
  const { perSecond, burst } = settings;
  if (!(Number.isFinite(perSecond) && perSecond > 0)) throw new RangeError("rateLimit.perSecond must be a positive number");
  if (!(Number.isInteger(burst) && burst >= 1)) throw new RangeError("rateLimit.burst must be an integer >= 1");
  return { perSecond, burst };
}
