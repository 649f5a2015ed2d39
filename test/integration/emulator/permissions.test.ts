/**
 * The seeds' permission table (docs/reference/palette-api.md §2.1), walked action by action for a tenant admin
 * (Ada) and a plain user (Alice). "Other" is always another user's key: Bob's for Ada, Ada's for Alice.
 */
import { ApiKeyListWire } from "../../../sdk/wire";
import type { RunningEmulator, SeedAccount } from "../../../emulator";
import { emulatorPerFile } from "../../helpers/emulator-per-file";
import { call, createBody, createKey, errorCode, inDays, keyOf, leakedKeyValues, startForTest } from "./support";

let emu: RunningEmulator;
emulatorPerFile(startForTest, (started) => (emu = started));

type Who = "tenantAdmin" | "user";
const seed = (email: string): SeedAccount => {
  const account = [emu.accounts.admin, ...emu.accounts.users].find((a) => a.email === email);
  if (account === undefined) throw new Error(`no seed ${email}`);
  return account;
};
const actorOf = (who: Who): SeedAccount => seed(who === "tenantAdmin" ? "admin@palette.local" : "alice@palette.local");
const otherOf = (who: Who): SeedAccount => seed(who === "tenantAdmin" ? "bob@palette.local" : "admin@palette.local");
/** Bob has no API key; the admin creates keys for him. */
const ownKeyFor = async (account: SeedAccount, name: string) =>
  createKey(emu, keyOf(emu.accounts.admin), name, account.email === "admin@palette.local" ? {} : { userUid: account.uid });

const FORBIDDEN = [403, "OperationForbidden"];

//                     action                  tenant admin   user
const TABLE: readonly [string, boolean, boolean][] = [
  ["list all keys in the tenant", true, false],
  ["create a key", true, true],
  ["create a key for a different user", true, false],
  ["edit (own)", true, true],
  ["edit (other's)", true, false],
  ["revoke (own)", true, true],
  ["revoke (other's)", true, false],
  ["re-activate (own)", true, true],
  ["re-activate (other's)", true, false],
  ["delete (own)", true, true],
  ["delete (other's)", true, false],
  ["view another user's key", true, false],
  ["reassign a key to a different user", false, false],
  ["view the key value", false, false],
];

const rows = TABLE.flatMap(([action, admin, user]) => [
  { action, who: "tenantAdmin" as Who, allowed: admin },
  { action, who: "user" as Who, allowed: user },
]);

describe.each(rows)("$who: $action", ({ action, who, allowed }) => {
  it(allowed ? "is allowed" : "is refused", async () => {
    const actor = actorOf(who);
    const other = otherOf(who);
    const auth = keyOf(actor);
    switch (action) {
      case "list all keys in the tenant": {
        const othersKey = await ownKeyFor(other, "others-key");
        const res = await call(emu, "GET", "/v1/apiKeys", { auth });
        expect(res.status).toBe(200);
        const owners = new Set(ApiKeyListWire.parse(res.json).items?.map((k) => k.spec?.user?.uid));
        expect(owners.has(other.uid)).toBe(allowed);
        // Users see their own keys, never more.
        expect(owners.has(actor.uid)).toBe(true);
        expect(allowed || owners.size === 1).toBe(true);
        expect(othersKey.uid).toMatch(/^[0-9a-f]{24}$/);
        return;
      }
      case "create a key": {
        const res = await call(emu, "POST", "/v1/apiKeys", { auth, body: createBody("own", inDays(emu, 7)) });
        expect(res.status).toBe(201);
        expect(emu.keys().find((k) => k.name === "own")?.ownerUid).toBe(actor.uid);
        return;
      }
      case "create a key for a different user": {
        const res = await call(emu, "POST", "/v1/apiKeys", { auth, body: createBody("for-other", inDays(emu, 7), { userUid: other.uid }) });
        if (allowed) expect(res.status).toBe(201);
        else {
          expect([res.status, errorCode(res)]).toEqual(FORBIDDEN);
          expect((res.json as { message: string }).message).toBe(
            "Operation 'apiKey.create' is forbidden for other users: only tenant admins may create API keys for other users",
          );
        }
        expect(emu.keys().some((k) => k.name === "for-other")).toBe(allowed);
        return;
      }
      case "edit (own)":
      case "edit (other's)": {
        const target = await ownKeyFor(action === "edit (own)" ? actor : other, "editable");
        const res = await call(emu, "PUT", `/v1/apiKeys/${target.uid}`, {
          auth,
          body: { metadata: { name: "edited" }, spec: { expiry: inDays(emu, 40) } },
        });
        if (allowed) expect(res.status).toBe(204);
        else expect([res.status, errorCode(res)]).toEqual(FORBIDDEN);
        expect(emu.keys().find((k) => k.uid === target.uid)?.name).toBe(allowed ? "edited" : "editable");
        return;
      }
      case "revoke (own)":
      case "revoke (other's)": {
        const target = await ownKeyFor(action === "revoke (own)" ? actor : other, "revocable");
        const res = await call(emu, "PUT", `/v1/apiKeys/${target.uid}/state`, { auth, body: { isActive: false } });
        if (allowed) expect(res.status).toBe(204);
        else expect([res.status, errorCode(res)]).toEqual(FORBIDDEN);
        expect(emu.keys().find((k) => k.uid === target.uid)?.active).toBe(!allowed);
        return;
      }
      case "re-activate (own)":
      case "re-activate (other's)": {
        const target = await ownKeyFor(action === "re-activate (own)" ? actor : other, "revived");
        await call(emu, "PATCH", `/v1/apiKeys/${target.uid}`, { auth: keyOf(emu.accounts.admin), body: { isActive: false } });
        const res = await call(emu, "PATCH", `/v1/apiKeys/${target.uid}`, { auth, body: { isActive: true } });
        if (allowed) expect(res.status).toBe(204);
        else expect([res.status, errorCode(res)]).toEqual(FORBIDDEN);
        expect(emu.keys().find((k) => k.uid === target.uid)?.active).toBe(allowed);
        return;
      }
      case "delete (own)":
      case "delete (other's)": {
        const target = await ownKeyFor(action === "delete (own)" ? actor : other, "deletable");
        const res = await call(emu, "DELETE", `/v1/apiKeys/${target.uid}`, { auth });
        if (allowed) expect(res.status).toBe(204);
        else expect([res.status, errorCode(res)]).toEqual(FORBIDDEN);
        expect(emu.keys().some((k) => k.uid === target.uid)).toBe(!allowed);
        return;
      }
      case "view another user's key": {
        const target = await ownKeyFor(other, "peek");
        const res = await call(emu, "GET", `/v1/apiKeys/${target.uid}`, { auth });
        if (allowed) expect(res.status).toBe(200);
        else expect([res.status, errorCode(res)]).toEqual(FORBIDDEN);
        return;
      }
      case "reassign a key to a different user": {
        const target = await ownKeyFor(actor, "stay");
        const res = await call(emu, "PUT", `/v1/apiKeys/${target.uid}`, {
          auth,
          body: { metadata: { name: "stay" }, spec: { expiry: inDays(emu, 40), userUid: other.uid } },
        });
        expect([res.status, errorCode(res)]).toEqual([400, "InvalidRequest"]);
        expect(emu.keys().find((k) => k.uid === target.uid)?.ownerUid).toBe(actor.uid);
        return;
      }
      case "view the key value": {
        const created = await call(emu, "POST", "/v1/apiKeys", { auth, body: createBody("secret", inDays(emu, 7)) });
        const value = (created.json as { apiKey: string }).apiKey;
        const uid = emu.keys().find((k) => k.name === "secret" && k.ownerUid === actor.uid)?.uid ?? "";
        const list = await call(emu, "GET", "/v1/apiKeys", { auth });
        const one = await call(emu, "GET", `/v1/apiKeys/${uid}`, { auth });
        for (const res of [list, one]) {
          expect(res.status).toBe(200);
          expect(res.text).not.toContain(value);
          expect(res.text).not.toContain('"key"');
        }
        return;
      }
      default:
        throw new Error(`no step for ${action}`);
    }
  });
});

describe("users", () => {
  it("may not list users, read users' meta or search them (403), but may read their own user and info", async () => {
    const alice = keyOf(actorOf("user"));
    for (const [method, path, body] of [
      ["GET", "/v1/users", undefined],
      ["GET", "/v1/users/meta", undefined],
      ["POST", "/v1/users/summary", {}],
      ["GET", `/v1/users/${emu.accounts.admin.uid}`, undefined],
    ] as const) {
      const res = await call(emu, method, path, { auth: alice, ...(body !== undefined ? { body } : {}) });
      expect([path, res.status, errorCode(res)]).toEqual([path, ...FORBIDDEN]);
    }
    expect((await call(emu, "GET", `/v1/users/${actorOf("user").uid}`, { auth: alice })).status).toBe(200);
    expect((await call(emu, "GET", "/v1/users/info", { auth: alice })).status).toBe(200);
  });
});

describe("key values", () => {
  it("never appear in any response after the create that returned them", () => {
    expect(leakedKeyValues()).toEqual([]);
  });
});
