import { Faults, mulberry32 } from "../../../emulator/faults";

const fail = { kind: "status", status: 500 } as const;

describe("Faults.pick", () => {
  it("faults once by default, then lets requests through", () => {
    const f = new Faults(1);
    f.add({ action: fail });
    expect(f.pick("GET", "/v1/apiKeys")).toEqual(fail);
    expect(f.pick("GET", "/v1/apiKeys")).toBeUndefined();
    expect(f.stats).toEqual({ matched: 1, byKind: { status: 1, latency: 0, drop: 0, lostResponse: 0 } });
  });

  it("matches method in any case, exact paths and RegExps (a global flag does not make it alternate)", () => {
    const f = new Faults(1);
    f.add({ method: "post", path: "/v1/apiKeys", times: Infinity, action: { kind: "drop" } });
    f.add({ path: /^\/v1\/users\//g, times: Infinity, action: { kind: "lostResponse" } });
    expect(f.pick("GET", "/v1/apiKeys")).toBeUndefined();
    expect(f.pick("POST", "/v1/apiKeys")?.kind).toBe("drop");
    expect(f.pick("POST", "/v1/apiKeys/x")).toBeUndefined();
    expect([1, 2, 3].map(() => f.pick("GET", "/v1/users/info")?.kind)).toEqual(["lostResponse", "lostResponse", "lostResponse"]);
  });

  it("skips the first N matches, then faults `times` of them; the first matching live rule decides", () => {
    const f = new Faults(1);
    f.add({ path: "/p", skip: 2, times: 2, action: fail });
    f.add({ path: "/p", action: { kind: "drop" } });
    const kinds = Array.from({ length: 6 }, () => f.pick("GET", "/p")?.kind ?? "none");
    expect(kinds).toEqual(["none", "none", "status", "status", "drop", "none"]);
  });

  it("faults by rate from the seeded PRNG, reproducibly, and clear() restarts the sequence", () => {
    const run = (f: Faults) => Array.from({ length: 40 }, () => (f.pick("GET", "/p") === undefined ? 0 : 1)).join("");
    const a = new Faults(7);
    a.add({ rate: 0.3, action: fail });
    const first = run(a);
    a.clear();
    a.add({ rate: 0.3, action: fail });
    expect(run(a)).toBe(first);
    const ones = [...first].filter((c) => c === "1").length;
    expect(ones).toBeGreaterThan(0);
    expect(ones).toBeLessThan(40);
    const b = new Faults(8);
    b.add({ rate: 0.3, action: fail });
    expect(run(b)).not.toBe(first);
  });

  it("a list of actions is a seeded mix: each faulted request gets one of them", () => {
    const mix = [fail, { kind: "drop" }, { kind: "lostResponse" }] as const;
    const run = (seed: number) => {
      const f = new Faults(seed);
      f.add({ rate: 0.5, action: mix });
      return { kinds: Array.from({ length: 60 }, () => f.pick("GET", "/p")?.kind ?? "none"), stats: f.stats };
    };
    const { kinds, stats } = run(3);
    expect(new Set(kinds)).toEqual(new Set(["none", "status", "drop", "lostResponse"]));
    expect(stats.matched).toBe(kinds.filter((k) => k !== "none").length);
    expect(stats.byKind.drop).toBe(kinds.filter((k) => k === "drop").length);
    expect(run(3).kinds).toEqual(kinds);
    expect(() => new Faults(1).add({ action: [] })).toThrow(RangeError);
  });

  it("clear() removes rules and zeroes the stats", () => {
    const f = new Faults(1);
    f.add({ times: Infinity, action: { kind: "latency", ms: 5 } });
    f.pick("GET", "/");
    f.clear();
    expect(f.pick("GET", "/")).toBeUndefined();
    expect(f.stats.matched).toBe(0);
  });
});

describe("mulberry32", () => {
  it("is deterministic and stays within [0, 1)", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
