import { WaitInterrupted } from "../../../sdk/core/clock";
import { RatePacer, TokenBucket } from "../../../sdk/core/rate-limiter";
import { FakeClock } from "./fake-clock";

describe("TokenBucket", () => {
  test("grants the burst at once, then one slot per 1/perSecond, in reservation order", () => {
    let now = 0;
    const b = new TokenBucket({ perSecond: 8, burst: 4 }, () => now);
    const waits = Array.from({ length: 8 }, () => b.reserve());
    expect(waits).toEqual([0, 0, 0, 0, 125, 250, 375, 500]);
    now = 1_000; // 8 tokens refilled: the 4 owed are paid, 4 remain, capped at burst
    expect([b.reserve(), b.reserve(), b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 0, 0, 125]);
  });

  test("never accumulates more than the burst", () => {
    let now = 0;
    const b = new TokenBucket({ perSecond: 10, burst: 2 }, () => now);
    now = 60_000;
    expect([b.reserve(), b.reserve(), b.reserve()]).toEqual([0, 0, 100]);
  });

  test("a released reservation shortens the queue behind it", () => {
    const now = 0;
    const b = new TokenBucket({ perSecond: 1, burst: 1 }, () => now);
    expect(b.reserve()).toBe(0);
    expect(b.reserve()).toBe(1_000);
    b.release();
    expect(b.reserve()).toBe(1_000);
  });
});

describe("RatePacer", () => {
  test("paces concurrent calls of one prefix so no window exceeds the limit", async () => {
    const clock = new FakeClock();
    const pacer = new RatePacer({ perSecond: 8, burst: 4 }, clock);
    const start = clock.nowMs();
    const sendTimes: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, async () => {
        await pacer.acquire("/v1/apiKeys", undefined, Infinity);
        sendTimes.push(clock.nowMs() - start);
      }),
    );
    sendTimes.sort((a, b) => a - b);
    // Palette's bucket (10/s, burst 5) admits at most 5 + 10 * t requests by time t: check every prefix of the schedule.
    sendTimes.forEach((t, i) => expect(i + 1).toBeLessThanOrEqual(5 + (10 * t) / 1000));
    expect(sendTimes[29]).toBe(3_250); // (30 - 4) / 8 s
  });

  test("buckets are per prefix; unlimited paths and a disabled pacer never wait", async () => {
    const clock = new FakeClock();
    const pacer = new RatePacer({ perSecond: 1, burst: 1 }, clock);
    expect(await pacer.acquire("/v1/apiKeys", undefined, Infinity)).toBe(0);
    expect(await pacer.acquire("/v1/users/info", undefined, Infinity)).toBe(0);
    expect(await pacer.acquire("/v1/auth/authenticate", undefined, Infinity)).toBe(0);
    expect(await pacer.acquire("/v1/spectroclusters", undefined, Infinity)).toBe(0);
    expect(await pacer.acquire("/v1/apiKeys/x", undefined, Infinity)).toBe(1_000);
    const off = new RatePacer(false, clock);
    for (let i = 0; i < 10; i += 1) expect(await off.acquire("/v1/apiKeys", undefined, Infinity)).toBe(0);
  });

  test("refuses a wait that would pass the deadline, and frees the slot", async () => {
    const clock = new FakeClock();
    const pacer = new RatePacer({ perSecond: 1, burst: 1 }, clock);
    await pacer.acquire("/v1/apiKeys", undefined, Infinity);
    await expect(pacer.acquire("/v1/apiKeys", undefined, clock.nowMs() + 500)).rejects.toEqual(new WaitInterrupted("deadline"));
    expect(await pacer.acquire("/v1/apiKeys", undefined, Infinity)).toBe(1_000);
  });

  test("an abort ends the wait with WaitInterrupted('aborted')", async () => {
    const clock = new FakeClock();
    const pacer = new RatePacer({ perSecond: 1, burst: 1 }, clock);
    await pacer.acquire("/v1/apiKeys", undefined, Infinity);
    const ac = new AbortController();
    ac.abort();
    const err: unknown = await pacer.acquire("/v1/apiKeys", ac.signal, Infinity).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitInterrupted);
    expect((err as WaitInterrupted).reason).toBe("aborted");
  });
});
