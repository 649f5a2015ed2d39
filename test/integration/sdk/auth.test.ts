/** Token auth against the emulator: login, proactive refresh, re-login after expiry and after a 401. */
import type { RunningEmulator } from "../../../emulator";
import { clientFor, closeClients, collected, extraSecrets, failureOf, keyAuth, leaks, passwordAuth, seedSecrets, startEmu } from "./support";

const MIN = 60_000;
let emu: RunningEmulator;

beforeAll(async () => {
  // A short session, so "beyond the session" is reachable in a few clock moves.
  emu = await startEmu({ sessionTimeoutMs: 40 * MIN });
});
afterEach(async () => {
  await closeClients();
  emu.reset();
});
afterAll(async () => {
  await closeClients();
  await emu.close();
});

const bob = () => emu.accounts.users[1]!;
const authCalls = (): string[] =>
  emu
    .requests()
    .filter((r) => r.path.startsWith("/v1/auth/"))
    .map((r) => `${r.path.startsWith("/v1/auth/refresh/") ? "refresh" : "login"} ${r.status}`);

test("username and password: the first call logs in, later calls reuse the token", async () => {
  const client = clientFor(emu, passwordAuth(bob()));
  expect((await client.users.me()).userUid).toBe(bob().uid);
  expect((await client.apiKeys.list()).every((k) => k.user.uid === bob().uid)).toBe(true);
  expect(authCalls()).toEqual(["login 200"]);
});

test("concurrent first calls share one login", async () => {
  const client = clientFor(emu, passwordAuth(bob()));
  await Promise.all(Array.from({ length: 6 }, () => client.users.me()));
  expect(authCalls()).toEqual(["login 200"]);
});

test("refreshes before expiry: at 14 of 15 minutes the token is refreshed, not replaced by a login", async () => {
  const client = clientFor(emu, passwordAuth(bob()));
  await client.users.me();
  emu.clock.advance(10 * MIN);
  await client.users.me();
  expect(authCalls()).toEqual(["login 200"]);
  emu.clock.advance(4 * MIN);
  await client.users.me();
  expect(authCalls()).toEqual(["login 200", "refresh 200"]);
  // The refreshed token is good for another 15 minutes of emulator time.
  emu.clock.advance(12 * MIN);
  await client.users.me();
  expect(authCalls()).toEqual(["login 200", "refresh 200"]);
});

test("logs in again after expiry, and after the session can no longer be refreshed", async () => {
  const client = clientFor(emu, passwordAuth(bob()));
  await client.users.me();
  emu.clock.advance(16 * MIN);
  await client.users.me();
  expect(authCalls()).toEqual(["login 200", "login 200"]);
  // Keep refreshing until the 40-minute session is over: then the refresh is refused and a login follows.
  for (let i = 0; i < 3; i += 1) {
    emu.clock.advance(14 * MIN);
    await client.users.me();
  }
  expect(authCalls()).toEqual(["login 200", "login 200", "refresh 200", "refresh 200", "refresh 401", "login 200"]);
});

test("re-logs in once when Palette answers 401 to a token the client believed valid", async () => {
  // The client's clock lags, so it does not see the expiry coming; the 401 tells it.
  const client = clientFor(emu, passwordAuth(bob()), { now: () => new Date(emu.clock.now().getTime() - 20 * MIN) });
  await client.users.me();
  emu.clock.advance(16 * MIN);
  expect((await client.users.me()).userUid).toBe(bob().uid);
  expect(authCalls()).toEqual(["login 200", "login 200"]);
  expect(emu.requests().filter((r) => r.path === "/v1/users/info").map((r) => r.status)).toEqual([200, 401, 200]);
});

test("auth.login and auth.refresh work on demand; both are no-ops for API keys", async () => {
  const client = clientFor(emu, passwordAuth(bob()));
  await client.auth.login();
  await client.auth.refresh();
  await client.users.me();
  expect(authCalls()).toEqual(["login 200", "refresh 200"]);
  const viaKey = clientFor(emu, keyAuth(emu.accounts.admin));
  await viaKey.auth.login();
  await viaKey.auth.refresh();
  expect(authCalls()).toHaveLength(2);
});

test("a wrong password is UNAUTHENTICATED from auth.login and says what to check", async () => {
  const client = clientFor(emu, { username: bob().email, password: "not-the-password-at-all" });
  extraSecrets.push("not-the-password-at-all");
  const e = await failureOf(client.users.me());
  expect(e).toMatchObject({ code: "UNAUTHENTICATED", status: 401, operation: "auth.login", method: "POST", path: "/v1/auth/authenticate" });
  expect(e.message).toContain("The email, password or org is wrong");
  expect(authCalls()).toEqual(["login 401"]);
});

test("a static token works until it expires, then fails with advice (no refresh possible)", async () => {
  const login = await fetch(`${emu.url}/v1/auth/authenticate`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ emailId: bob().email, password: bob().password }),
  });
  const { Authorization: token } = (await login.json()) as { Authorization: string };
  extraSecrets.push(token);
  const client = clientFor(emu, { token });
  expect((await client.users.me()).userUid).toBe(bob().uid);
  emu.clock.advance(16 * MIN);
  const e = await failureOf(client.users.me());
  expect(e).toMatchObject({ code: "UNAUTHENTICATED", attempts: 1 });
  expect(e.message).toContain("tokens last 15 minutes");
});

test("no error thrown in this suite carries a secret or a JWT", () => {
  expect(collected.length).toBeGreaterThanOrEqual(2);
  expect(leaks([...seedSecrets(emu), ...extraSecrets])).toEqual([]);
});
