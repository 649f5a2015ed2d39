/**
 * The limiter runs on real time, so these tests use refill rates slow enough (one token per
 * several seconds) that no token can come back while a test runs: outcomes do not depend on speed.
 */
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { call, errorCode, keyOf, startForTest } from "./support";

let emu: RunningEmulator;
afterEach(async () => {
  await emu.close();
});

const info = () => call(emu, "GET", "/v1/users/info", { auth: keyOf(emu.accounts.admin) });

it("limits by default at Palette's burst of 5 per prefix: requests beyond it get 429 TooManyRequests with Retry-After", async () => {
  emu = await startEmulator();
  // The bucket starts full (5); at 10/s, 30 requests sent at once all pass only if the server took
  // 2.5 s to read them. (One after another, a starved process could space them out that much.)
  const results = await Promise.all(Array.from({ length: 30 }, () => info()));
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(5);
  const limited = results.filter((r) => r.status === 429);
  expect(limited.length).toBeGreaterThan(0);
  expect(limited.map((r) => [errorCode(r), r.headers.get("retry-after")])).toContainEqual(["TooManyRequests", "1"]);
});

it("sends 429 with the envelope and a Retry-After in whole seconds, per prefix", async () => {
  emu = await startForTest({ rateLimit: { perSecond: 0.2, burst: 2 } });
  expect((await info()).status).toBe(200);
  expect((await info()).status).toBe(200);
  const limited = await info();
  expect([limited.status, errorCode(limited)]).toEqual([429, "TooManyRequests"]);
  expect(limited.headers.get("retry-after")).toBe("5");
  expect(limited.headers.get("content-type")).toBe("application/json");
  // Another prefix has its own bucket.
  expect((await call(emu, "GET", "/v1/apiKeys", { auth: keyOf(emu.accounts.admin) })).status).toBe(200);
  // Paths outside Palette's limited prefixes are not limited (here: 404s).
  for (let i = 0; i < 4; i++) expect((await call(emu, "GET", "/v2/other")).status).toBe(404);
  expect(emu.requests().filter((r) => r.status === 429)).toHaveLength(1);
});

it("can be turned off and changed at run time, and reset() restores the start setting", async () => {
  emu = await startForTest({ rateLimit: { perSecond: 0.2, burst: 1 } });
  expect((await info()).status).toBe(200);
  expect((await info()).status).toBe(429);
  emu.setRateLimit(false);
  for (let i = 0; i < 10; i++) expect((await info()).status).toBe(200);
  emu.setRateLimit({ perSecond: 0.1, burst: 3 });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await info()).status);
  expect(statuses).toEqual([200, 200, 200, 429]);
  emu.reset();
  expect((await info()).status).toBe(200);
  expect((await info()).status).toBe(429);
});

it("is off with rateLimit: false", async () => {
  emu = await startForTest({ rateLimit: false });
  for (let i = 0; i < 20; i++) expect((await info()).status).toBe(200);
});

it("rejects nonsensical settings", async () => {
  emu = await startForTest();
  expect(() => emu.setRateLimit({ perSecond: 0, burst: 1 })).toThrow(/perSecond/);
  expect(() => emu.setRateLimit({ perSecond: 1, burst: 0.5 })).toThrow(/burst/);
});
