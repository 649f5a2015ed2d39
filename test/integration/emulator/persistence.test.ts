import { createHash } from "node:crypto";
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

const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

/** A state file as an earlier version wrote it, for this tenant, with no keys unless `state` has some. */
const OLD_TENANT = { uid: "fedcba9876543210fedcba98", orgName: "emulated-org" };
const OLD_ADMIN_UID = "0123456789abcdef01234567";
const writeOldState = (statePath: string, state: Record<string, unknown>): void =>
  writeFileSync(statePath, JSON.stringify({ tenant: OLD_TENANT, keys: [], ...state }), { mode: 0o600 });

it("keeps created keys, the seeded credentials and the control token as hashes only, in a file only its owner may read", async () => {
  const statePath = join(dir, "state.json");
  const emu = await start(statePath);
  const { value } = await createKey(emu, keyOf(emu.accounts.admin), "hashed");
  const file = readFileSync(statePath, "utf8");
  expect(file).toContain("hashed");
  const alice = emu.accounts.users[0]?.apiKey ?? "";
  for (const secret of [value, emu.accounts.admin.apiKey, alice, "pw-one", emu.controlToken]) expect(file).not.toContain(secret);
  const { version, credentials } = JSON.parse(file) as { version: number; credentials: Record<string, unknown> };
  expect(version).toBe(3);
  const { passwordHash, ...keyHashes } = credentials as { passwordHash: { salt: string; hash: string } };
  expect(keyHashes).toEqual({
    adminKeyHash: sha256(emu.accounts.admin.apiKey),
    userKeyHash: sha256(alice),
    controlTokenHash: sha256(emu.controlToken),
  });
  expect(passwordHash.hash).toBe(sha256(`${passwordHash.salt}pw-one`));
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

it("restarted without credentials, accepts the same admin key, user key, password and control token, not knowing them", async () => {
  const statePath = join(dir, "state.json");
  const first = await startForTest({ statePath });
  running.push(first);
  expect(first.keptCredentials).toEqual([]);
  const before = { admin: first.accounts.admin.apiKey, alice: first.accounts.users[0]?.apiKey ?? "", token: first.controlToken };
  const password = first.accounts.admin.password;
  await first.close();
  const second = await startForTest({ statePath });
  running.push(second);
  // The file held hashes only: the values are accepted, but this start cannot tell them.
  expect(second.keptCredentials).toEqual(["adminKey", "userKey", "password", "controlToken"]);
  expect([second.accounts.admin.apiKey, second.accounts.users[0]?.apiKey, second.accounts.admin.password, second.controlToken]).toEqual(["", "", "", ""]);
  expect(second.accounts.users[0]?.apiKeyUid).toBe(first.accounts.users[0]?.apiKeyUid);
  expect((await call(second, "GET", "/v1/users/info", { auth: { apiKey: before.admin } })).status).toBe(200);
  expect((await call(second, "GET", "/v1/users/info", { auth: { apiKey: before.alice } })).status).toBe(200);
  const login = await call(second, "POST", "/v1/auth/authenticate", { body: { emailId: "bob@palette.local", password } });
  expect(login.status).toBe(200);
  expect((await call(second, "GET", "/__emulator", { headers: { "X-Emulator-Token": before.token } })).status).toBe(200);
  // A user added without a password of its own gets the seeded one, known here only as its hash.
  second.addUser({ email: "erin@palette.local" });
  const erin = await call(second, "POST", "/v1/auth/authenticate", { body: { emailId: "erin@palette.local", password } });
  expect(erin.status).toBe(200);
  // The seeded keys are re-applied (reset) from the hashes, as at start.
  second.reset();
  expect((await call(second, "GET", "/v1/users/info", { auth: { apiKey: before.alice } })).status).toBe(200);
  const file = readFileSync(statePath, "utf8");
  for (const secret of [before.admin, before.alice, password, before.token]) expect(file).not.toContain(secret);
});

it("reads a state file of the unreleased version 2 (credentials in clear), accepts and shows them, and rewrites it as version 3", async () => {
  const statePath = join(dir, "state.json");
  const clear = {
    adminKey: "V2AdminKeyV2AdminKeyV2AdminKeyV2",
    userKey: "V2AliceKeyV2AliceKeyV2AliceKeyV2",
    password: "v2-password",
    controlToken: "V2ControlTokenV2ControlTokenV2Co",
  };
  writeOldState(statePath, {
    version: 2,
    credentials: clear,
    settings: { keyLimitPerUser: 30 },
    users: [
      {
        uid: OLD_ADMIN_UID,
        email: "admin@palette.local",
        firstName: "Ada",
        lastName: "Admin",
        role: "tenantAdmin",
        password: { salt: "00", hash: sha256(`00${clear.password}`) },
        active: true,
        createdAt: "2029-01-01T00:00:00.000Z",
      },
    ],
  });
  const emu = await startForTest({ statePath });
  running.push(emu);
  // Read in clear, so known this once: the banner can still show them.
  expect(emu.keptCredentials).toEqual([]);
  expect([emu.accounts.admin.uid, emu.accounts.admin.apiKey, emu.accounts.users[0]?.apiKey, emu.accounts.admin.password, emu.controlToken]).toEqual([
    OLD_ADMIN_UID,
    clear.adminKey,
    clear.userKey,
    clear.password,
    clear.controlToken,
  ]);
  expect(emu.keyLimitPerUser()).toBe(30);
  const file = readFileSync(statePath, "utf8");
  expect((JSON.parse(file) as { version: number }).version).toBe(3);
  for (const secret of Object.values(clear)) expect(file).not.toContain(secret);
  await emu.close();

  const again = await startForTest({ statePath });
  running.push(again);
  expect(again.keptCredentials).toEqual(["adminKey", "userKey", "password", "controlToken"]);
  expect((await call(again, "GET", "/v1/users/info", { auth: { apiKey: clear.adminKey } })).status).toBe(200);
  expect((await call(again, "GET", "/v1/users/info", { auth: { apiKey: clear.userKey } })).status).toBe(200);
  expect((await call(again, "POST", "/v1/auth/authenticate", { body: { emailId: "bob@palette.local", password: clear.password } })).status).toBe(200);
  expect((await call(again, "GET", "/__emulator", { headers: { "X-Emulator-Token": clear.controlToken } })).status).toBe(200);
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

it("reads a state file of 0.1.0 (version 1, no credentials), with new credentials, and rewrites it as version 3", async () => {
  const statePath = join(dir, "state.json");
  writeOldState(statePath, {
    version: 1,
    users: [{ uid: OLD_ADMIN_UID, email: "admin@palette.local", createdAt: "2029-01-01T00:00:00.000Z" }],
  });
  const emu = await start(statePath);
  expect([emu.tenant.uid, emu.accounts.admin.uid]).toEqual([OLD_TENANT.uid, OLD_ADMIN_UID]);
  expect(emu.keptCredentials).toEqual([]);
  expect(emu.accounts.users[0]?.apiKey).toMatch(/^[A-Za-z0-9]{32}$/);
  expect((JSON.parse(readFileSync(statePath, "utf8")) as { version: number }).version).toBe(3);
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

it("applies this start's seeded credentials over the kept ones: new key values and password work, old ones do not, after a restart too", async () => {
  const statePath = join(dir, "state.json");
  const first = await start(statePath);
  const oldKey = first.accounts.admin.apiKey;
  const alice = first.accounts.users[0]?.apiKey ?? "";
  const seededUid = first.accounts.admin.apiKeyUid;
  await first.close();
  const newKey = "NewAdminKeyNewAdminKeyNewAdminKe";
  const second = await startForTest({ statePath, adminKey: newKey, password: "pw-two" });
  running.push(second);
  expect(second.keptCredentials).toEqual(["userKey", "controlToken"]);
  expect(second.accounts.admin.apiKeyUid).toBe(seededUid);
  expect((await call(second, "GET", "/v1/users/info", { auth: { apiKey: oldKey } })).status).toBe(401);
  expect((await call(second, "GET", "/v1/users/info", { auth: keyOf(second.accounts.admin) })).status).toBe(200);
  const login = await call(second, "POST", "/v1/auth/authenticate", { body: { emailId: "bob@palette.local", password: "pw-two" } });
  expect(login.status).toBe(200);
  await second.close();

  // The given values' hashes replaced the kept ones: a start without options keeps the new ones.
  const third = await startForTest({ statePath });
  running.push(third);
  expect((await call(third, "GET", "/v1/users/info", { auth: { apiKey: newKey } })).status).toBe(200);
  expect((await call(third, "GET", "/v1/users/info", { auth: { apiKey: oldKey } })).status).toBe(401);
  expect((await call(third, "GET", "/v1/users/info", { auth: { apiKey: alice } })).status).toBe(200);
  expect((await call(third, "POST", "/v1/auth/authenticate", { body: { emailId: "bob@palette.local", password: "pw-one" } })).status).toBe(401);
  expect((await call(third, "POST", "/v1/auth/authenticate", { body: { emailId: "bob@palette.local", password: "pw-two" } })).status).toBe(200);
});

it("refuses a user key equal to the admin key the state file keeps, without knowing or naming it", async () => {
  const statePath = join(dir, "state.json");
  const first = await start(statePath);
  const adminKey = first.accounts.admin.apiKey;
  await first.close();
  const attempt = startForTest({ statePath, userKey: adminKey });
  await expect(attempt).rejects.toThrow("adminKey and userKey must differ");
  await expect(attempt).rejects.not.toThrow(adminKey);
});

it("refuses to start on a file that is not an emulator state, saying which file", async () => {
  const statePath = join(dir, "state.json");
  writeFileSync(statePath, "{ not json");
  await expect(start(statePath)).rejects.toThrow(`Emulator state file ${statePath} is not valid JSON`);
  writeFileSync(statePath, JSON.stringify({ version: 99 }));
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
