import { FakeClock } from "./fake-clock";

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly wake: () => void;
}

/**
 * Virtual time that moves only in `run`: sleepers wake one at a time, in time order, each after
 * everything already runnable has run. Unlike `FakeClock` (where every sleep ends at once), what a
 * test reads from `nowMs()` is when a thing would really have happened, so it can check a schedule.
 */
export class TimelineClock extends FakeClock {
  private timers: Timer[] = [];
  private seq = 0;

  constructor() {
    super();
    this.now = 0;
  }

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      const timer: Timer = {
        at: this.now + Math.max(0, ms),
        seq: (this.seq += 1),
        wake: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Drives time until `work` settles; fails if it waits on nothing this clock can wake. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.finally(() => {
      settled = true;
    });
    for (;;) {
      // setImmediate runs after every pending promise job: all that can run at `now` has run.
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return done;
      const next = this.timers.reduce<Timer | undefined>((a, t) => (a === undefined || t.at < a.at || (t.at === a.at && t.seq < a.seq) ? t : a), undefined);
      if (next === undefined) throw new Error("the work waits on something other than this clock");
      this.timers = this.timers.filter((t) => t !== next);
      this.now = next.at;
      next.wake();
    }
  }
}
