import { WaitInterrupted } from "../../../sdk/core/clock";
import { RatePacer } from "../../../sdk/core/rate-limiter";
import { TokenBucket } from "../../../sdk/core/token-bucket";
import { FakeClock, TimelineClock } from "./support";

/** The waits of `n` reservations taken now. */
const waits = (b: TokenBucket, n: number): number[] => Array.from({ length: n }, () => b.reserve().waitMs);

describe("TokenBucket", () => {
  test("grants the burst at once, then one slot per 1/perSecond, in reservation order", () => {
    let now = 0;
    const b = new TokenBucket({ perSecond: 8, burst: 4 }, () => now);
    expect(waits(b, 8)).toEqual([0, 0, 0, 0, 125, 250, 375, 500]);
    now = 1_000; // 8 tokens refilled: the 4 owed are paid, 4 remain, capped at burst
    expect(waits(b, 5)).toEqual([0, 0, 0, 0, 125]);
  });

  test("never accumulates more than the burst", () => {
    let now = 0;
    const b = new TokenBucket({ perSecond: 10, burst: 2 }, () => now);
    now = 60_000;
    expect(waits(b, 3)).toEqual([0, 0, 100]);
  });

  test("a released reservation shortens the queue behind it", () => {
    const now = 0;
    const b = new TokenBucket({ perSecond: 1, burst: 1 }, () => now);
    expect(waits(b, 2)).toEqual([0, 1_000]);
    b.release(b.generation);
    expect(waits(b, 1)).toEqual([1_000]);
  });
});

describe("TokenBucket after a 429", () => {
  test("pauses for the asked time at half the rate; then only what that rate refilled meanwhile goes at once", () => {
    let now = 0;
    const b = new TokenBucket({ perSecond: 8, burst: 4 }, () => now);
    b.reserve();
    now = 100;
    b.pause(b.pace, 1_000);
    expect(b.perSecond).toBe(4);
    expect(waits(b, 5)).toEqual([1_000, 1_000, 1_000, 1_000, 1_250]);
  });

  test("a Retry-After of 0 means no pause, but the server's bucket is empty: no burst", () => {
    const now = 0;
    const b = new TokenBucket({ perSecond: 8, burst: 4 }, () => now);
    b.pause(b.pace, 0);
    expect(waits(b, 2)).toEqual([250, 500]);
  });

  test("voids the reservations made before it: their holders are woken and a late release changes nothing", () => {
    const now = 0;
    const b = new TokenBucket({ perSecond: 8, burst: 1 }, () => now);
    const before = [b.reserve(), b.reserve(), b.reserve()];
    expect(before.map((r) => r.waitMs)).toEqual([0, 125, 250]);
    const woken = b.requeued;
    b.pause(b.pace, 500);
    expect(woken.aborted).toBe(true);
    expect(b.requeued.aborted).toBe(false);
    b.release(before[2]!.generation);
    expect(waits(b, 2)).toEqual([500, 750]);
  });

  test("slows down once per clump: 429s to requests sent before the slow-down only lengthen the pause", () => {
    let now = 0;
    const b = new TokenBucket({ perSecond: 8, burst: 4 }, () => now);
    const clump = b.pace;
    b.pause(clump, 1_000);
    now = 10;
    b.pause(clump, 1_000); // a later answer of the same clump: the pause now ends at 1010
    now = 20;
    b.pause(clump, 500); // ends before the pause does: nothing changes
    expect([b.perSecond, b.pace, b.generation]).toEqual([4, 1, 2]);
    expect(waits(b, 1)).toEqual([990]);
    now = 1_010;
    b.pause(b.pace, 1_000); // a 429 at the lower pace: slow down again
    expect(b.perSecond).toBe(2);
  });

  test("recovers a sixteenth of the rate per answer at the current pace, up to the configured rate, and never drops below an eighth", () => {
    let now = 0;
    const b = new TokenBucket({ perSecond: 8, burst: 4 }, () => now);
    for (let i = 0; i < 10; i += 1) b.pause(b.pace, 0);
    expect(b.perSecond).toBe(1);
    b.accepted(b.pace - 1); // an answer to a request sent before the last slow-down says nothing about this pace
    expect(b.perSecond).toBe(1);
    const rates = Array.from({ length: 16 }, () => {
      b.accepted(b.pace);
      return b.perSecond;
    });
    expect(rates).toEqual([1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8, 8]);
    now = 60_000;
    expect(waits(b, 5)).toEqual([0, 0, 0, 0, 125]);
  });

  test("a step of recovery moves the waiting queue to the new rate from the slot its first holder had", () => {
    const now = 0;
    const b = new TokenBucket({ perSecond: 8, burst: 4 }, () => now);
    b.pause(b.pace, 0);
    expect(waits(b, 3)).toEqual([250, 500, 750]);
    const woken = b.requeued;
    b.accepted(b.pace);
    expect(woken.aborted).toBe(true);
    expect(waits(b, 3)).toEqual([250, 473, 695]); // 4.5/s: 222 ms apart
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
    expect((await pacer.acquire("/v1/apiKeys", undefined, Infinity)).waitedMs).toBe(0);
    expect((await pacer.acquire("/v1/users/info", undefined, Infinity)).waitedMs).toBe(0);
    expect((await pacer.acquire("/v1/auth/authenticate", undefined, Infinity)).waitedMs).toBe(0);
    expect((await pacer.acquire("/v1/spectroclusters", undefined, Infinity)).waitedMs).toBe(0);
    expect((await pacer.acquire("/v1/apiKeys/x", undefined, Infinity)).waitedMs).toBe(1_000);
    const off = new RatePacer(false, clock);
    for (let i = 0; i < 10; i += 1) expect((await off.acquire("/v1/apiKeys", undefined, Infinity)).waitedMs).toBe(0);
  });

  test("refuses a wait that would pass the deadline, and frees the slot", async () => {
    const clock = new FakeClock();
    const pacer = new RatePacer({ perSecond: 1, burst: 1 }, clock);
    await pacer.acquire("/v1/apiKeys", undefined, Infinity);
    await expect(pacer.acquire("/v1/apiKeys", undefined, clock.nowMs() + 500)).rejects.toEqual(new WaitInterrupted("deadline"));
    expect((await pacer.acquire("/v1/apiKeys", undefined, Infinity)).waitedMs).toBe(1_000);
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

describe("RatePacer after a 429", () => {
  test("a 429 to one call pauses every call of the prefix: the waiting ones are held behind it, other prefixes go on", async () => {
    const clock = new TimelineClock();
    const pacer = new RatePacer({ perSecond: 8, burst: 4 }, clock);
    const sent: { path: string; at: number }[] = [];
    const send = async (path: string): Promise<void> => {
      const slot = await pacer.acquire(path, undefined, Infinity);
      sent.push({ path, at: clock.nowMs() });
      await clock.sleep(50); // the answer's round trip
      if (sent.length === 5) slot.rateLimited(1_000);
      else slot.answered();
    };
    await clock.run(Promise.all([...Array.from({ length: 10 }, () => send("/v1/apiKeys")), (async () => {
      await clock.sleep(300);
      await send("/v1/users");
    })()]));
    // The fifth request (sent at 125) is answered 429 at 175: nothing more on /v1/apiKeys until 1175,
    // then the four slots that half the rate refilled during the pause, and the fifth 250 ms later.
    const keys = sent.filter((s) => s.path === "/v1/apiKeys").map((s) => s.at);
    expect(keys).toEqual([0, 0, 0, 0, 125, 1_175, 1_175, 1_175, 1_175, 1_425]);
    expect(keys.filter((t) => t > 175 && t < 1_175)).toEqual([]);
    expect(sent.find((s) => s.path === "/v1/users")?.at).toBe(300);
  });

  test("an abort while held behind a pause frees nothing twice and ends with WaitInterrupted('aborted')", async () => {
    const clock = new TimelineClock();
    const pacer = new RatePacer({ perSecond: 1, burst: 1 }, clock);
    const first = await pacer.acquire("/v1/apiKeys", undefined, Infinity);
    const ac = new AbortController();
    const held = pacer.acquire("/v1/apiKeys", ac.signal, Infinity).catch((e: unknown) => e);
    await clock.run(
      (async () => {
        await clock.sleep(10);
        first.rateLimited(5_000);
        await clock.sleep(10);
        ac.abort();
      })(),
    );
    expect(await held).toEqual(new WaitInterrupted("aborted"));
    expect(clock.nowMs()).toBe(20);
  });
});
