import { UserInfoWire, UserTokenWire } from "../../../sdk/wire";
import type { RunningEmulator } from "../../../emulator";
import { call, createKey, errorCode, keyOf, startForTest, leakedKeyValues } from "./support";

let emu: RunningEmulator;
let logLines: string[] = [];
beforeAll(async () => {
  emu = await startForTest({ log: (line) => logLines.push(line) });
});
afterEach(() => {
  emu.reset();
  logLines = [];
});
afterAll(() => emu.close());

const MINUTE = 60_000;
const whoAmI = async (opts: Parameters<typeof call>[3]) => call(emu, "GET", "/v1/users/info", opts);
const login = async (emailId: string, password: string, org?: string) =>
  call(emu, "POST", "/v1/auth/authenticate", { body: { emailId, password, ...(org !== undefined ? { org } : {}) } });

describe("API key authentication", () => {
  it.each(["ApiKey", "apiKey", "apikey", "APIKEY", "Apikey"])("accepts the key in a %s header", async (name) => {
    const res = await whoAmI({ headers: { [name]: emu.accounts.admin.apiKey } });
    expect(res.status).toBe(200);
    expect(UserInfoWire.parse(res.json)).toEqual({ orgName: "emulated-org", tenantUid: emu.tenant.uid, userUid: emu.accounts.admin.uid });
  });

  it("accepts the key as an ?ApiKey= query parameter (any case)", async () => {
    const alice = emu.accounts.users[0];
    const res = await call(emu, "GET", `/v1/users/info?ApiKey=${alice?.apiKey ?? ""}`);
    expect((res.json as { userUid: string }).userUid).toBe(alice?.uid);
    expect((await call(emu, "GET", `/v1/users/info?apikey=${alice?.apiKey ?? ""}`)).status).toBe(200);
  });

  it("answers 401 UnAuthorizedAccess without credentials, with an unknown key, and with the key in Authorization", async () => {
    for (const opts of [{}, { auth: { apiKey: "x".repeat(32) } }, { headers: { Authorization: emu.accounts.admin.apiKey } }]) {
      const res = await whoAmI(opts);
      expect([res.status, errorCode(res)]).toEqual([401, "UnAuthorizedAccess"]);
      expect(res.headers.get("content-type")).toBe("application/json");
    }
  });

  it("lets a bad ApiKey decide even when a valid token is also sent", async () => {
    const token = UserTokenWire.parse((await login("bob@palette.local", emu.accounts.admin.password)).json).Authorization;
    expect((await whoAmI({ auth: { jwt: token } })).status).toBe(200);
    expect((await whoAmI({ auth: { jwt: token, apiKey: "wrong" } })).status).toBe(401);
  });

  it("refuses expired keys (401) once the clock passes their expiry", async () => {
    const { value } = await createKey(emu, keyOf(emu.accounts.admin), "hourly", {
      expiry: new Date(emu.clock.now().getTime() + 60 * MINUTE).toISOString(),
    });
    expect((await whoAmI({ auth: { apiKey: value } })).status).toBe(200);
    emu.clock.advance(61 * MINUTE);
    const res = await whoAmI({ auth: { apiKey: value } });
    expect([res.status, errorCode(res)]).toEqual([401, "UnAuthorizedAccess"]);
    expect((res.json as { message: string }).message).toMatch(/expired/);
  });
});

describe("JWT authentication", () => {
  it("logs in with email and password: 200 {Authorization, isMfa:false}, an HS256 JWT that expires after 15 minutes", async () => {
    const res = await login("BOB@palette.local", emu.accounts.admin.password, "emulated-org");
    expect(res.status).toBe(200);
    const token = UserTokenWire.parse(res.json);
    expect(token.isMfa).toBe(false);
    const [header, payload] = token.Authorization.split(".");
    expect(JSON.parse(Buffer.from(header ?? "", "base64url").toString())).toEqual({ alg: "HS256", typ: "JWT" });
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as { exp: number; iat: number };
    expect(claims.exp - claims.iat).toBe(15 * 60);
    const me = await whoAmI({ auth: { jwt: token.Authorization } });
    expect((me.json as { userUid: string }).userUid).toBe(emu.accounts.users[1]?.uid);
  });

  it("refuses a wrong password, an unknown email and a wrong org alike (401), and a malformed body (400)", async () => {
    for (const [email, pw, org] of [
      ["bob@palette.local", "wrong-password", undefined],
      ["nobody@palette.local", emu.accounts.admin.password, undefined],
      ["bob@palette.local", emu.accounts.admin.password, "other-org"],
    ] as const) {
      const res = await login(email, pw, org);
      expect([res.status, errorCode(res)]).toEqual([401, "UnAuthorizedAccess"]);
    }
    const bad = await call(emu, "POST", "/v1/auth/authenticate", { body: { email: "bob@palette.local" } });
    expect([bad.status, errorCode(bad)]).toEqual([400, "InvalidRequest"]);
    expect(bad.text).not.toContain(emu.accounts.admin.password);
  });

  it("works for 14 minutes, refreshes then into a new token, and the old one dies at 15", async () => {
    const first = UserTokenWire.parse((await login("alice@palette.local", emu.accounts.admin.password)).json).Authorization;
    emu.clock.advance(14 * MINUTE);
    expect((await whoAmI({ auth: { jwt: first } })).status).toBe(200);
    const refreshed = await call(emu, "GET", `/v1/auth/refresh/${first}`);
    expect(refreshed.status).toBe(200);
    const second = UserTokenWire.parse(refreshed.json).Authorization;
    expect(second).not.toBe(first);
    emu.clock.advance(2 * MINUTE);
    expect((await whoAmI({ auth: { jwt: first } })).status).toBe(401);
    expect((await whoAmI({ auth: { jwt: second } })).status).toBe(200);
  });

  it("refuses a token after 16 minutes, and refuses to refresh it (401): the client must log in again", async () => {
    const token = UserTokenWire.parse((await login("alice@palette.local", emu.accounts.admin.password)).json).Authorization;
    emu.clock.advance(16 * MINUTE);
    const use = await whoAmI({ auth: { jwt: token } });
    expect([use.status, errorCode(use)]).toEqual([401, "UnAuthorizedAccess"]);
    const refresh = await call(emu, "GET", `/v1/auth/refresh/${token}`);
    expect([refresh.status, errorCode(refresh)]).toEqual([401, "UnAuthorizedAccess"]);
    expect((await login("alice@palette.local", emu.accounts.admin.password)).status).toBe(200);
  });

  it("stops refreshing once the session is older than the session timeout", async () => {
    const short = await startForTest({ sessionTimeoutMs: 20 * MINUTE });
    try {
      let token = UserTokenWire.parse(
        (await call(short, "POST", "/v1/auth/authenticate", { body: { emailId: "bob@palette.local", password: short.accounts.admin.password } })).json,
      ).Authorization;
      short.clock.advance(14 * MINUTE);
      token = UserTokenWire.parse((await call(short, "GET", `/v1/auth/refresh/${token}`)).json).Authorization;
      short.clock.advance(14 * MINUTE);
      const late = await call(short, "GET", `/v1/auth/refresh/${token}`);
      expect([late.status, (late.json as { message: string }).message]).toEqual([401, "Session timed out: log in again"]);
    } finally {
      await short.close();
    }
  });

  it("refuses 'Bearer <token>', a tampered token, and tokens issued before a reset", async () => {
    const token = UserTokenWire.parse((await login("bob@palette.local", emu.accounts.admin.password)).json).Authorization;
    expect((await whoAmI({ auth: { jwt: `Bearer ${token}` } })).status).toBe(401);
    const [h, p, s] = token.split(".");
    const claims = JSON.parse(Buffer.from(p ?? "", "base64url").toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: emu.accounts.admin.uid })).toString("base64url")}.${s}`;
    expect((await whoAmI({ auth: { jwt: forged } })).status).toBe(401);
    expect((await call(emu, "GET", `/v1/auth/refresh/${forged}`)).status).toBe(401);
    expect((await call(emu, "GET", "/v1/auth/refresh/not-a-token")).status).toBe(401);
    emu.reset();
    expect((await whoAmI({ auth: { jwt: token } })).status).toBe(401);
  });
});

describe("the request log", () => {
  it("names the caller but never carries an API key, a token or a password", async () => {
    const { admin } = emu.accounts;
    const token = UserTokenWire.parse((await login("bob@palette.local", admin.password)).json).Authorization;
    await call(emu, "GET", `/v1/auth/refresh/${token}`);
    await call(emu, "GET", `/v1/users/info?ApiKey=${admin.apiKey}&x=1`);
    await whoAmI({ auth: { jwt: token } });
    await whoAmI({ headers: { apikey: admin.apiKey } });
    expect(logLines).toHaveLength(5);
    const all = logLines.join("\n");
    for (const secret of [admin.apiKey, token, admin.password]) expect(all).not.toContain(secret);
    expect(all).toContain("/v1/auth/refresh/[REDACTED]");
    expect(all).toContain("ApiKey=[REDACTED]&x=1");
    expect(all).toContain("caller=bob@palette.local");
    expect(emu.requests().map((r) => r.path)).toContain("/v1/auth/refresh/[REDACTED]");
  });
});

it("never returned a key value in any response after the create that made it", () => {
  expect(leakedKeyValues()).toEqual([]);
});
