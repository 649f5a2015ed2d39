/**
 * A disabled Palette user (`v1UserStatus.isActive`: "Specifies if user account is active/disabled").
 * The reference documents the flag only; what the emulator does with it is its closest reading,
 * stated in the README: credentials refused with 401, no new keys, keys kept and listed.
 */
import { ApiKeyListWire, UserListWire, UserSummaryListWire, UserWire } from "../../../sdk/wire";
import type { RunningEmulator, SeedAccount } from "../../../emulator";
import { call, createKey, errorCode, inDays, createBody, keyOf, startForTest } from "./support";

let emu: RunningEmulator;
let alice: SeedAccount;
beforeEach(async () => {
  emu = await startForTest();
  const a = emu.accounts.users[0];
  if (a === undefined) throw new Error("no alice");
  alice = a;
});
afterEach(() => emu.close());

const admin = () => keyOf(emu.accounts.admin);
const login = (emailId: string, password: string) => call(emu, "POST", "/v1/auth/authenticate", { body: { emailId, password } });

it("shows status.isActive: false (explicitly, x-omitempty false) on every user route", async () => {
  emu.setUserActive(alice.uid, false);
  const one = UserWire.parse((await call(emu, "GET", `/v1/users/${alice.uid}`, { auth: admin() })).json);
  expect(one.status?.isActive).toBe(false);
  const list = UserListWire.parse((await call(emu, "GET", "/v1/users", { auth: admin() })).json);
  expect(list.items?.map((u) => [u.spec?.emailId, u.status?.isActive])).toEqual([
    ["admin@palette.local", true],
    ["alice@palette.local", false],
    ["bob@palette.local", true],
  ]);
  const summary = await call(emu, "POST", "/v1/users/summary", { auth: admin(), body: { filter: { emailId: { eq: alice.email } } } });
  expect(UserSummaryListWire.parse(summary.json).items?.[0]?.status?.isActive).toBe(false);
  expect(emu.users().find((u) => u.uid === alice.uid)?.active).toBe(false);
});

it("refuses the disabled user's API key, token and password with 401 UnAuthorizedAccess; re-enabled, key and password work again", async () => {
  const jwt = ((await login(alice.email, alice.password)).json as { Authorization: string }).Authorization;
  expect((await call(emu, "GET", "/v1/users/info", { auth: { jwt } })).status).toBe(200);
  emu.setUserActive(alice.uid, false);
  for (const res of [await call(emu, "GET", "/v1/users/info", { auth: keyOf(alice) }), await login(alice.email, alice.password)]) {
    expect([res.status, errorCode(res)]).toEqual([401, "UnAuthorizedAccess"]);
    expect((res.json as { message: string }).message).toMatch(/disabled/);
  }
  // Disabling ends her sessions: the token is no longer one the server knows.
  const withToken = await call(emu, "GET", "/v1/users/info", { auth: { jwt } });
  expect([withToken.status, errorCode(withToken)]).toEqual([401, "UnAuthorizedAccess"]);
  // A wrong password says nothing about the account.
  const wrong = await login(alice.email, "not-the-password");
  expect([wrong.status, (wrong.json as { message: string }).message]).toEqual([401, expect.not.stringMatching(/disabled/)]);

  emu.setUserActive(alice.uid, true);
  expect((await call(emu, "GET", "/v1/users/info", { auth: keyOf(alice) })).status).toBe(200);
  expect((await login(alice.email, alice.password)).status).toBe(200);
  // The session that was open when she was disabled stays ended.
  expect((await call(emu, "GET", "/v1/users/info", { auth: { jwt } })).status).toBe(401);
});

it("keeps the disabled user's keys listed with their own state, and lets an admin revoke or delete them", async () => {
  const { uid } = await createKey(emu, admin(), "alice-ci", { userUid: alice.uid });
  emu.setUserActive(alice.uid, false);
  const items = ApiKeyListWire.parse((await call(emu, "GET", "/v1/apiKeys", { auth: admin() })).json).items ?? [];
  expect(items.find((k) => k.metadata.uid === uid)).toMatchObject({ status: { isActive: true }, spec: { user: { uid: alice.uid } } });
  expect((await call(emu, "PUT", `/v1/apiKeys/${uid}/state`, { auth: admin(), body: { isActive: false } })).status).toBe(204);
  expect((await call(emu, "DELETE", `/v1/apiKeys/${uid}`, { auth: admin() })).status).toBe(204);
});

it("refuses a key for a disabled user with 400 InvalidRequest naming spec.userUid, and creates none", async () => {
  emu.setUserActive(alice.uid, false);
  const before = emu.keys().length;
  const res = await call(emu, "POST", "/v1/apiKeys", { auth: admin(), body: createBody("for-disabled", inDays(emu, 30), { userUid: alice.uid }) });
  expect([res.status, errorCode(res)]).toEqual([400, "InvalidRequest"]);
  expect(res.json).toMatchObject({ details: [{ field: "spec.userUid", message: "the user is disabled" }] });
  expect(emu.keys()).toHaveLength(before);
});

it("in process: an unknown uid is an error, not a silent no-op", () => {
  expect(() => emu.setUserActive("0".repeat(24), false)).toThrow(/not found/);
});
