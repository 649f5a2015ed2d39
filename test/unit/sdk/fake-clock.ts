import type { Clock } from "../../../sdk/core/clock";

/**
 * Virtual time for pipeline tests: `sleep(ms)` resolves at once and moves time to at least
 * `start + ms`, so concurrent sleepers see a consistent timeline and nothing really waits.
 */
export class FakeClock implements Clock {
  now = 1_000_000;
  readonly sleeps: number[] = [];
  constructor(private readonly randomValue = 0.5) {}
  nowMs(): number {
    return this.now;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) throw signal.reason;
    const start = this.now;
    this.sleeps.push(ms);
    await Promise.resolve();
    // An abort may have happened while we yielded.
    if (aborted(signal)) throw signal?.reason;
    this.now = Math.max(this.now, start + ms);
  }
  random(): number {
    return this.randomValue;
  }
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
