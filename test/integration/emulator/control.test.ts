/**
 * The emulator-only control surface `/__emulator`, driven over HTTP as a user's pipeline would
 * (curl, or any HTTP client), checked against what the in-process API then reports.
 */
import type { RunningEmulator } from "../../../emulator";
import { call, createBody, createKey, errorCode, inDays, keyOf, startForTest } from "./support";

let emu: RunningEmulator;
beforeEach(async () => {
  emu = await startForTest({ keyLimitPerUser: 2 });
});
afterEach(() => emu.close());

const ctl = (method: string, path: string, body?: unknown) =>
  call(emu, method, `/__emulator${path}`, { headers: { "X-Emulator-Token": emu.controlToken }, ...(body !== undefined ? { body } : {}) });
const admin = () => keyOf(emu.accounts.admin);

it("answers 401 UnAuthorizedAccess in Palette's envelope without the token, with a wrong one, or with the admin's API key", async () => {
  for (const headers of [{}, { "X-Emulator-Token": "x".repeat(32) }, { ApiKey: emu.accounts.admin.apiKey }]) {
    const res = await call(emu, "POST", "/__emulator/reset", { headers });
    expect([res.status, errorCode(res)]).toEqual([401, "UnAuthorizedAccess"]);
    expect(res.json).toMatchObject({ ref: expect.stringMatching(/^ref-/) as unknown });
    expect(res.text).not.toContain(emu.controlToken);
  }
});

it("checks the token before routing: without it, an unknown path or method under /__emulator is a 401 too", async () => {
  const probes: [string, string, number][] = [
    ["GET", "/__emulator/nothing-here", 404],
    ["GET", "/__emulator/", 404],
    ["POST", "/__emulator/users/alice@palette.local/keys", 404],
    ["DELETE", "/__emulator/clock", 405],
    ["GET", "/__emulator/reset", 405],
  ];
  for (const [method, path, withToken] of probes) {
    for (const headers of [{}, { "X-Emulator-Token": "x".repeat(32) }]) {
      const res = await call(emu, method, path, { headers });
      expect({ method, path, status: res.status, code: errorCode(res), allow: res.headers.get("allow") }).toEqual({
        method,
        path,
        status: 401,
        code: "UnAuthorizedAccess",
        allow: null,
      });
    }
    // With the token the router answers as before: the probe does reach a 404 or a 405.
    const known = await call(emu, method, path, { headers: { "X-Emulator-Token": emu.controlToken } });
    expect({ method, path, status: known.status }).toEqual({ method, path, status: withToken });
  }
  // Outside the prefix nothing changes: a Palette path that does not exist is still a 404 for anyone.
  expect((await call(emu, "GET", "/__emulatorish")).status).toBe(404);
});

it("GET /__emulator shows the clock, the limits, the users and the fault counts", async () => {
  const res = await ctl("GET", "");
  expect(res.status).toBe(200);
  expect(res.json).toMatchObject({
    tenant: emu.tenant,
    now: expect.stringMatching(/^2030-01-15T/) as unknown,
    keyLimitPerUser: 2,
    rateLimit: false,
    faults: { matched: 0 },
  });
  expect((res.json as { users: { email: string; active: boolean }[] }).users.map((u) => [u.email, u.active])).toEqual([
    ["admin@palette.local", true],
    ["alice@palette.local", true],
    ["bob@palette.local", true],
  ]);
});

it("moves the clock: a key created for 7 days is refused once 8 days have passed, and `set` jumps to a date", async () => {
  const { value } = await createKey(emu, admin(), "short-lived", { expiry: inDays(emu, 7) });
  const before = emu.clock.now().getTime();
  const moved = await ctl("POST", "/clock", { advance: "8d" });
  expect(moved.status).toBe(200);
  const after = Date.parse((moved.json as { now: string }).now);
  expect(after - before).toBeGreaterThanOrEqual(8 * 86_400_000);
  expect(after - before).toBeLessThan(9 * 86_400_000);
  expect((await call(emu, "GET", "/v1/users/info", { auth: { apiKey: value } })).status).toBe(401);
  const set = await ctl("POST", "/clock", { set: "2031-06-01T00:00:00.000Z" });
  expect((set.json as { now: string }).now).toMatch(/^2031-06-01T00:00:0/);
  for (const bad of [{ advance: "8 days" }, { advance: "8d", set: "2031-06-01T00:00:00Z" }, {}]) {
    const res = await ctl("POST", "/clock", bad);
    expect([res.status, errorCode(res)]).toEqual([400, "InvalidRequest"]);
  }
});

it("raises the per-user key limit: the create refused with ResourceLimitExceeded goes through after PUT /limits", async () => {
  await createKey(emu, admin(), "k1");
  const third = () => call(emu, "POST", "/v1/apiKeys", { auth: admin(), body: createBody("k2", inDays(emu, 30)) });
  // The seeded admin key counts: 2 of 2.
  const refused = await third();
  expect([refused.status, errorCode(refused)]).toEqual([400, "ResourceLimitExceeded"]);
  const raised = await ctl("PUT", "/limits", { keyLimitPerUser: 50 });
  expect([raised.status, raised.json]).toEqual([200, { keyLimitPerUser: 50, rateLimit: false }]);
  expect((await third()).status).toBe(201);
  expect(emu.keyLimitPerUser()).toBe(50);
  const bad = await ctl("PUT", "/limits", { keyLimitPerUser: -1 });
  expect([bad.status, errorCode(bad)]).toEqual([400, "InvalidRequest"]);
});

it("adds, disables (by email), re-enables and removes a user", async () => {
  const added = await ctl("POST", "/users", { email: "carol@palette.local", firstName: "Carol", lastName: "Chen" });
  expect(added.status).toBe(201);
  const carol = added.json as { uid: string; email: string; active: boolean; role: string };
  expect(carol).toMatchObject({ email: "carol@palette.local", active: true, role: "user" });
  // The seeded users' password, as the banner says.
  const login = await call(emu, "POST", "/v1/auth/authenticate", { body: { emailId: carol.email, password: emu.accounts.admin.password } });
  expect(login.status).toBe(200);
  const taken = await ctl("POST", "/users", { email: "CAROL@palette.local" });
  expect([taken.status, errorCode(taken)]).toEqual([409, "AlreadyExists"]);

  const disabled = await ctl("PATCH", "/users/carol@palette.local", { active: false });
  expect([disabled.status, (disabled.json as { active: boolean }).active]).toEqual([200, false]);
  const seen = await call(emu, "GET", `/v1/users/${carol.uid}`, { auth: admin() });
  expect((seen.json as { status: { isActive: boolean } }).status.isActive).toBe(false);
  expect((await ctl("PATCH", `/users/${carol.uid}`, { active: true })).status).toBe(200);

  expect((await ctl("DELETE", `/users/${carol.uid}`)).status).toBe(204);
  const gone = await ctl("DELETE", `/users/${carol.uid}`);
  expect([gone.status, errorCode(gone)]).toEqual([404, "UserNotFound"]);
  expect((await call(emu, "GET", `/v1/users/${carol.uid}`, { auth: admin() })).status).toBe(404);
});

it("injects faults for N requests, never faults itself, and clears them", async () => {
  const added = await ctl("POST", "/faults", {
    method: "GET",
    path: "/v1/users/info",
    times: 2,
    action: { kind: "status", status: 503, retryAfterSeconds: 1 },
  });
  expect(added.status).toBe(201);
  const statuses = [];
  for (let i = 0; i < 3; i++) statuses.push((await call(emu, "GET", "/v1/users/info", { auth: admin() })).status);
  expect(statuses).toEqual([503, 503, 200]);

  // A rule on every path, every time: the control surface still answers, and clears it.
  expect((await ctl("POST", "/faults", { pathPattern: ".*", rate: 1, action: [{ kind: "status", status: 500 }] })).status).toBe(201);
  expect((await call(emu, "GET", "/v1/users/info", { auth: admin() })).status).toBe(500);
  expect((await ctl("GET", "")).status).toBe(200);
  expect((await ctl("DELETE", "/faults")).status).toBe(204);
  expect((await call(emu, "GET", "/v1/users/info", { auth: admin() })).status).toBe(200);

  for (const bad of [{ action: { kind: "status", status: 99 } }, { pathPattern: "(", action: { kind: "drop" } }, { action: { kind: "explode" } }]) {
    const res = await ctl("POST", "/faults", bad);
    expect([res.status, errorCode(res)]).toEqual([400, "InvalidRequest"]);
  }
});

it("resets to the seeded state: created keys gone, limit back to the start option", async () => {
  const { uid } = await createKey(emu, admin(), "temp");
  await ctl("PUT", "/limits", { keyLimitPerUser: 10 });
  expect((await ctl("POST", "/reset")).status).toBe(204);
  expect(emu.keys().some((k) => k.uid === uid)).toBe(false);
  expect(emu.keyLimitPerUser()).toBe(2);
});
