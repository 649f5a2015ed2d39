import fc from "fast-check";
import { parseExpiresAt, parseExpiresIn, resolveExpiresIn, sameInstant } from "../../../../provider/core/expiry";

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

describe("parseExpiresAt without zod", () => {
  // The parser was zod's iso.date()/iso.datetime({ offset: true }); it now uses its own regular
  // expressions (the Terraform provider's start-up path must not load zod). Same verdicts, always.
  const { z } = jest.requireActual<typeof import("zod")>("zod");
  const zodDay = z.iso.date();
  const zodInstant = z.iso.datetime({ offset: true });
  const before = (text: string): boolean => {
    if (zodDay.safeParse(text).success) {
      const d = new Date(`${text}T23:59:59.999Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
    }
    return zodInstant.safeParse(text).success && !Number.isNaN(new Date(text).getTime());
  };
  const pick = (xs: readonly string[]) => fc.constantFrom(...xs);
  // Mostly well-formed pieces, each sometimes just out of range, so both verdicts are common.
  const num = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(2, "0"));
  const text = fc
    .tuple(
      pick(["2027", "1999", "0000", "20271", "27"]),
      pick(["-", "-", "-", "/"]),
      fc.oneof(num(1, 12), num(0, 13), pick(["1", "001"])),
      pick(["-"]),
      fc.oneof(num(1, 28), num(28, 31), num(0, 32), pick(["1"])),
      fc.option(
        fc.tuple(
          pick(["T", "T", "T", "t", " "]),
          fc.oneof(num(0, 23), num(20, 25), pick(["1"])),
          fc.oneof(num(0, 59), num(55, 61)).map((m) => `:${m}`),
          fc.option(fc.oneof(num(0, 59), num(55, 61)).map((sec) => `:${sec}`)),
          fc.option(pick([".5", ".123456", ".", ".1234567890"])),
          pick(["Z", "Z", "z", "+02:00", "-23:59", "+24:00", "+02:60", "+0200", "+02", ""]),
        ),
      ),
    )
    .map(([y, s1, m, s2, d, time]) => `${y}${s1}${m}${s2}${d}${time ? time.map((part) => part ?? "").join("") : ""}`);

  it.each([
    "2027-01-31T24:00:00Z", // Date accepts 24:00; RFC 3339 and zod do not
    "2027-02-29T00:00:00Z", // not a leap year: Date rolls over, zod refuses
    "2028-02-29T00:00:00Z",
    "2027-02-29",
    "2027-01-31T12:00:60Z",
    "2027-01-31T12:00:00.123456789+05:30",
    "2027-01-31T12:00:00+24:00",
  ])("agrees with the zod-based parser on %s", (edge) => {
    expect(parseExpiresAt(edge).ok).toBe(before(edge));
  });

  it("accepts and rejects exactly what the zod-based parser did", () => {
    let accepted = 0;
    fc.assert(
      fc.property(text, (s) => {
        if (before(s)) accepted++;
        return parseExpiresAt(s).ok === before(s);
      }),
      { numRuns: 20_000 },
    );
    expect(accepted).toBeGreaterThan(400); // the generator reaches both verdicts
  });
});
