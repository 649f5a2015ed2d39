import { RateLimiter } from "../../../emulator/rate-limiter";

describe("RateLimiter", () => {
  let now = 0;
  const limiter = (perSecond = 10, burst = 5) => new RateLimiter({ perSecond, burst }, () => now);

  beforeEach(() => {
    now = 0;
  });

  it("allows a burst, then refuses with a Retry-After rounded up to whole seconds", () => {
    const l = limiter(10, 5);
    for (let i = 0; i < 5; i++) expect(l.take("/v1/apiKeys", "ip")).toEqual({ ok: true });
    expect(l.take("/v1/apiKeys", "ip")).toEqual({ ok: false, retryAfterSeconds: 1 });
    const slow = limiter(0.25, 1);
    slow.take("/v1/users", "ip");
    expect(slow.take("/v1/users", "ip")).toEqual({ ok: false, retryAfterSeconds: 4 });
  });

  it("refills at perSecond, never beyond the burst", () => {
    const l = limiter(10, 5);
    for (let i = 0; i < 5; i++) l.take("/v1/apiKeys", "ip");
    now += 100;
    expect(l.take("/v1/apiKeys", "ip").ok).toBe(true);
    expect(l.take("/v1/apiKeys", "ip").ok).toBe(false);
    now += 60_000;
    const results = Array.from({ length: 6 }, () => l.take("/v1/apiKeys", "ip").ok);
    expect(results).toEqual([true, true, true, true, true, false]);
  });

  it("keeps one bucket per prefix and client IP", () => {
    const l = limiter(1, 1);
    expect(l.take("/v1/apiKeys", "a").ok).toBe(true);
    expect(l.take("/v1/apiKeys", "a").ok).toBe(false);
    expect(l.take("/v1/users", "a").ok).toBe(true);
    expect(l.take("/v1/apiKeys", "b").ok).toBe(true);
  });

  it("can be turned off and reconfigured (which empties the buckets)", () => {
    const l = limiter(1, 1);
    l.take("/v1/auth", "a");
    l.configure(false);
    for (let i = 0; i < 100; i++) expect(l.take("/v1/auth", "a").ok).toBe(true);
    l.configure({ perSecond: 1, burst: 2 });
    expect([l.take("/v1/auth", "a").ok, l.take("/v1/auth", "a").ok, l.take("/v1/auth", "a").ok]).toEqual([true, true, false]);
  });

  it("rejects settings that cannot work", () => {
    expect(() => limiter(0, 1)).toThrow(/perSecond/);
    expect(() => limiter(1, 0)).toThrow(/burst/);
    expect(() => limiter(Number.POSITIVE_INFINITY, 1)).toThrow(/perSecond/);
  });
});
