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

/** A promised send slot: send at `at` (clock ms), `waitMs` from now; valid only while the bucket is still in `generation`. */
export interface Reservation {
  readonly at: number;
  readonly waitMs: number;
  readonly generation: number;
}

/**
 * A token bucket kept as the time of its next free slot (GCRA's "theoretical arrival time"), so a
 * reservation may lie in the future: callers that arrive together are queued in arrival order.
 *
 * Pacing alone cannot keep the server from answering 429: requests paced apart can still arrive
 * together (a starved process sends its overdue requests at once; jitter and proxies bunch them).
 * `pause` is how the bucket hears of it; `accepted` how it hears that the lower rate works. When the
 * rate changes, the reservations already handed out are void (a new `generation`): their holders are
 * woken through `requeued` and reserve again, so the whole queue moves at the new rate.
 */
export class TokenBucket {
  private rate: number;
  private nextSlot: number;
  private resumeAt = -Infinity;
  /** Bumped by each pause: 429s and answers to requests of an older pace say nothing about this one. */
  private paceNo = 0;
  private generationNo = 0;
  /** Reservations of this generation whose holders are still waiting: the last slots before `nextSlot`. */
  private waiting = 0;
  private voided = requeueController();

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

  get pace(): number {
    return this.paceNo;
  }

  get generation(): number {
    return this.generationNo;
  }

  /** Aborts when the reservations handed out so far become void: their holders must reserve again. */
  get requeued(): AbortSignal {
    return this.voided.signal;
  }

  /** Takes the next slot; a wait of 0 means "send now". */
  reserve(): Reservation {
    const now = this.nowMs();
    const at = Math.max(now, this.resumeAt, this.nextSlot - this.tolerance());
    this.nextSlot = Math.max(this.nextSlot, at) + this.interval();
    const waitMs = this.msUntil(at);
    if (waitMs > 0) this.waiting += 1;
    return { at, waitMs, generation: this.generationNo };
  }

  /** Whole ms from now until `at`; 0 once it has come. */
  msUntil(at: number): number {
    // Slot times are sums of 1000/rate: drop float noise before rounding up.
    return Math.max(0, Math.ceil(at - this.nowMs() - 1e-6));
  }

  /** The holder of a reservation that had to wait is using it now. */
  claim(generation: number): void {
    if (generation === this.generationNo) this.waiting -= 1;
  }

  /** Gives back a reservation that had to wait and will not be used; a void one is already gone. */
  release(generation: number): void {
    if (generation !== this.generationNo) return;
    this.waiting -= 1;
    this.nextSlot -= this.interval();
  }

  /**
   * The server answered 429 to a request sent at `pace` and asked for `pauseMs`: nothing is sent
   * before then. Only a 429 at the current pace lowers the rate; the others answer requests sent
   * before the last slow-down, already accounted for.
   */
  pause(pace: number, pauseMs: number): void {
    const now = this.nowMs();
    const slowDown = pace === this.paceNo;
    const resumeAt = now + Math.max(0, pauseMs);
    if (!slowDown && resumeAt <= this.resumeAt) return;
    if (slowDown) {
      this.rate = Math.max(this.limit.perSecond * MIN_RATE_SHARE, this.rate / 2);
      this.paceNo += 1;
    }
    this.resumeAt = Math.max(this.resumeAt, resumeAt);
    // The server's bucket is empty now, and refills while we pause: ours too, at the lower rate, so
    // the burst sent when the pause ends is no more than what the server has regained meanwhile.
    this.requeue(now + this.tolerance() + this.interval());
  }

  /** The server answered a request sent at `pace` without 429: the rate recovers a step (additive increase). */
  accepted(pace: number): void {
    if (pace !== this.paceNo || this.rate >= this.limit.perSecond) return;
    const firstWaiting = this.nextSlot - this.tolerance() - this.waiting * this.interval();
    this.rate = Math.min(this.limit.perSecond, this.rate + this.limit.perSecond * RECOVERY_SHARE);
    // The queue moves at the new rate from the slot its first holder already had.
    if (this.waiting > 0) this.requeue(Math.max(this.nowMs(), firstWaiting) + this.tolerance());
  }

  private requeue(nextSlot: number): void {
    this.nextSlot = nextSlot;
    this.waiting = 0;
    this.generationNo += 1;
    const woken = this.voided;
    this.voided = requeueController();
    woken.abort();
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
function requeueController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}
