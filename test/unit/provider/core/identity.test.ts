/**
 * The core's identity rules both engines use: an owner email in any case, an imported key whose
 * email is unknown, the tenant (not the host) as a key's place, and the active state an update
 * reads back when the engine's view is older than Palette's.
 */
import { PaletteError, type ApiKey, type PaletteClient } from "../../../../sdk";
import { diffKey, type DesiredKey, type StoredKey } from "../../../../provider/core/diff";
import type { EngineHints } from "../../../../provider/core/explain";
import { KeyLifecycle, type LifecycleSession } from "../../../../provider/core/lifecycle";
import { recordedEmail, sameEmail } from "../../../../provider/core/owner";
import { hostChangeNote, KeyNotAtHostError, locationIn, sameTenant, WrongTenantError } from "../../../../provider/core/tenant-guard";
import { PULUMI_NAMES } from "../../../../provider/pulumi/check";
import { diffApiKey } from "../../../../provider/pulumi/diff";
import { PULUMI_LOCATION } from "../../../../provider/pulumi/outputs";
import { TERRAFORM_LOCATION } from "../../../../provider/terraform/api-key-state";

const NOW = new Date("2026-03-10T12:00:00Z");
const ALICE = "a".repeat(24);
const TENANT = "7".repeat(24);

describe("owner emails", () => {
  it("are one mailbox in any case, and the state keeps the configured spelling", () => {
    expect(sameEmail("Bob@Palette.LOCAL", "bob@palette.local")).toBe(true);
    expect(sameEmail("bob@palette.local", "alice@palette.local")).toBe(false);
    expect(sameEmail(undefined, "bob@palette.local")).toBe(false);
    expect(recordedEmail("Bob@Palette.LOCAL", "bob@palette.local")).toBe("Bob@Palette.LOCAL");
    expect(recordedEmail(undefined, "bob@palette.local")).toBe("bob@palette.local");
    expect(recordedEmail("Bob@Palette.LOCAL", undefined)).toBe("Bob@Palette.LOCAL");
    expect(recordedEmail("carol@palette.local", "bob@palette.local")).toBe("bob@palette.local");
  });

  const stored: StoredKey = { name: "k", description: "", expiresAt: "2027-01-01T00:00:00.000Z", active: true, userUid: ALICE, userEmail: null };
  const desired = (over: Partial<DesiredKey>): DesiredKey => ({
    name: "k",
    description: "",
    expiresAt: "2027-01-01T00:00:00Z",
    active: true,
    explicitName: true,
    owner: { email: "Alice@Palette.local" },
    ...over,
  });

  it("an imported key recording no email keeps its owner when the configured email resolves to its uid", () => {
    expect(diffKey(stored, desired({ ownerEmailUid: ALICE }), NOW)).toMatchObject({ changed: [], replaces: [] });
    expect(diffKey(stored, desired({ ownerEmailUid: "b".repeat(24) }), NOW).replaces).toEqual(["user"]);
    expect(diffKey(stored, desired({}), NOW).replaces).toEqual(["user"]);
  });

  it("a recorded email in another case is the same owner, without a lookup", () => {
    expect(diffKey({ ...stored, userEmail: "alice@palette.local" }, desired({}), NOW).replaces).toEqual([]);
  });

  it("Pulumi's diff applies the same rule: another case is no change", () => {
    const olds = { name: "k", description: "", expiresAt: "2027-01-01T00:00:00.000Z", active: true, userUid: ALICE, userEmail: "alice@palette.local", user: { email: "alice@palette.local" } };
    const news = { name: "k", description: "", expiresAt: "2027-01-01T01:00:00+01:00", active: true, user: { email: "ALICE@palette.local" } };
    expect(diffApiKey(olds, news, NOW)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });
});

describe("the tenant guard: the tenant uid is the identity, the host a hint", () => {
  const recorded = { host: "http://127.0.0.1:8080", tenantUid: TENANT };
  it("the same tenant under another host is the same place, with a note naming both hosts and no state rm", () => {
    const current = { host: "http://localhost:8080", tenantUid: TENANT };
    expect(sameTenant(recorded, current)).toBe(true);
    const note = hostChangeNote("k1", recorded, current);
    expect(note).toContain("recorded at http://127.0.0.1:8080");
    expect(note).toContain(`tenant ${TENANT} now answers at http://localhost:8080`);
    expect(note).not.toMatch(/state (rm|delete)/);
    expect(hostChangeNote("k1", recorded, { host: "HTTP://127.0.0.1:8080/", tenantUid: TENANT })).toBeUndefined();
  });
  it("another tenant is another place", () => {
    expect(sameTenant(recorded, { ...recorded, tenantUid: "1".repeat(24) })).toBe(false);
  });
  it("each engine's state records the place under its own names; state without both halves records none", () => {
    expect(locationIn({ host: recorded.host, tenantUid: TENANT, name: "k" }, PULUMI_LOCATION)).toEqual(recorded);
    expect(locationIn({ host: recorded.host, tenant_uid: TENANT, name: "k" }, TERRAFORM_LOCATION)).toEqual(recorded);
    expect(locationIn({ host: recorded.host, tenantUid: TENANT }, TERRAFORM_LOCATION)).toBeUndefined();
    for (const state of [null, undefined, {}, { host: recorded.host }, { host: "", tenantUid: TENANT }, { host: recorded.host, tenantUid: null }]) {
      expect(locationIn(state, PULUMI_LOCATION)).toBeUndefined();
    }
  });
});

describe("KeyLifecycle against a fake client", () => {
  const key = (over: Partial<ApiKey> = {}): ApiKey => ({
    uid: "k".repeat(24),
    name: "k",
    description: "",
    expiresAt: new Date("2027-01-01T00:00:00Z"),
    active: true,
    user: { uid: ALICE, firstName: "Alice", lastName: "Anders" },
    createdAt: NOW,
    updatedAt: NOW,
    annotations: {},
    ...over,
  });
  const hints = { wrongTenant: "Point back.", keyNotAtHost: "Point at the recorded host.", vanished: "Drop it." } as EngineHints;
  const lifecycleAt = (host: string, tenantUid: string, client: Partial<{ apiKeys: object }>) => {
    const session = { client: client as PaletteClient, location: async () => ({ host, tenantUid }) } as unknown as LifecycleSession;
    return new KeyLifecycle(session, PULUMI_NAMES, hints);
  };

  it("an edit that reads the key back revoked out of band reports it revoked, never active", async () => {
    const update = jest.fn(async () => key({ active: false, description: "v2" }));
    const setActive = jest.fn();
    const ops = lifecycleAt("https://p.example.com", TENANT, { apiKeys: { update, setActive } });
    const outcome = await ops.update("k1", { name: "k", active: true }, { description: "v2" }, true, { host: "https://p.example.com", tenantUid: TENANT });
    expect(outcome).toMatchObject({ active: false, key: { active: false, description: "v2" }, sent: true });
    expect(setActive).not.toHaveBeenCalled();
  });

  it("reads a key of the same tenant under another host, taking the new host with a note; refuses another tenant", async () => {
    const findShared = jest.fn(async () => key());
    const ops = lifecycleAt("http://localhost:8080", TENANT, { apiKeys: { findShared } });
    const found = await ops.read("k1", { host: "http://127.0.0.1:8080", tenantUid: TENANT });
    expect(found?.location).toEqual({ host: "http://localhost:8080", tenantUid: TENANT });
    expect(found?.note).toContain("the recorded host is updated to http://localhost:8080");
    await expect(ops.read("k1", { host: "http://localhost:8080", tenantUid: "1".repeat(24) })).rejects.toBeInstanceOf(WrongTenantError);
  });

  describe("a key missing at another host of its tenant (a clone shares the tenant uid) is refused, never gone", () => {
    const A = { host: "http://127.0.0.1:8080", tenantUid: TENANT };
    const B = "http://127.0.0.1:9090";
    const gone = new PaletteError({ code: "NOT_FOUND", message: "GET /v1/apiKeys/k1 -> 404 ResourceNotFound", operation: "apiKeys.get", method: "GET", path: "/v1/apiKeys/k1", attempts: 1, paletteCode: "ResourceNotFound" });
    const missing = () => jest.fn(async () => Promise.reject(gone));
    const refusal = async (p: Promise<unknown>): Promise<KeyNotAtHostError> => {
      const e = await p.then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(KeyNotAtHostError);
      const message = (e as Error).message;
      expect(message).toContain(`recorded at ${A.host}`);
      expect(message).toContain(`at ${B}`);
      expect(message).toContain("Point at the recorded host.");
      expect(message).not.toMatch(/state (rm|delete)/);
      return e as KeyNotAtHostError;
    };

    it("read: refused with both hosts, where the recorded host reads the same 404 as gone", async () => {
      const client = { apiKeys: { findShared: jest.fn(async () => undefined), get: missing() } };
      await refusal(lifecycleAt(B, TENANT, client).read("k1", A));
      expect(await lifecycleAt(A.host, TENANT, client).read("k1", A)).toBeUndefined();
      expect(await lifecycleAt(B, TENANT, client).read("k1")).toBeUndefined(); // state written before the record: no host to miss
    });

    it("delete: refused, where the recorded host takes the same 404 as already deleted", async () => {
      const client = { apiKeys: { delete: missing() } };
      await refusal(lifecycleAt(B, TENANT, client).delete("k1", A));
      await expect(lifecycleAt(A.host, TENANT, client).delete("k1", A)).resolves.toBeUndefined();
    });

    it("update with edits or a toggle: refused, not reported deleted out of band", async () => {
      const client = { apiKeys: { update: missing(), setActive: missing() } };
      await refusal(lifecycleAt(B, TENANT, client).update("k1", { name: "k", active: true }, { description: "v2" }, true, A));
      await refusal(lifecycleAt(B, TENANT, client).update("k1", { name: "k", active: true }, {}, false, A));
      await expect(lifecycleAt(A.host, TENANT, client).update("k1", { name: "k", active: true }, { description: "v2" }, true, A)).rejects.toThrow(/deleted out of band.*Drop it/);
    });

    it("update with nothing to send reads the key at the new host first: refused when missing, the new host taken when found", async () => {
      const get = missing();
      const ops = lifecycleAt(B, TENANT, { apiKeys: { get } });
      await refusal(ops.update("k1", { name: "k", active: true }, {}, true, A));
      expect(get).toHaveBeenCalledTimes(1);
      const found = lifecycleAt(B, TENANT, { apiKeys: { get: jest.fn(async () => key()) } });
      const outcome = await found.update("k1", { name: "k", active: true }, {}, true, A);
      expect(outcome).toMatchObject({ sent: false, active: true, location: { host: B, tenantUid: TENANT }, key: { uid: key().uid } });
      expect(outcome.note).toContain(`the recorded host is updated to ${B}`);
    });
  });

  describe("an update that sends nothing, asked to read back (Terraform's apply)", () => {
    const recorded = { host: "https://p.example.com", tenantUid: TENANT };
    it("reads the key once and returns it as Palette holds it; without the ask, sends and reads nothing", async () => {
      const get = jest.fn(async () => key({ active: false }));
      const ops = lifecycleAt(recorded.host, TENANT, { apiKeys: { get } });
      expect(await ops.update("k1", { name: "k", active: true }, {}, true, recorded, { readBack: true })).toMatchObject({ sent: false, active: false, key: { active: false } });
      expect(get).toHaveBeenCalledTimes(1);
      expect(await ops.update("k1", { name: "k", active: true }, {}, true, recorded)).toEqual({ key: undefined, active: true, sent: false, location: recorded });
      expect(get).toHaveBeenCalledTimes(1);
    });
  });
});
