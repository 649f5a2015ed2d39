/**
 * The emulator's notion of now. Tests and the control surface move it to rehearse expiry and token
 * lifetimes without waiting; it never stops, so two timestamps taken apart still differ.
 */
import type { EmulatorClock } from "./options";

/**
 * A clock that runs with real time from a chosen start, plus a manual offset that tests move.
 * Real time keeps flowing so that timestamps taken moments apart still differ, like a real server's.
 */
export function createClock(start: Date = new Date(), realNowMs: () => number = () => performance.now()): EmulatorClock {
  const startedAtReal = realNowMs();
  let baseMs = start.getTime();
  let offsetMs = 0;
  const nowMs = (): number => baseMs + (realNowMs() - startedAtReal) + offsetMs;
  return {
    now: () => new Date(Math.floor(nowMs())),
    advance(ms: number) {
      if (!Number.isFinite(ms)) throw new RangeError("clock.advance: ms must be a finite number");
      offsetMs += ms;
    },
    set(d: Date) {
      const t = d.getTime();
      if (!Number.isFinite(t)) throw new RangeError("clock.set: invalid date");
      baseMs = t - (realNowMs() - startedAtReal);
      offsetMs = 0;
    },
  };
}
