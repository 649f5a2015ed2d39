/**
 * Client-side pacing: one adaptive token bucket per Palette rate-limit prefix, shared by every
 * concurrent call of one client, so a burst of calls is spread out, and a 429 that arrives anyway
 * pauses and slows the whole prefix once instead of each call retrying on its own (no retry storm).
 */
import { rateLimitPrefix } from "../wire";
import { WaitInterrupted, type Clock } from "./clock";
import { TokenBucket, type RateLimit, type Reservation } from "./token-bucket";

export type { RateLimit } from "./token-bucket";

/** Without a usable `Retry-After`, a 429 pauses the prefix this long: Palette's limits are per second. */
export const DEFAULT_PAUSE_MS = 1_000;

/** The right to send one request, and the way to report how the server answered it. */
export interface PaceSlot {
  /** How long `acquire` waited for this slot (0 when sent at once). */
  readonly waitedMs: number;
  /**
   * The server answered 429 and asked for `pauseMs`. Returns true when the pacer now holds the
   * prefix until then, so a retry only needs to `acquire` again; false when the path is not paced
   * and the caller must wait itself.
   */
  rateLimited(pauseMs: number): boolean;
  /** The server answered without 429. */
  answered(): void;
}

const unpaced: PaceSlot = {
  waitedMs: 0,
  rateLimited: () => false,
  answered: () => undefined,
};

export class RatePacer {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limit: RateLimit | false,
    private readonly clock: Clock,
  ) {}

  /**
   * Waits until `path` may be sent. Throws `WaitInterrupted` when the wait would pass `deadlineAt`
   * (clock ms) or `signal` aborts, and then frees the reserved slot.
   */
  async acquire(path: string, signal: AbortSignal | undefined, deadlineAt: number): Promise<PaceSlot> {
    const bucket = this.bucketFor(path);
    if (bucket === undefined) return unpaced;
    const started = this.clock.nowMs();
    for (;;) {
      const reservation = bucket.reserve();
      if (await this.hold(bucket, reservation, signal, deadlineAt)) return slotOf(bucket, bucket.pace, this.clock.nowMs() - started);
    }
  }

  /**
   * Waits for a reserved slot. False when the rate changed meanwhile (a 429 pausing the prefix, or a
   * step of recovery) and the reservation is void: the caller reserves again.
   */
  private async hold(bucket: TokenBucket, r: Reservation, signal: AbortSignal | undefined, deadlineAt: number): Promise<boolean> {
    if (r.waitMs === 0) return true;
    if (this.clock.nowMs() + r.waitMs >= deadlineAt) {
      bucket.release(r.generation);
      throw new WaitInterrupted("deadline");
    }
    // A timer may end a little early (libuv counts from the start of its loop turn): wait the rest.
    for (let rest = r.waitMs; rest > 0; rest = bucket.msUntil(r.at)) {
      try {
        await sleepUnless(this.clock, rest, signal, bucket.requeued);
      } catch {
        if (signal?.aborted === true) {
          bucket.release(r.generation);
          throw new WaitInterrupted("aborted");
        }
      }
      if (bucket.generation !== r.generation) return false;
    }
    bucket.claim(r.generation);
    return true;
  }

  private bucketFor(path: string): TokenBucket | undefined {
    if (this.limit === false) return undefined;
    const prefix = rateLimitPrefix(path);
    if (prefix === undefined) return undefined;
    let bucket = this.buckets.get(prefix);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.limit, () => this.clock.nowMs());
      this.buckets.set(prefix, bucket);
    }
    return bucket;
  }
}

/** A slot sent at `pace`: what its answer says is about that pace. */
function slotOf(bucket: TokenBucket, pace: number, waitedMs: number): PaceSlot {
  return {
    waitedMs,
    rateLimited(pauseMs) {
      bucket.pause(pace, pauseMs);
      return true;
    },
    answered() {
      bucket.accepted(pace);
    },
  };
}

/**
 * Sleeps until `ms` pass or either signal aborts. Not `AbortSignal.any`: its dependants are kept by
 * the long-lived `requeued` signal of a bucket whose rate may never change.
 */
async function sleepUnless(clock: Clock, ms: number, signal: AbortSignal | undefined, requeued: AbortSignal): Promise<void> {
  if (signal === undefined) return clock.sleep(ms, requeued);
  if (signal.aborted) throw signal.reason;
  const either = new AbortController();
  const stop = (): void => either.abort();
  signal.addEventListener("abort", stop, { once: true });
  requeued.addEventListener("abort", stop, { once: true });
  try {
    await clock.sleep(ms, either.signal);
  } finally {
    signal.removeEventListener("abort", stop);
    requeued.removeEventListener("abort", stop);
  }
}
