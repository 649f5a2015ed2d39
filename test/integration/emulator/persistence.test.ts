import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RunningEmulator } from "../../../emulator";
import { call, createKey, keyOf, startForTest, leakedKeyValues } from "./support";

let dir: string;
const running: RunningEmulator[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "palette-emulator-"));
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
  rmSync(dir, { recursive: true, force: true });
});

const start = async (statePath: string, extra: Parameters<typeof startForTest>[0] = {}) => {
  const emu = await startForTest({ statePath, adminKey: "AdminKeyAdminKeyAdminKeyAdminKey", password: "pw-one", ...extra });
  running.push(emu);
  return emu;
};

it("round-trips: a key created before a restart is still there, with the same uid, and still authenticates", async () => {
  const statePath = join(dir, "state.json");
  const first = await start(statePath);
  const { uid, value } = await createKey(first, keyOf(first.accounts.admin), "survivor", { description: "kept" });
  const tenantUid = first.tenant.uid;
  const adminUid = first.accounts.admin.uid;
  await first.close();

  const second = await start(statePath);
  expect(second.tenant.uid).toBe(tenantUid);
  expect(second.accounts.admin.uid).toBe(adminUid);
  expect(second.keys().find((k) => k.uid === uid)).toMatchObject({ name: "survivor", description: "kept", ownerUid: adminUid });
  const me = await call(second, "GET", "/v1/users/info", { auth: { apiKey: value } });
  expect([me.status, (me.json as { userUid: string }).userUid]).toEqual([200, adminUid]);
});

it("keeps created keys as hashes only, and the seeded credentials in clear, in a file only its owner may read", async () => {
  const statePath = join(dir, "state.json");
  const emu = await start(statePath);
  const { value } = await createKey(emu, keyOf(emu.accounts.admin), "hashed");
  const file = readFileSync(statePath, "utf8");
  expect(file).toContain("hashed");
  expect(file).not.toContain(value);
  // What a restart must print and accept again: the pipeline already holds these.
  const { credentials } = JSON.parse(file) as { credentials: Record<string, string> };
  expect(credentials).toEqual({
    adminKey: emu.accounts.admin.apiKey,
    userKey: emu.accounts.users[0]?.apiKey,
    password: "pw-one",
    controlToken: emu.controlToken,
  });
  expect(statSync(statePath).mode & 0o077).toBe(0);
});

it("writes the file 0600 even over a temp file a crashed run left readable by all", async () => {
  const statePath = join(dir, "state.json");
  // The temp name is the path and the pid (often 1 in a container), so a crashed run's is met again.
  const stale = `${statePath}.${process.pid}.tmp`;
  writeFileSync(stale, "left by a crashed run");
  chmodSync(stale, 0o644);
  await start(statePath);
  expect(statSync(statePath).mode & 0o777).toBe(0o600);
  expect(existsSync(stale)).toBe(false);
});

it("restarted without credentials, accepts the same admin key, user key, password and control token", async () => {
  const statePath = join(dir, "state.json");
  const first = await startForTest({ statePath });
  running.push(first);
  const before = { admin: first.accounts.admin.apiKey, alice: first.accounts.users[0]?.apiKey ?? "", token: first.controlToken };
  const password = first.accounts.admin.password;
  await first.close();
  const second = await startForTest({ statePath });
  running.push(second);
  expect([second.accounts.admin.apiKey, second.accounts.users[0]?.apiKey, second.controlToken]).toEqual([before.admin, before.alice, before.token]);
  expect((await call(second, "GET", "/v1/users/info", { auth: { apiKey: before.admin } })).status).toBe(200);
  expect((await call(second, "GET", "/v1/users/info", { auth: { apiKey: before.alice } })).status).toBe(200);
  const login = await call(second, "POST", "/v1/auth/authenticate", { body: { emailId: "bob@palette.local", password } });
  expect(login.status).toBe(200);
  expect((await call(second, "GET", "/__emulator", { headers: { "X-Emulator-Token": before.token } })).status).toBe(200);
});

it("keeps users added, disabled or removed, their orphaned keys, and the key limit across a restart", async () => {
  const statePath = join(dir, "state.json");
  const first = await start(statePath, { keyLimitPerUser: 20 });
  const carol = first.addUser({ email: "carol@palette.local", password: "carol-pw" });
  const bob = first.accounts.users[1];
  const alice = first.accounts.users[0];
  if (bob === undefined || alice === undefined) throw new Error("seed changed");
  const orphan = await createKey(first, keyOf(first.accounts.admin), "left-behind", { userUid: carol.uid });
  first.removeUser(carol.uid);
  first.setUserActive(bob.uid, false);
  first.setKeyLimitPerUser(50);
  await first.close();

  // No keyLimitPerUser this time: the file's 50 applies.
  const second = await startForTest({ statePath });
  running.push(second);
  expect(second.keyLimitPerUser()).toBe(50);
  expect(second.users().find((u) => u.uid === bob.uid)?.active).toBe(false);
  expect(second.users().some((u) => u.email === "carol@palette.local")).toBe(false);
  expect(second.keys().find((k) => k.uid === orphan.uid)).toMatchObject({ name: "left-behind", ownerUid: carol.uid });
  // An added user survives with its own password.
  const dave = second.addUser({ email: "dave@palette.local", password: "dave-pw" });
  await second.close();
  const third = await startForTest({ statePath });
  running.push(third);
  expect(third.users().find((u) => u.email === "dave@palette.local")).toMatchObject({ uid: dave.uid, active: true, role: "user" });
  const login = await call(third, "POST", "/v1/auth/authenticate", { body: { emailId: "dave@palette.local", password: "dave-pw" } });
  expect(login.status).toBe(200);
  expect(third.users().find((u) => u.uid === alice.uid)?.active).toBe(true);
});

it("reads a state file of 0.1.0 (version 1, no credentials) and rewrites it as version 2", async () => {
  const statePath = join(dir, "state.json");
  const adminUid = "0123456789abcdef01234567";
  writeFileSync(
    statePath,
    JSON.stringify({
      version: 1,
      tenant: { uid: "fedcba9876543210fedcba98", orgName: "emulated-org" },
      users: [{ uid: adminUid, email: "admin@palette.local", createdAt: "2029-01-01T00:00:00.000Z" }],
      keys: [],
    }),
  );
  const emu = await start(statePath);
  expect([emu.tenant.uid, emu.accounts.admin.uid]).toEqual(["fedcba9876543210fedcba98", adminUid]);
  expect((JSON.parse(readFileSync(statePath, "utf8")) as { version: number }).version).toBe(2);
});

it("saves after each change: revoke and delete are persisted", async () => {
  const statePath = join(dir, "state.json");
  const first = await start(statePath);
  const revoked = await createKey(first, keyOf(first.accounts.admin), "revoked");
  const deleted = await createKey(first, keyOf(first.accounts.admin), "deleted");
  await call(first, "PUT", `/v1/apiKeys/${revoked.uid}/state`, { auth: keyOf(first.accounts.admin), body: { isActive: false } });
  await call(first, "DELETE", `/v1/apiKeys/${deleted.uid}`, { auth: keyOf(first.accounts.admin) });
  await first.close();
  const second = await start(statePath);
  expect(second.keys().find((k) => k.uid === revoked.uid)?.active).toBe(false);
  expect(second.keys().some((k) => k.uid === deleted.uid)).toBe(false);
});

it("applies this start's seeded credentials: new key values and password work, old ones do not", async () => {
  const statePath = join(dir, "state.json");
  const first = await start(statePath);
  const oldKey = first.accounts.admin.apiKey;
  const seededUid = first.accounts.admin.apiKeyUid;
  await first.close();
  const second = await start(statePath, { adminKey: "NewAdminKeyNewAdminKeyNewAdminKe", password: "pw-two" });
  expect(second.accounts.admin.apiKeyUid).toBe(seededUid);
  expect((await call(second, "GET", "/v1/users/info", { auth: { apiKey: oldKey } })).status).toBe(401);
  expect((await call(second, "GET", "/v1/users/info", { auth: keyOf(second.accounts.admin) })).status).toBe(200);
  const login = await call(second, "POST", "/v1/auth/authenticate", { body: { emailId: "bob@palette.local", password: "pw-two" } });
  expect(login.status).toBe(200);
});

it("refuses to start on a file that is not an emulator state, saying which file", async () => {
  const statePath = join(dir, "state.json");
  writeFileSync(statePath, "{ not json");
  await expect(start(statePath)).rejects.toThrow(`Emulator state file ${statePath} is not valid JSON`);
  writeFileSync(statePath, JSON.stringify({ version: 3 }));
  await expect(start(statePath)).rejects.toThrow(/does not have the expected shape/);
});

it("turns a failing save into a 500 InternalError envelope, logged without secrets", async () => {
  const statePath = join(dir, "state.json");
  const lines: string[] = [];
  const emu = await start(statePath, { log: (l) => lines.push(l) });
  // A directory where the file was makes the next save's rename fail inside the handler.
  rmSync(statePath);
  mkdirSync(statePath);
  const res = await call(emu, "POST", "/v1/apiKeys", {
    auth: keyOf(emu.accounts.admin),
    body: { metadata: { name: "unsaved" }, spec: { expiry: new Date(emu.clock.now().getTime() + 86_400_000).toISOString() } },
  });
  expect(res.status).toBe(500);
  expect(res.json).toMatchObject({ code: "InternalError", ref: expect.stringMatching(/^ref-[0-9a-f]{24}$/) as unknown });
  const ref = (res.json as { ref: string }).ref;
  expect(lines.some((l) => l.includes(`internal error ${ref}`))).toBe(true);
  expect(lines.join("\n")).not.toContain(emu.accounts.admin.apiKey);
  // The server is still up.
  expect((await call(emu, "GET", "/v1/users/info", { auth: keyOf(emu.accounts.admin) })).status).toBe(200);
});

it("never returned a key value in any response after the create that made it", () => {
  expect(leakedKeyValues()).toEqual([]);
});
