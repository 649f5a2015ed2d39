import fc from "fast-check";
import {
  backoffDelayMs,
  CONNECT_RETRIES,
  DEFAULT_RETRY_POLICY,
  isRetryableOutcome,
  shouldRetry,
  type RetryPolicy,
} from "../../../sdk/core/retry-policy";
import { parseRetryAfter } from "../../../sdk/core/retry-after";

const policy: RetryPolicy = { maxRetries: 3, baseDelayMs: 100, maxDelayMs: 1_000 };

describe("shouldRetry", () => {
  test.each([429, 500, 502, 503, 504, 599])("retries status %i", (status) => {
    expect(shouldRetry(0, { kind: "status", status }, policy)).toBe(true);
  });

  test.each([400, 401, 403, 404, 405, 409, 422])("never retries status %i", (status) => {
    expect(shouldRetry(0, { kind: "status", status }, policy)).toBe(false);
  });

  test("retries connection failures and per-attempt timeouts", () => {
    expect(isRetryableOutcome({ kind: "connection" })).toBe(true);
    expect(isRetryableOutcome({ kind: "timeout" })).toBe(true);
  });

  test("stops after maxRetries", () => {
    expect(shouldRetry(2, { kind: "connection" }, policy)).toBe(true);
    expect(shouldRetry(3, { kind: "connection" }, policy)).toBe(false);
    expect(shouldRetry(0, { kind: "connection" }, { ...policy, maxRetries: 0 })).toBe(false);
  });

  test("a connect that never came up is retried only where a moment can heal it, and at most once", () => {
    const retries = (reason: keyof typeof CONNECT_RETRIES): number => {
      let n = 0;
      while (shouldRetry(n, { kind: "connect", reason }, { ...policy, maxRetries: 10 })) n += 1;
      return n;
    };
    for (const reason of ["refused", "unreachable", "dns", "tls", "certificate"] as const) expect(retries(reason)).toBe(0);
    for (const reason of ["dns-temporary", "timeout", "other"] as const) expect(retries(reason)).toBe(1);
    expect(shouldRetry(0, { kind: "connect", reason: "dns-temporary" }, { ...policy, maxRetries: 0 })).toBe(false);
  });

  test("defaults match the documented contract", () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ maxRetries: 4, baseDelayMs: 250, maxDelayMs: 8_000 });
  });
});

describe("backoffDelayMs", () => {
  test("full jitter: always within [0, min(cap, base * 2^n))", () => {
    fc.assert(
      fc.property(fc.nat(40), fc.double({ min: 0, max: 0.999999, noNaN: true }), (n, r) => {
        const d = backoffDelayMs(n, policy, () => r);
        const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n);
        return d >= 0 && d < ceiling && Number.isInteger(d);
      }),
    );
  });

  test("grows exponentially until the cap", () => {
    const top = (n: number): number => backoffDelayMs(n, policy, () => 0.999999);
    expect([top(0), top(1), top(2), top(3), top(4), top(10)]).toEqual([99, 199, 399, 799, 999, 999]);
  });

  test("a random of 0 means retry at once (full jitter, not equal jitter)", () => {
    expect(backoffDelayMs(5, policy, () => 0)).toBe(0);
  });

  test("Retry-After wins over backoff, without jitter, capped at maxDelayMs", () => {
    expect(backoffDelayMs(0, policy, () => 0, 300)).toBe(300);
    expect(backoffDelayMs(0, policy, () => 0.9, 300)).toBe(300);
    expect(backoffDelayMs(0, policy, () => 0, 60_000)).toBe(1_000);
    expect(backoffDelayMs(0, policy, () => 0, -5)).toBe(0);
  });
});

describe("parseRetryAfter", () => {
  const now = new Date("2025-03-01T12:00:00.000Z");

  test("reads delay-seconds", () => {
    expect(parseRetryAfter("2", now)).toBe(2_000);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
  });

  test("reads an IMF-fixdate HTTP-date relative to now, in UTC whatever the local zone", () => {
    expect(parseRetryAfter("Sat, 01 Mar 2025 12:00:05 GMT", now)).toBe(5_000);
  });

  test("an HTTP-date in the past means now", () => {
    expect(parseRetryAfter("Sat, 01 Mar 2025 11:00:00 GMT", now)).toBe(0);
  });

  test.each([undefined, "", "soon", "-3", "1.5", "Mon, 99 Foo 2025 12:00:00 GMT"])("ignores %p", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});
