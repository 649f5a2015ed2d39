import { parseExpiresAt, parseExpiresIn, resolveExpiresIn, sameInstant } from "../../../provider/core/expiry";

describe("expiry parsing", () => {
  it.each([
    ["7d", 7 * 86_400_000],
    ["30d", 30 * 86_400_000],
    ["90d", 90 * 86_400_000],
    ["1h", 3_600_000],
    ["400d", 400 * 86_400_000],
  ])("parses %s", (text, ms) => {
    expect(parseExpiresIn(text)).toEqual({ ok: true, value: ms });
  });

  it.each(["", "0d", "0h", "-3d", "1.5d", "abc", "30", "d", "07d", "30D", " 30d", "1e3d"])("rejects %j", (text) => {
    expect(parseExpiresIn(text).ok).toBe(false);
  });

  it("reads a day as its last millisecond, UTC, and instants as written", () => {
    expect(parseExpiresAt("2027-01-31")).toEqual({ ok: true, value: new Date("2027-01-31T23:59:59.999Z") });
    expect(parseExpiresAt("2024-02-29")).toEqual({ ok: true, value: new Date("2024-02-29T23:59:59.999Z") });
    expect(parseExpiresAt("2027-01-31T12:00:00.5-01:00")).toEqual({ ok: true, value: new Date("2027-01-31T13:00:00.500Z") });
  });

  it.each(["2027-02-29", "2027-13-01", "2027-1-5", "31/01/2027", "2027-01-31T25:00:00Z", "2027-01-31T12:00:00", "tomorrow"])(
    "rejects %j with an example of what to write",
    (text) => {
      const r = parseExpiresAt(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/2027-01-31/);
    },
  );

  it("resolves relative to the current minute", () => {
    expect(resolveExpiresIn(3_600_000, new Date("2026-01-01T10:20:59.999Z")).toISOString()).toBe("2026-01-01T11:20:00.000Z");
  });

  it("compares instants, and nothing that is not one", () => {
    expect(sameInstant("2026-01-01T00:00:00Z", "2026-01-01T01:00:00+01:00")).toBe(true);
    expect(sameInstant(undefined, undefined)).toBe(false);
    expect(sameInstant("x", "x")).toBe(false);
  });
});
