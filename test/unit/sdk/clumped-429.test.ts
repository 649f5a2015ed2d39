/**
 * Issue 13's failure mode, deterministically: requests the client paced apart reach the server in a
 * clump (a starved process, network jitter) and the server answers some of them 429. The SDK cannot
 * prevent that; what it guarantees is that every call still succeeds and that the client backs off
 * as one: nothing more is sent on that prefix until the server's Retry-After has passed.
 */
import { DEFAULT_RATE_LIMIT } from "../../../sdk/config";
import { DEFAULT_RETRY_POLICY } from "../../../sdk/core/retry-policy";
import { isPaletteError } from "../../../sdk";
import { harness, json, pathOf, TimelineClock, v1Error, type SentRequest } from "./support";

const ROUND_TRIP_MS = 300;
const RETRY_AFTER_MS = 1_000;

/** A server that answers the requests numbered in `limited` (1-based, in arrival order) 429, after a round trip. */
function clumpedServer(clock: TimelineClock, limited: ReadonlySet<number>) {
  const arrivals: number[] = [];
  const limitedAt: number[] = [];
  const handler = async (req: SentRequest) => {
    arrivals.push(clock.nowMs());
    const n = arrivals.length;
    await clock.sleep(ROUND_TRIP_MS);
    if (!limited.has(n)) return req.method === "GET" ? json(200, { items: [] }) : json(201, {});
    limitedAt.push(clock.nowMs());
    return v1Error(429, "TooManyRequests", "slow down", { "retry-after": String(RETRY_AFTER_MS / 1000) });
  };
  /** Requests that arrived while a 429 answered earlier still asked the client to stay away. */
  const sentDuringPauses = (): number[] => arrivals.filter((t) => limitedAt.some((at) => t >= at && t < at + RETRY_AFTER_MS));
  return { handler, arrivals, limitedAt, sentDuringPauses };
}

// 8/s: a pace whose gaps are whole milliseconds (125), so the timeline below can be exact.
const defaults = { rateLimit: { perSecond: 8, burst: DEFAULT_RATE_LIMIT.burst }, retry: DEFAULT_RETRY_POLICY, timeoutMs: 30_000, deadlineMs: 120_000 } as const;

test("a clump answered 429 despite pacing: all 30 calls succeed and no request is sent while the prefix is paused", async () => {
  const clock = new TimelineClock();
  const server = clumpedServer(clock, new Set([5, 6, 7]));
  const h = harness({ ...defaults, clock, handler: server.handler });

  const results = await clock.run(Promise.all(Array.from({ length: 30 }, () => h.apiKeys.list())));

  expect(results).toHaveLength(30);
  expect(server.limitedAt).toEqual([425, 550, 675]); // requests 5, 6 and 7, sent at 125, 250 and 375
  expect(server.sentDuringPauses()).toEqual([]);
  expect(server.arrivals.filter((t) => t >= 425 && t < 1_675)).toEqual([]);
  expect(h.sent).toHaveLength(33); // 30 answers, 3 retries
  expect(h.events.filter((e) => e.type === "retry").map((e) => [e.code, e.delayMs])).toEqual([
    ["RATE_LIMITED", 1_000],
    ["RATE_LIMITED", 1_000],
    ["RATE_LIMITED", 1_000],
  ]);
  // The clump slowed the client once, not once per 429: after the pause, the burst half the rate
  // refilled meanwhile, then 250 ms apart until answers at that pace come back and speed it up.
  const after = server.arrivals.filter((t) => t >= 1_675);
  expect(after.slice(0, 6)).toEqual([1_675, 1_675, 1_675, 1_675, 1_925, 2_175]);
  const gaps = after.slice(1).map((t, i) => t - after[i]!);
  expect(gaps.slice(-10)).toEqual(Array.from({ length: 10 }, () => 125)); // back to the configured 8/s
});

test("a 429 to a call that is not retried (a create) still pauses the prefix for the client's other calls", async () => {
  const clock = new TimelineClock();
  const server = clumpedServer(clock, new Set([1]));
  const h = harness({ ...defaults, clock, handler: server.handler });
  const once = h.pipeline.send(h.begin("apiKeys.create"), { method: "POST", path: "/v1/apiKeys", body: {}, mode: "once" });
  const later = (async () => {
    await clock.sleep(ROUND_TRIP_MS + 1);
    return h.pipeline.send(h.begin("apiKeys.list"), { method: "GET", path: "/v1/apiKeys", mode: "retry" });
  })();
  const [created] = await clock.run(Promise.allSettled([once, later]));
  expect(created.status === "rejected" && isPaletteError(created.reason) && created.reason.code).toBe("RATE_LIMITED");
  expect(h.sent.map((r) => [r.method, pathOf(r)])).toEqual([
    ["POST", "/v1/apiKeys"],
    ["GET", "/v1/apiKeys"],
  ]);
  expect(server.arrivals).toEqual([0, ROUND_TRIP_MS + RETRY_AFTER_MS]);
});

test("without pacing each call waits out its own Retry-After, and every call succeeds", async () => {
  const clock = new TimelineClock();
  const server = clumpedServer(clock, new Set([2, 3]));
  const h = harness({ ...defaults, rateLimit: false, clock, handler: server.handler });
  const results = await clock.run(Promise.all(Array.from({ length: 4 }, () => h.apiKeys.list())));
  expect(results).toHaveLength(4);
  expect(server.arrivals).toEqual([0, 0, 0, 0, ROUND_TRIP_MS + RETRY_AFTER_MS, ROUND_TRIP_MS + RETRY_AFTER_MS]);
});
