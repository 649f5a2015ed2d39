/**
 * Client-side pacing: one adaptive token bucket per Palette rate-limit prefix, shared by every
 * concurrent call of one client, so a burst of calls is spread out, and a 429 that arrives anyway
 * pauses and slows the whole prefix once instead of each call retrying on its own (no retry storm).
 */
import { rateLimitPrefix } from "../wire";
import { WaitInterrupted, type Clock } from "./clock";
import { TokenBucket, type RateLimit } from "./token-bucket";

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
   * (clock ms) or `signal` aborts, and then frees the reserved slot. A 429 answered meanwhile
   * voids the reservation: the caller then waits behind the pause.
   */
  async acquire(path: string, signal: AbortSignal | undefined, deadlineAt: number): Promise<PaceSlot> {
    const bucket = this.bucketFor(path);
    if (bucket === undefined) return unpaced;
    const started = this.clock.nowMs();
    for (;;) {
      const { waitMs, epoch } = bucket.reserve();
      if (waitMs > 0) {
        if (this.clock.nowMs() + waitMs >= deadlineAt) {
          bucket.release(epoch);
          throw new WaitInterrupted("deadline");
        }
        try {
          await sleepUnless(this.clock, waitMs, signal, bucket.paused);
        } catch {
          if (signal?.aborted === true) {
            bucket.release(epoch);
            throw new WaitInterrupted("aborted");
          }
        }
      }
      // A pause may have come while this call waited (or just as its wait ended): reserve again.
      if (bucket.epoch !== epoch) continue;
      return slotOf(bucket, epoch, this.clock.nowMs() - started);
    }
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

function slotOf(bucket: TokenBucket, epoch: number, waitedMs: number): PaceSlot {
  return {
    waitedMs,
    rateLimited(pauseMs) {
      bucket.pause(epoch, pauseMs);
      return true;
    },
    answered() {
      bucket.accepted(epoch);
    },
  };
}

/**
 * Sleeps until `ms` pass or either signal aborts. Not `AbortSignal.any`: its dependants are kept by
 * the long-lived `paused` signal of a bucket that may never pause.
 */
async function sleepUnless(clock: Clock, ms: number, signal: AbortSignal | undefined, paused: AbortSignal): Promise<void> {
  if (signal === undefined) return clock.sleep(ms, paused);
  if (signal.aborted) throw signal.reason;
  const either = new AbortController();
  const stop = (): void => either.abort();
  signal.addEventListener("abort", stop, { once: true });
  paused.addEventListener("abort", stop, { once: true });
  try {
    await clock.sleep(ms, either.signal);
  } finally {
    signal.removeEventListener("abort", stop);
    paused.removeEventListener("abort", stop);
  }
}
