/**
 * Client-side pacing: one token bucket per Palette rate-limit prefix, shared by every concurrent call
 * of one client, so a burst of calls is spread out instead of meeting Palette's 429s.
 */
import { rateLimitPrefix } from "../wire";
import { WaitInterrupted, type Clock } from "./clock";

/** Requests per second and burst size. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/**
 * A token bucket that hands out reservations: tokens may go negative, and a negative balance is the
 * queue of callers already promised a slot, so concurrent callers are served in order.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly nowMs: () => number,
  ) {
    this.tokens = limit.burst;
    this.last = nowMs();
  }

  /** Takes one token; returns how many ms the caller must wait before using it. */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.limit.perSecond) * 1000);
  }

  /** Gives back a reservation that will not be used (the caller gave up waiting). */
  release(): void {
    this.refill();
    this.tokens = Math.min(this.limit.burst, this.tokens + 1);
  }

  private refill(): void {
    const now = this.nowMs();
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) * this.limit.perSecond) / 1000);
    this.last = now;
  }
}

export class RatePacer {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly limit: RateLimit | false,
    private readonly clock: Clock,
  ) {}

  /**
   * Waits until `path` may be sent. Returns the ms waited. Throws `WaitInterrupted` when the wait
   * would pass `deadlineAt` (clock ms) or `signal` aborts, and then frees the reserved slot.
   */
  async acquire(path: string, signal: AbortSignal | undefined, deadlineAt: number): Promise<number> {
    if (this.limit === false) return 0;
    const prefix = rateLimitPrefix(path);
    if (prefix === undefined) return 0;
    let bucket = this.buckets.get(prefix);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.limit, () => this.clock.nowMs());
      this.buckets.set(prefix, bucket);
    }
    const wait = bucket.reserve();
    if (wait === 0) return 0;
    if (this.clock.nowMs() + wait >= deadlineAt) {
      bucket.release();
      throw new WaitInterrupted("deadline");
    }
    try {
      await this.clock.sleep(wait, signal);
    } catch {
      bucket.release();
      throw new WaitInterrupted("aborted");
    }
    return wait;
  }
}
