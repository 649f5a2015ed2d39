/**
 * Time as the request pipeline sees it: a monotonic millisecond counter, an abortable sleep and a
 * random source. Injected so pacing, backoff and deadlines are testable without waiting.
 */
import { performance } from "node:perf_hooks";

export interface Clock {
  /** Monotonic milliseconds; only differences are meaningful. */
  nowMs(): number;
  /** Resolves after `ms`; rejects with the signal's reason as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Uniform in [0, 1), for jitter. */
  random(): number;
}

/** setTimeout fires at once for anything above 2^31 - 1 ms. */
const MAX_TIMER_MS = 2_147_483_647;

/** Sleeps `ms` milliseconds unless `signal` aborts first (then rejects with its reason). */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.min(MAX_TIMER_MS, Math.max(0, ms)));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export const realClock: Clock = {
  nowMs: () => performance.now(),
  sleep: abortableSleep,
  random: () => Math.random(),
};

/** A wait that ended early: the call's deadline would pass, or its signal aborted. */
export class WaitInterrupted extends Error {
  constructor(readonly reason: "deadline" | "aborted") {
    super(reason === "deadline" ? "the call's deadline would pass while waiting" : "the call was aborted while waiting");
    this.name = "WaitInterrupted";
  }
}

/**
 * Waits for `promise`, but no longer than until `deadlineAt` (clock ms) and only while `signal` is
 * not aborted; otherwise rejects with `WaitInterrupted`. `promise` itself keeps running.
 * The deadline guard is a real timer: it only bounds a wait that something else resolves.
 */
export async function waitWithin<T>(
  promise: Promise<T>,
  clock: Clock,
  deadlineAt: number,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (signal?.aborted === true) throw new WaitInterrupted("aborted");
  const stop = new AbortController();
  const combined = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  const timer = abortableSleep(deadlineAt - clock.nowMs(), combined).then(
    () => {
      throw new WaitInterrupted("deadline");
    },
    () => {
      throw new WaitInterrupted(signal?.aborted === true ? "aborted" : "deadline");
    },
  );
  try {
    return await Promise.race([promise, timer]);
  } finally {
    stop.abort();
    timer.catch(() => undefined);
  }
}
