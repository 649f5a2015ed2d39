/**
 * Retry policy as data plus pure functions; the request loop only asks them.
 * Full jitter (AWS architecture blog, "Exponential Backoff And Jitter"): delay = random(0, min(cap, base * 2^n)).
 */

import type { ConnectFailureReason } from "../errors";

/** How a failed attempt ended, as far as retrying is concerned. */
export type AttemptOutcome =
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "timeout" }
  | { readonly kind: "connection" }
  /** No connection was established: nothing was sent. */
  | { readonly kind: "connect"; readonly reason: ConnectFailureReason };

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

/**
 * At most this many retries (within `maxRetries`) after a connection that never came up. Most of
 * these cannot heal while an operation waits, and retrying them is what made a wrong host take two
 * minutes; the retry would be safe (nothing was sent) but useless.
 * - `refused`: nothing listens on that host and port. Not retried: a typo'd port or a stopped
 *   emulator is the common case, and stays under the 5 s a wrong host should cost. A Palette behind a
 *   load balancer that is mid-deploy answers 502/503 (retried with backoff) rather than refusing, and a
 *   backend that really refuses for a while needs longer than any retry that keeps that bound; the
 *   engine's next run is the retry.
 * - `unreachable`, `dns` (ENOTFOUND), `tls`, `certificate`: routing, names, protocol and trust are
 *   configuration; a retry meets the same answer.
 * - `dns-temporary` (EAI_AGAIN): the resolver itself failed, which a moment can fix: one retry.
 * - `timeout`: a lost SYN can be resent; a firewall that drops packets costs the connect timeout on
 *   every try, so only one retry.
 * - `other`: a connect that failed some other way (e.g. reset during the handshake): one retry.
 */
export const CONNECT_RETRIES: Readonly<Record<ConnectFailureReason, number>> = {
  refused: 0,
  unreachable: 0,
  dns: 0,
  "dns-temporary": 1,
  tls: 0,
  certificate: 0,
  timeout: 1,
  other: 1,
};

/** 429, any 5xx, a connection reset and a per-attempt timeout may succeed on another try; see `CONNECT_RETRIES` for connects. */
export function isRetryableOutcome(outcome: AttemptOutcome): boolean {
  if (outcome.kind === "connect") return CONNECT_RETRIES[outcome.reason] > 0;
  if (outcome.kind !== "status") return true;
  return outcome.status === 429 || (outcome.status >= 500 && outcome.status <= 599);
}

/** Whether to try again after `retriesSoFar` retries ended in `outcome`. */
export function shouldRetry(retriesSoFar: number, outcome: AttemptOutcome, policy: RetryPolicy): boolean {
  const limit = outcome.kind === "connect" ? Math.min(policy.maxRetries, CONNECT_RETRIES[outcome.reason]) : policy.maxRetries;
  return retriesSoFar < limit && isRetryableOutcome(outcome);
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
