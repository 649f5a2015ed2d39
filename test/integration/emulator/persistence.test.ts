import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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

it("stores only hashes: no key value or password is in the file", async () => {
  const statePath = join(dir, "state.json");
  const emu = await start(statePath);
  const { value } = await createKey(emu, keyOf(emu.accounts.admin), "hashed");
  const file = readFileSync(statePath, "utf8");
  expect(file).toContain("hashed");
  for (const secret of [value, emu.accounts.admin.apiKey, emu.accounts.users[0]?.apiKey ?? "", "pw-one"]) expect(file).not.toContain(secret);
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
  writeFileSync(statePath, JSON.stringify({ version: 2 }));
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
