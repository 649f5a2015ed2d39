/**
 * The adaptive token bucket behind client-side pacing: reservations in order, a pause when the server
 * answers 429 anyway, a lower rate after it and a gradual return to the configured one.
 */
import { setMaxListeners } from "node:events";

/** Requests per second and burst size. */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
}

/** A 429 halves the rate, but never below this share of the configured rate. */
export const MIN_RATE_SHARE = 1 / 8;
/** Each answer without 429 gives back this share of the configured rate (from half to full in 8 answers). */
export const RECOVERY_SHARE = 1 / 16;

/** A promised send slot: wait `waitMs`, then send; valid only while the bucket is still in `epoch`. */
export interface Reservation {
  readonly waitMs: number;
  readonly epoch: number;
}

/**
 * A token bucket kept as the time of its next free slot (GCRA's "theoretical arrival time"), so a
 * reservation may lie in the future: callers that arrive together are queued in arrival order.
 *
 * Pacing alone cannot keep the server from answering 429: requests paced apart can still arrive
 * together (a starved process sends its overdue requests at once; jitter and proxies bunch them).
 * `pause` is how the bucket hears of it. Each pause starts a new epoch: reservations made before it
 * are void (their holders are woken through `paused` and reserve again behind the pause).
 */
export class TokenBucket {
  private rate: number;
  private nextSlot: number;
  private resumeAt = -Infinity;
  private epochNo = 0;
  private pauses = pauseController();

  constructor(
    private readonly limit: RateLimit,
    private readonly nowMs: () => number,
  ) {
    this.rate = limit.perSecond;
    this.nextSlot = nowMs();
  }

  /** The rate in force now (requests per second). */
  get perSecond(): number {
    return this.rate;
  }

  get epoch(): number {
    return this.epochNo;
  }

  /** Aborts when the bucket pauses: reservations of the epoch before are void. */
  get paused(): AbortSignal {
    return this.pauses.signal;
  }

  /** Takes the next slot; a wait of 0 means "send now". */
  reserve(): Reservation {
    const now = this.nowMs();
    const at = Math.max(now, this.nextSlot - this.tolerance());
    this.nextSlot = Math.max(this.nextSlot, now) + this.interval();
    return { waitMs: Math.ceil(at - now), epoch: this.epochNo };
  }

  /** Gives back a reservation that will not be used (the caller gave up waiting); a void one is already gone. */
  release(epoch: number): void {
    if (epoch === this.epochNo) this.nextSlot -= this.interval();
  }

  /**
   * The server answered 429 to a request reserved in `epoch` and asked for `pauseMs`. Nothing is
   * sent before then, and afterwards without a burst. Only a 429 to a request of the current epoch
   * lowers the rate: the others answer requests sent before the pause, already accounted for.
   */
  pause(epoch: number, pauseMs: number): void {
    const slowDown = epoch === this.epochNo;
    const resumeAt = this.nowMs() + Math.max(0, pauseMs);
    if (!slowDown && resumeAt <= this.resumeAt) return;
    if (slowDown) this.rate = Math.max(this.limit.perSecond * MIN_RATE_SHARE, this.rate / 2);
    this.resumeAt = Math.max(this.resumeAt, resumeAt);
    // The first slot after the pause is resumeAt and no burst has built up.
    this.nextSlot = this.resumeAt + this.tolerance();
    this.epochNo += 1;
    const woken = this.pauses;
    this.pauses = pauseController();
    woken.abort();
  }

  /** The server answered a request of `epoch` without 429: the rate recovers a step (additive increase). */
  accepted(epoch: number): void {
    if (epoch !== this.epochNo) return;
    this.rate = Math.min(this.limit.perSecond, this.rate + this.limit.perSecond * RECOVERY_SHARE);
  }

  private interval(): number {
    return 1000 / this.rate;
  }

  /** How far ahead of `nextSlot` a request may go: the burst, in time at the current rate. */
  private tolerance(): number {
    return (this.limit.burst - 1) * this.interval();
  }
}

/** Every call waiting on the prefix listens to it: a burst of 100 calls is normal, not a leak. */
function pauseController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
