/**
 * Retry policy as data plus pure functions; the request loop only asks them.
 * Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): delay = random(0, min(cap, base * 2^n)).
 */

/** How a failed attempt ended, as far as retrying is concerned. */
export type AttemptOutcome =
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "timeout" }
  | { readonly kind: "connection" };

/** When and how long to retry. */
export interface RetryPolicy {
  /** Retries after the first attempt. @default 4 */
  readonly maxRetries: number;
  /** Base of the exponential backoff. @default 250 */
  readonly baseDelayMs: number;
  /** Cap of one backoff wait, and of an honoured `Retry-After`. @default 8000 */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 4, baseDelayMs: 250, maxDelayMs: 8_000 };

/** 429, any 5xx, a connection reset/refusal and a per-attempt timeout may succeed on another try. */
export function isRetryableOutcome(outcome: AttemptOutcome): boolean {
  if (outcome.kind !== "status") return true;
  return outcome.status === 429 || (outcome.status >= 500 && outcome.status <= 599);
}

/** Whether to try again after `retriesSoFar` retries ended in `outcome`. */
export function shouldRetry(retriesSoFar: number, outcome: AttemptOutcome, policy: RetryPolicy): boolean {
  return retriesSoFar < policy.maxRetries && isRetryableOutcome(outcome);
}

/**
 * The wait before retry number `retriesSoFar + 1`. A server's `Retry-After` wins (without jitter,
 * it already spreads clients) but is capped at `maxDelayMs`; otherwise full jitter.
 */
export function backoffDelayMs(
  retriesSoFar: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retriesSoFar, 30));
  return Math.floor(random() * ceiling);
}
