import type { RunningEmulator } from "../../../emulator";
import { emulatorPerFile } from "../../helpers/emulator-per-file";
import { call, createBody, errorCode, inDays, keyOf, startForTest, leakedKeyValues } from "./support";

let emu: RunningEmulator;
emulatorPerFile(startForTest, (started) => (emu = started));

const admin = () => keyOf(emu.accounts.admin);
const create = (name: string) => call(emu, "POST", "/v1/apiKeys", { auth: admin(), body: createBody(name, inDays(emu, 7)) });
const userKeys = () => emu.keys().filter((k) => !k.seeded);

describe("status faults", () => {
  it("answer with the status, envelope and Retry-After instead of handling: nothing changes", async () => {
    emu.faults.add({ method: "POST", path: "/v1/apiKeys", action: { kind: "status", status: 503, retryAfterSeconds: 2 } });
    const res = await create("never");
    expect([res.status, errorCode(res)]).toEqual([503, "ServiceUnavailable"]);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(userKeys()).toHaveLength(0);
    // times defaults to 1: the retry goes through.
    expect((await create("never")).status).toBe(201);
    expect(emu.faults.stats).toEqual({ matched: 1, byKind: { status: 1, latency: 0, drop: 0, lostResponse: 0 } });
    expect(emu.requests().map((r) => [r.status, r.fault])).toEqual([[503, "status"], [201, undefined]]);
  });

  it("honour custom code and message, skip, times, method and RegExp paths, first matching rule wins", async () => {
    emu.faults.add({ method: "get", path: /^\/v1\/users/, skip: 1, times: 2, action: { kind: "status", status: 500, code: "Boom", message: "scripted" } });
    emu.faults.add({ path: "/v1/users/info", action: { kind: "status", status: 502 } });
    const statuses: [number, unknown][] = [];
    for (let i = 0; i < 5; i++) {
      const res = await call(emu, "GET", "/v1/users/info", { auth: admin() });
      statuses.push([res.status, errorCode(res)]);
    }
    // 1st skipped, 2nd and 3rd faulted by rule 1, 4th by rule 2 (rule 1 exhausted), 5th clean.
    expect(statuses).toEqual([
      [200, undefined],
      [500, "Boom"],
      [500, "Boom"],
      [502, "BadGateway"],
      [200, undefined],
    ]);
    expect((await call(emu, "POST", "/v1/users/summary", { auth: admin(), body: {} })).status).toBe(200);
  });

  it("fault by rate from a seeded PRNG: the same seed gives the same sequence", async () => {
    const run = async (target: RunningEmulator) => {
      target.faults.add({ path: "/v1/users/info", rate: 0.5, action: { kind: "status", status: 500 } });
      const out: number[] = [];
      for (let i = 0; i < 16; i++) out.push((await call(target, "GET", "/v1/users/info", { auth: keyOf(target.accounts.admin) })).status);
      return out;
    };
    const first = await run(emu);
    emu.reset();
    const again = await run(emu);
    expect(again).toEqual(first);
    expect(first).toContain(500);
    expect(first).toContain(200);
    const other = await startForTest({ faultSeed: 99 });
    try {
      expect(await run(other)).not.toEqual(first);
    } finally {
      await other.close();
    }
  });
});

describe("latency", () => {
  it("delays, then handles the request normally", async () => {
    emu.faults.add({ method: "POST", action: { kind: "latency", ms: 30 } });
    expect((await create("slow")).status).toBe(201);
    expect(userKeys().map((k) => k.name)).toEqual(["slow"]);
    expect(emu.requests()[0]?.fault).toBe("latency");
  });

  it("does not keep close() waiting", async () => {
    const slow = await startForTest();
    slow.faults.add({ action: { kind: "latency", ms: 60_000 } });
    const pending = fetch(`${slow.url}/v1/users/info`).catch((e: unknown) => e);
    // Wait (bounded) until the request is inside the latency fault.
    for (let i = 0; i < 400 && slow.faults.stats.byKind.latency === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(slow.faults.stats.byKind.latency).toBe(1);
    await slow.close();
    // fetch's TypeError comes from another realm than jest's, so check by name.
    expect(await pending).toMatchObject({ name: "TypeError", message: "fetch failed" });
  });
});

describe("drop", () => {
  it("destroys the connection before handling: the client sees a network error and no key is made", async () => {
    emu.faults.add({ method: "POST", path: "/v1/apiKeys", action: { kind: "drop" } });
    await expect(create("dropped")).rejects.toThrow();
    expect(userKeys()).toHaveLength(0);
    expect(emu.requests()[0]).toMatchObject({ method: "POST", path: "/v1/apiKeys", status: 0, fault: "drop" });
  });
});

describe("lostResponse", () => {
  it("commits the change, then destroys the connection without answering", async () => {
    emu.faults.add({ method: "POST", path: "/v1/apiKeys", action: { kind: "lostResponse" } });
    await expect(create("committed")).rejects.toThrow();
    expect(userKeys().map((k) => k.name)).toEqual(["committed"]);
    expect(emu.requests()[0]).toMatchObject({ status: 201, fault: "lostResponse" });
    // The retry a naive client would make now collides.
    expect(errorCode(await create("committed"))).toBe("AlreadyExists");
  });

  it("on a delete: the key is gone although the client heard nothing", async () => {
    await create("to-delete");
    const uid = userKeys()[0]?.uid ?? "";
    emu.faults.add({ method: "DELETE", action: { kind: "lostResponse" } });
    await expect(call(emu, "DELETE", `/v1/apiKeys/${uid}`, { auth: admin() })).rejects.toThrow();
    expect(userKeys()).toHaveLength(0);
  });
});

describe("rule validation", () => {
  it("rejects rules that cannot work", () => {
    expect(() => emu.faults.add({ action: { kind: "status", status: 42 } })).toThrow(/status/);
    expect(() => emu.faults.add({ rate: 2, action: { kind: "drop" } })).toThrow(/rate/);
    expect(() => emu.faults.add({ skip: -1, action: { kind: "drop" } })).toThrow(/skip/);
    expect(() => emu.faults.add({ action: { kind: "latency", ms: Number.NaN } })).toThrow(/latency/);
  });
});

it("never returned a key value in any response after the create that made it", () => {
  expect(leakedKeyValues()).toEqual([]);
});
