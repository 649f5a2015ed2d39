/** Every `client.apiKeys` method against the emulator: success and error paths, for an admin and a plain user. */
import type { RunningEmulator } from "../../../emulator";
import type { PaletteClient } from "../../../sdk";
import { clientFor, closeClients, collected, extraSecrets, failureOf, inDays, keyAuth, leaks, remember, seedSecrets, startEmu } from "./support";

let emu: RunningEmulator;
let admin: PaletteClient;
let alice: PaletteClient;

beforeAll(async () => {
  emu = await startEmu();
  admin = clientFor(emu, keyAuth(emu.accounts.admin));
  alice = clientFor(emu, keyAuth(emu.accounts.users[0]!));
});
afterEach(() => emu.reset());
afterAll(async () => {
  await closeClients();
  await emu.close();
});

const aliceUid = (): string => emu.accounts.users[0]!.uid;
const bobUid = (): string => emu.accounts.users[1]!.uid;

describe("list and get", () => {
  test("a tenant admin lists every key, a user only their own; fields map to the domain", async () => {
    remember(await admin.apiKeys.create({ name: "admin-1", description: "first", expiresAt: inDays(emu, 30) }));
    const all = await admin.apiKeys.list();
    expect(all.map((k) => k.name).sort()).toEqual(["admin-1", "bootstrap-admin", "bootstrap-alice"]);
    const mine = await alice.apiKeys.list();
    expect(mine.map((k) => k.name)).toEqual(["bootstrap-alice"]);
    const k = all.find((x) => x.name === "admin-1")!;
    expect(k).toMatchObject({ description: "first", active: true, user: { uid: emu.accounts.admin.uid, firstName: "Ada", lastName: "Admin" } });
    expect(k.expiresAt).toBeInstanceOf(Date);
    expect(k.createdAt).toBeInstanceOf(Date);
    expect(k.annotations["scope"]).toBe("tenant");
    expect(await admin.apiKeys.get(k.uid)).toEqual(k);
  });

  test("get of an unknown uid is NOT_FOUND with Palette's code and advice", async () => {
    const e = await failureOf(admin.apiKeys.get("0123456789abcdef01234567"));
    expect(e).toMatchObject({ code: "NOT_FOUND", status: 404, paletteCode: "ResourceNotFound", method: "GET", path: "/v1/apiKeys/0123456789abcdef01234567", operation: "apiKeys.get", attempts: 1 });
    expect(e.ref).toMatch(/^ref-/);
    expect(e.message).toContain("No API key with this uid exists");
  });

  test("a user reading another user's key is FORBIDDEN", async () => {
    const adminKey = emu.keys().find((k) => k.name === "bootstrap-admin")!;
    const e = await failureOf(alice.apiKeys.get(adminKey.uid));
    expect(e).toMatchObject({ code: "FORBIDDEN", status: 403 });
  });

  test("a wrong API key is UNAUTHENTICATED and says which setting to check", async () => {
    const stranger = clientFor(emu, { apiKey: "Zz9wrongwrongwrongwrongwrongwro" });
    const e = await failureOf(stranger.apiKeys.list());
    expect(e).toMatchObject({ code: "UNAUTHENTICATED", status: 401, paletteCode: "UnAuthorizedAccess", attempts: 1 });
    expect(e.message).toContain("The API key is missing, revoked or expired");
    expect(e.message).not.toContain("Zz9wrong");
  });
});

describe("create", () => {
  test("a user creates a key for themselves; the value is returned once and authenticates", async () => {
    const created = remember(await alice.apiKeys.create({ name: "alice-ci", description: "ci", expiresAt: inDays(emu, 7) }));
    expect(created.apiKey).toMatchObject({ name: "alice-ci", description: "ci", active: true, user: { uid: aliceUid() } });
    expect(created.value).toMatch(/^[A-Za-z0-9]{32}$/);
    const stored = emu.keys().filter((k) => k.name === "alice-ci");
    expect(stored.map((k) => k.uid)).toEqual([created.apiKey.uid]);
    const viaNewKey = clientFor(emu, { apiKey: created.value });
    expect((await viaNewKey.users.me()).userUid).toBe(aliceUid());
    expect(JSON.stringify(await alice.apiKeys.list())).not.toContain(created.value);
  });

  test("the spec's 'User uid' answer is confirmed: the returned key is the key, not the user", async () => {
    const created = remember(await admin.apiKeys.create({ name: "confirm-me", expiresAt: inDays(emu, 7) }));
    expect(created.apiKey.uid).not.toBe(emu.accounts.admin.uid);
    expect(emu.keys().find((k) => k.uid === created.apiKey.uid)?.name).toBe("confirm-me");
  });

  test("a tenant admin creates a key for another user", async () => {
    const created = remember(await admin.apiKeys.create({ name: "for-bob", expiresAt: inDays(emu, 30), userUid: bobUid() }));
    expect(created.apiKey.user).toMatchObject({ uid: bobUid(), firstName: "Bob", lastName: "Brown" });
    expect(emu.keys().find((k) => k.uid === created.apiKey.uid)?.ownerUid).toBe(bobUid());
  });

  test("a plain user creating for another user is FORBIDDEN: only tenant admins may", async () => {
    const e = await failureOf(alice.apiKeys.create({ name: "for-bob", expiresAt: inDays(emu, 30), userUid: bobUid() }));
    expect(e).toMatchObject({ code: "FORBIDDEN", status: 403, paletteCode: "OperationForbidden", operation: "apiKeys.create", attempts: 1 });
    // The emulator's message says it already: the SDK does not say it again.
    expect(e.message.match(/only tenant admins may create (API )?keys for other users/gi)).toHaveLength(1);
    expect(emu.keys().some((k) => k.name === "for-bob")).toBe(false);
  });

  test("a duplicate name for the same owner is CONFLICT and not retried", async () => {
    remember(await alice.apiKeys.create({ name: "dup", expiresAt: inDays(emu, 30) }));
    const before = emu.requests().length;
    const e = await failureOf(alice.apiKeys.create({ name: "dup", expiresAt: inDays(emu, 30) }));
    expect(e).toMatchObject({ code: "CONFLICT", status: 409, paletteCode: "AlreadyExists" });
    expect(e.message).toContain("choose another name");
    // The emulator's message already says it exists and to choose another name: said once each.
    expect(e.message.match(/already exists/g)).toHaveLength(1);
    expect(e.message.match(/choose another name/gi)).toHaveLength(1);
    expect(emu.requests().slice(before).filter((r) => r.method === "POST")).toHaveLength(1);
    expect(emu.keys().filter((k) => k.name === "dup")).toHaveLength(1);
  });

  test("a past expiry is INVALID_REQUEST from Palette (400 InvalidExpiry)", async () => {
    const e = await failureOf(alice.apiKeys.create({ name: "past", expiresAt: inDays(emu, -1) }));
    expect(e).toMatchObject({ code: "INVALID_REQUEST", status: 400, paletteCode: "InvalidExpiry" });
    expect(e.message).toContain("expiry in the future");
  });

  test("bad parameters are INVALID_REQUEST before anything is sent", async () => {
    const before = emu.requests().length;
    const e = await failureOf(alice.apiKeys.create({ name: "", expiresAt: inDays(emu, 1) }));
    expect(e).toMatchObject({ code: "INVALID_REQUEST", attempts: 0 });
    expect(e.issues?.[0]?.path).toBe("metadata.name");
    expect(emu.requests().length).toBe(before);
  });

  test("over the per-user limit is INVALID_REQUEST explaining the limit and how to raise it", async () => {
    emu.setKeyLimitPerUser(2);
    remember(await alice.apiKeys.create({ name: "l1", expiresAt: inDays(emu, 1) }));
    const e = await failureOf(alice.apiKeys.create({ name: "l2", expiresAt: inDays(emu, 1) }));
    expect(e.paletteCode).toBe("ResourceLimitExceeded");
    expect(e.code).toBe("INVALID_REQUEST");
    expect(e.message).toContain("PATCH /v1/tenants/{tenantUid}/resourceLimits");
    expect(e.message).toContain("Tenant Settings");
    expect(e.message.match(/delete unused keys/g)).toHaveLength(1);
    expect(e.message.match(/resourceLimits/g)).toHaveLength(1);
  });

  test("a key for an unknown user uid is NOT_FOUND saying the user is unknown", async () => {
    const e = await failureOf(admin.apiKeys.create({ name: "nobody", expiresAt: inDays(emu, 1), userUid: "0123456789abcdef01234567" }));
    expect(e).toMatchObject({ code: "NOT_FOUND", status: 404, paletteCode: "UserNotFound", operation: "apiKeys.create" });
    expect(e.message).toMatch(/owner.*not a user of this tenant/);
    expect(e.message).not.toMatch(/API key with this uid/);
  });

  test("with the key's uid in the create answer it is trusted after one GET", async () => {
    const keyEmu = await startEmu({ createResponseUid: "key" });
    try {
      const c = clientFor(keyEmu, keyAuth(keyEmu.accounts.admin));
      const created = remember(await c.apiKeys.create({ name: "direct", expiresAt: inDays(keyEmu, 1) }));
      expect(keyEmu.keys().find((k) => k.uid === created.apiKey.uid)?.name).toBe("direct");
      expect(keyEmu.requests().map((r) => `${r.method} ${r.status}`)).toEqual(["POST 201", "GET 200"]);
    } finally {
      await keyEmu.close();
    }
  });
});

describe("update, setActive, delete, findByName", () => {
  test("update renames, re-describes and re-dates; missing fields keep their value", async () => {
    const { apiKey } = remember(await alice.apiKeys.create({ name: "u1", description: "old", expiresAt: inDays(emu, 7) }));
    const later = inDays(emu, 60);
    const updated = await alice.apiKeys.update(apiKey.uid, { name: "u1-renamed", expiresAt: later });
    expect(updated).toMatchObject({ uid: apiKey.uid, name: "u1-renamed", description: "old" });
    expect(updated.expiresAt?.getTime()).toBe(later.getTime());
    const redescribed = await alice.apiKeys.update(apiKey.uid, { description: "" });
    expect(redescribed).toMatchObject({ name: "u1-renamed", description: "" });
    expect(redescribed.expiresAt?.getTime()).toBe(later.getTime());
    expect(emu.keys().find((k) => k.uid === apiKey.uid)).toMatchObject({ name: "u1-renamed", description: "" });
  });

  test("update of an unknown key is NOT_FOUND; of another user's key is refused", async () => {
    expect((await failureOf(alice.apiKeys.update("0123456789abcdef01234567", { name: "x" }))).code).toBe("NOT_FOUND");
    const adminKey = emu.keys().find((k) => k.name === "bootstrap-admin")!;
    const e = await failureOf(alice.apiKeys.update(adminKey.uid, { name: "mine-now", description: "", expiresAt: inDays(emu, 3) }));
    expect(e).toMatchObject({ code: "FORBIDDEN", status: 403 });
    expect(emu.keys().find((k) => k.uid === adminKey.uid)?.name).toBe("bootstrap-admin");
  });

  test("revoke makes the key useless (401), re-activate restores it", async () => {
    const created = remember(await alice.apiKeys.create({ name: "toggle", expiresAt: inDays(emu, 7) }));
    const viaKey = clientFor(emu, { apiKey: created.value });
    await alice.apiKeys.setActive(created.apiKey.uid, false);
    expect((await alice.apiKeys.get(created.apiKey.uid)).active).toBe(false);
    expect((await failureOf(viaKey.users.me())).code).toBe("UNAUTHENTICATED");
    await alice.apiKeys.setActive(created.apiKey.uid, true);
    expect((await viaKey.users.me()).userUid).toBe(aliceUid());
  });

  test("re-activating an expired key is refused with advice", async () => {
    const created = remember(await alice.apiKeys.create({ name: "expiring", expiresAt: inDays(emu, 1) }));
    await alice.apiKeys.setActive(created.apiKey.uid, false);
    emu.clock.advance(2 * 86_400_000);
    try {
      const e = await failureOf(alice.apiKeys.setActive(created.apiKey.uid, true));
      expect(e).toMatchObject({ code: "INVALID_REQUEST", paletteCode: "ApiKeyExpired" });
      expect(e.message).toContain("create a new key");
    } finally {
      emu.clock.advance(-2 * 86_400_000);
    }
  });

  test("setActive of an unknown key is NOT_FOUND", async () => {
    expect((await failureOf(alice.apiKeys.setActive("0123456789abcdef01234567", false))).code).toBe("NOT_FOUND");
  });

  test("delete removes the key; deleting again is NOT_FOUND", async () => {
    const { apiKey } = remember(await alice.apiKeys.create({ name: "bye", expiresAt: inDays(emu, 7) }));
    await alice.apiKeys.delete(apiKey.uid);
    expect(emu.keys().some((k) => k.uid === apiKey.uid)).toBe(false);
    const e = await failureOf(alice.apiKeys.delete(apiKey.uid));
    expect(e).toMatchObject({ code: "NOT_FOUND", method: "DELETE", operation: "apiKeys.delete" });
  });

  test("findByName finds by name, optionally by owner", async () => {
    remember(await admin.apiKeys.create({ name: "shared-name", expiresAt: inDays(emu, 7), userUid: bobUid() }));
    remember(await alice.apiKeys.create({ name: "shared-name", expiresAt: inDays(emu, 7) }));
    expect((await admin.apiKeys.findByName("shared-name", aliceUid()))?.user.uid).toBe(aliceUid());
    expect((await admin.apiKeys.findByName("shared-name", bobUid()))?.user.uid).toBe(bobUid());
    expect((await alice.apiKeys.findByName("shared-name"))?.user.uid).toBe(aliceUid());
    expect(await alice.apiKeys.findByName("nothing-like-it")).toBeUndefined();
  });
});

test("no error thrown in this suite carries a secret, a JWT or a created key value", () => {
  expect(collected.length).toBeGreaterThan(10);
  expect(leaks([...seedSecrets(emu), ...extraSecrets])).toEqual([]);
});
