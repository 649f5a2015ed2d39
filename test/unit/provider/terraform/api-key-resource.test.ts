/**
 * palette_api_key's validate and plan: pure (the lifecycle is never asked), the same rules as the
 * Pulumi check and diff, mapped onto Terraform's plan rules.
 */
import { apiKeyResource } from "../../../../provider/terraform/api-key-resource";
import { UNKNOWN, type CtyObject } from "../../../../provider/tfplugin6";
import type { Preflight } from "../../../../provider/core/preflight";
import { KeyLifecycle, type LifecycleSession } from "../../../../provider/core/lifecycle";
import { TERRAFORM_NAMES } from "../../../../provider/terraform/api-key-state";
import { TERRAFORM_HINTS } from "../../../../provider/terraform/palette-provider";
import type { ApiKey, PaletteClient } from "../../../../sdk";

const NOW = new Date("2026-03-10T12:34:56.789Z");
const noCalls = (): never => {
  throw new Error("plan and validate must not talk to Palette");
};
const resource = (now = NOW) => apiKeyResource(noCalls, () => now);
const ctx = { signal: new AbortController().signal };

const NULLS: CtyObject = {
  id: null,
  name: null,
  description: null,
  expires_in: null,
  expires_at: null,
  active: null,
  user_uid: null,
  user_email: null,
  key: null,
  status: null,
  user_name: null,
  created_at: null,
  updated_at: null,
};
const config = (values: CtyObject): CtyObject => ({ ...NULLS, ...values });

/** State of a caller-owned key made with expires_in = "30d" at NOW. */
const prior: CtyObject = {
  id: "aaaaaaaaaaaaaaaaaaaaaaaa",
  name: "ci",
  description: "",
  expires_in: "30d",
  expires_at: "2026-04-09T12:34:00.000Z",
  active: true,
  user_uid: "bbbbbbbbbbbbbbbbbbbbbbbb",
  user_email: "alice@palette.local",
  key: "SECRETVALUE0123456789abcdefghijk",
  status: "active",
  user_name: "Alice Anders",
  created_at: "2026-03-10T12:34:56.000Z",
  updated_at: "2026-03-10T12:34:56.000Z",
};
/** Terraform's proposed new state: config, and prior values where a computed attribute's config is null. */
const proposed = (cfg: CtyObject, from: CtyObject | null = prior): CtyObject =>
  Object.fromEntries(Object.entries(cfg).map(([k, v]) => [k, v === null && from !== null ? (from[k] ?? null) : v]));
const plan = async (cfg: CtyObject, from: CtyObject | null = prior, now = NOW) =>
  resource(now).plan({ prior: from, proposed: proposed(cfg, from), config: cfg }, ctx);

describe("palette_api_key validate: the core's rules, on the attribute that is wrong", () => {
  const table: [string, CtyObject, string, RegExp][] = [
    ["both expiry forms", { name: "a", expires_in: "7d", expires_at: "2027-01-01" }, "expires_at", /expires_at and expires_in are mutually exclusive/],
    ["a bad expires_in", { name: "a", expires_in: "2w" }, "expires_in", /not a duration/],
    ["an expires_at that is not a date", { name: "a", expires_at: "next tuesday" }, "expires_at", /not a date/],
    ["both owner forms", { name: "a", user_uid: "u1", user_email: "a@b.c" }, "user_email", /mutually exclusive/],
    ["an owner email that is not an address", { name: "a", user_email: "alice" }, "user_email", /email address/],
    ["an empty name", { name: "  " }, "name", /must not be empty/],
    ["a name with a newline", { name: "ci\nkey" }, "name", /control characters/],
    ["a description too long", { name: "a", description: "d".repeat(1025) }, "description", /at most 1024/],
  ];
  it.each(table)("%s", async (_label, values, attribute, detail) => {
    const diags = await resource().validate(config(values));
    expect(diags).toHaveLength(1);
    expect(diags[0]).toMatchObject({ severity: "error", attribute: [attribute] });
    expect(diags[0]?.detail).toMatch(detail);
  });

  it("skips values that are still unknown", async () => {
    expect(await resource().validate(config({ name: UNKNOWN, expires_in: UNKNOWN, user_email: UNKNOWN }))).toEqual([]);
  });

  it("fails plan on a past expires_at, naming it, before anything is sent", async () => {
    const { planned, diagnostics } = await plan(config({ name: "a", expires_at: "2020-01-01" }), null);
    expect(planned).toBeNull();
    expect(diagnostics).toEqual([expect.objectContaining({ attribute: ["expires_at"], detail: expect.stringMatching(/in the past/) })]);
  });
});

describe("palette_api_key plan", () => {
  it("plans a create: computed values unknown, the value unknown, a relative expiry resolved by apply", async () => {
    const { planned, requiresReplace } = await plan(config({ name: "ci", expires_in: "30d" }), null);
    expect(requiresReplace).toBeUndefined();
    expect(planned).toMatchObject({
      id: UNKNOWN,
      name: "ci",
      description: "",
      expires_in: "30d",
      // Plan and apply run minutes apart: an instant from the clock here would not match apply's.
      expires_at: UNKNOWN,
      active: true,
      key: UNKNOWN,
      status: "active",
      user_uid: UNKNOWN,
    });
  });

  it("defaults to 30d and keeps an explicit expiry in the user's spelling", async () => {
    expect((await plan(config({ name: "ci" }), null)).planned).toMatchObject({ expires_at: UNKNOWN, expires_in: null });
    expect((await plan(config({ name: "ci", expires_at: "2027-01-31" }), null)).planned).toMatchObject({ expires_at: "2027-01-31" });
  });

  it("plans no change for the same config, also much later (time passing is never a diff)", async () => {
    const same = config({ name: "ci", expires_in: "30d" });
    expect((await plan(same)).planned).toEqual(prior);
    expect((await plan(same, prior, new Date("2026-04-09T12:00:00Z"))).planned).toEqual(prior);
  });

  it("updates description, expiry and active in place; a changed expires_in leaves the instant to apply", async () => {
    const r = await plan(config({ name: "ci", expires_in: "60d", description: "x", active: false }));
    expect(r.requiresReplace ?? []).toEqual([]);
    expect(r.planned).toMatchObject({
      id: prior.id,
      key: prior.key,
      description: "x",
      expires_in: "60d",
      expires_at: UNKNOWN,
      active: false,
      status: "revoked",
      updated_at: UNKNOWN,
    });
  });

  it("replaces on a change of owner, making the owner's computed values unknown", async () => {
    const r = await plan(config({ name: "ci", expires_in: "30d", user_email: "bob@palette.local" }));
    expect(r.requiresReplace).toEqual(expect.arrayContaining([["user_email"]]));
    expect(r.planned).toMatchObject({ user_email: "bob@palette.local", user_uid: UNKNOWN });
  });

  it("sees the same owner by uid or email", async () => {
    expect((await plan(config({ name: "ci", expires_in: "30d", user_uid: prior.user_uid as string }))).planned).toEqual({ ...prior });
    expect((await plan(config({ name: "ci", expires_in: "30d", user_email: "ALICE@palette.local" }))).requiresReplace).toBeUndefined();
  });

  it("replaces an expired key the config still wants active, through status", async () => {
    const expired = { ...prior, status: "expired" };
    const r = await plan(config({ name: "ci", expires_in: "30d" }), expired, new Date("2026-04-10T00:00:00Z"));
    expect(r.requiresReplace).toEqual([["status"]]);
    expect(r.planned).toMatchObject({ status: "active" });
    // A config that wants it revoked is satisfied by an expired key.
    const revoked = await plan(config({ name: "ci", expires_in: "30d", active: false }), { ...expired, active: false }, new Date("2026-04-10T00:00:00Z"));
    expect(revoked.planned).toEqual({ ...expired, active: false });
  });

  it("passes unknown inputs through as unknown", async () => {
    const r = await plan(config({ name: UNKNOWN, description: UNKNOWN }), null);
    expect(r.planned).toMatchObject({ name: UNKNOWN, description: UNKNOWN });
  });

  it("plans a delete as null", async () => {
    expect(await resource().plan({ prior, proposed: null, config: null }, ctx)).toEqual({ planned: null });
  });
});

describe("palette_api_key apply of a relative expiry", () => {
  it("resolves the instant when applying, so a plan made a minute earlier still applies consistently", async () => {
    const planTime = new Date("2026-03-10T12:34:59.900Z");
    const applyTime = new Date("2026-03-10T12:35:00.100Z"); // a minute boundary between plan and apply
    const made: { expiresAt?: Date } = {};
    const lifecycle = {
      create: async (spec: { name: string; expiresAt: Date }) => {
        made.expiresAt = spec.expiresAt;
        return {
          key: {
            uid: "c".repeat(24),
            name: spec.name,
            description: "",
            expiresAt: spec.expiresAt,
            active: true,
            user: { uid: "u".repeat(24), firstName: "Ada", lastName: "Admin" },
            createdAt: applyTime,
            updatedAt: applyTime,
            annotations: {},
          },
          value: "v".repeat(32),
          location: { host: "https://palette.example.com", tenantUid: "t".repeat(24) },
        };
      },
    };
    const cfg = config({ name: "ci", expires_in: "30d" });
    const { planned, plannedPrivate } = await apiKeyResource(noCalls, () => planTime).plan({ prior: null, proposed: proposed(cfg, null), config: cfg }, ctx);
    const r = apiKeyResource(() => lifecycle as never, () => applyTime);
    const { state, private: priv, diagnostics } = await r.apply({ prior: null, planned, config: cfg, ...(plannedPrivate ? { plannedPrivate } : {}) }, ctx);
    expect(diagnostics ?? []).toEqual([]);
    expect(made.expiresAt?.toISOString()).toBe("2026-04-09T12:35:00.000Z");
    expect(state).toMatchObject({ expires_at: "2026-04-09T12:35:00.000Z", expires_in: "30d", key: "v".repeat(32) });
    // The resolution is recorded, so a later re-dating out of band is put back to it.
    expect(JSON.parse(String(priv))).toMatchObject({ expiry: { expiresIn: "30d", expiresAt: "2026-04-09T12:35:00.000Z" } });
  });
});

describe("key_available in state written before it existed", () => {
  it("upgrade derives it from the value the state holds, and keeps a recorded one", async () => {
    const r = resource();
    expect((await r.upgrade({ id: "k1", key: "value" }, 0)).state).toMatchObject({ key_available: true });
    expect((await r.upgrade({ id: "k1", key: null }, 0)).state).toMatchObject({ key_available: false });
    expect((await r.upgrade({ id: "k1", key: "value", key_available: false }, 0)).state).toMatchObject({ key_available: false });
  });
});

describe("palette_api_key keep_previous: a rotation in place, kept keys in previous_keys", () => {
  const rotating = config({ name_prefix: "deployer", expires_in: "30d", rotate_before: "7d", keep_previous: "2d" });
  const kept = (uid: string, deleteAfter: string) => ({ uid, name: `deployer-${uid}`, delete_after: deleteAfter });
  const state = (previous: CtyObject["previous_keys"]): CtyObject => ({
    ...prior,
    name: "deployer-abcdefg",
    name_prefix: "deployer",
    rotate_before: "7d",
    keep_previous: "2d",
    rotates_at: "2026-04-02T12:34:00.000Z",
    key_available: true,
    previous_keys: previous,
  });
  const inWindow = new Date("2026-04-03T00:00:00.000Z");

  test("inside the window, plan updates in place: new id, name, expiry and key, previous_keys known after apply", async () => {
    const r = await plan(rotating, state(null), inWindow);
    expect(r.requiresReplace ?? []).toEqual([]);
    expect(r.planned).toMatchObject({ id: UNKNOWN, name: UNKNOWN, expires_at: UNKNOWN, rotates_at: UNKNOWN, key: UNKNOWN, previous_keys: UNKNOWN, key_available: true, status: "active" });
    expect(r.diagnostics).toEqual([expect.objectContaining({ severity: "warning", summary: "rotation due: expires 2026-04-09, rotate_before 7d", detail: expect.stringContaining("keep_previous 2d") })]);
  });

  test("without keep_previous the same rotation is a replacement", async () => {
    const r = await plan({ ...rotating, keep_previous: null }, { ...state(null), keep_previous: null }, inWindow);
    expect(r.requiresReplace).toContainEqual(["rotates_at"]);
    expect(r.planned).toMatchObject({ previous_keys: null });
  });

  test("a kept key past delete_after leaves previous_keys in an in-place update; one in its grace period stays", async () => {
    const now = new Date("2026-03-20T00:00:00.000Z");
    const previous = [kept("old1", "2026-03-19T00:00:00.000Z"), kept("old2", "2026-03-21T00:00:00.000Z")];
    const r = await plan(rotating, state(previous), now);
    expect(r.requiresReplace ?? []).toEqual([]);
    expect(r.planned).toEqual({ ...state(previous), previous_keys: [previous[1]] });
    // Before any delete_after: no change at all.
    const before = await plan(rotating, state(previous), new Date("2026-03-18T00:00:00.000Z"));
    expect(before.planned).toEqual(state(previous));
  });

  test("a state written before previous_keys upgrades to null and plans no change", async () => {
    const old = { ...state(null) } as Record<string, unknown>;
    delete old.previous_keys;
    const upgraded = (await resource().upgrade(old as CtyObject, 0)).state;
    expect(upgraded.previous_keys).toBeNull();
    expect((await plan(rotating, upgraded)).planned).toEqual(upgraded);
  });

  test("validate: keep_previous needs rotate_before, a duration, and at most rotate_before", async () => {
    const v = (values: CtyObject) => resource().validate(config({ name_prefix: "deployer", ...values }));
    expect(await v({ keep_previous: "2d" })).toEqual([expect.objectContaining({ attribute: ["keep_previous"], detail: expect.stringContaining("needs rotate_before too") })]);
    expect(await v({ rotate_before: "7d", keep_previous: "2 days" })).toEqual([expect.objectContaining({ attribute: ["keep_previous"], detail: expect.stringContaining("not a duration") })]);
    expect(await v({ rotate_before: "7d", keep_previous: "8d" })).toEqual([expect.objectContaining({ attribute: ["keep_previous"], detail: expect.stringContaining("longer than rotate_before") })]);
    expect(await v({ rotate_before: "7d", keep_previous: "2d" })).toEqual([]);
  });
});

describe("palette_api_key identities: imported owners, email case, expiry spellings, empty names", () => {
  /** The state an import reads back: Palette's expiry spelling, no expires_in, the owner's email unknown. */
  const imported: CtyObject = { ...prior, expires_in: null, expires_at: "2030-01-31T12:00:00.000Z", user_email: null, key: null };
  const preflightWith = (ownerUid: (email: string) => Promise<{ uid: string } | { unresolved: string }>) => () =>
    ({ owner: async () => undefined, ownerUid }) as unknown as Preflight;
  const planWith = (preflight: () => Preflight | undefined, cfg: CtyObject, from: CtyObject) =>
    apiKeyResource(noCalls, () => NOW, preflight).plan({ prior: from, proposed: proposed(cfg, from), config: cfg }, ctx);
  const cfg = config({ name: "ci", expires_at: "2030-01-31T13:00:00+01:00", user_email: "ALICE@palette.local" });

  it("an owner email that resolves to the imported key's owner uid is no replacement; the configured email is planned", async () => {
    const r = await planWith(preflightWith(async () => ({ uid: prior.user_uid as string })), cfg, imported);
    expect(r.requiresReplace).toBeUndefined();
    expect(r.diagnostics).toBeUndefined();
    expect(r.planned).toEqual({ ...imported, user_email: "ALICE@palette.local" });
  });

  it("an owner email of another user replaces the imported key", async () => {
    const r = await planWith(preflightWith(async () => ({ uid: "c".repeat(24) })), cfg, imported);
    expect(r.requiresReplace).toEqual(expect.arrayContaining([["user_email"]]));
  });

  it("an owner email that cannot be looked up fails the plan on user_email, suggesting user_uid, instead of replacing", async () => {
    const r = await planWith(preflightWith(async () => ({ unresolved: "Operation 'user.list' is forbidden" })), cfg, imported);
    expect(r.planned).toBeNull();
    expect(r.diagnostics?.[0]).toMatchObject({ severity: "error", attribute: ["user_email"] });
    expect(r.diagnostics?.[0]?.detail).toContain(`user_uid = "${prior.user_uid as string}"`);
  });

  it("an expiry spelled another way than Palette's is the same instant: no change", async () => {
    const withEmail = { ...imported, user_email: "alice@palette.local" };
    expect((await plan(config({ name: "ci", expires_at: "2030-01-31T12:00:00Z", user_email: "alice@palette.local" }), withEmail)).planned).toEqual(withEmail);
    expect((await plan(cfg, withEmail)).planned).toEqual(withEmail);
  });

  it("an empty name or name_prefix gets Terraform's advice, not Pulumi's autoname", async () => {
    for (const [attr, values] of [["name", { name: "" }], ["name_prefix", { name_prefix: " " }]] as const) {
      const diags = await resource().validate(config(values));
      const detail = diags.find((d) => d.attribute?.[0] === attr)?.detail ?? "";
      expect(detail).toMatch(/must not be empty/);
      expect(detail).not.toMatch(/autoname|leave name out/);
      expect(detail).toMatch(attr === "name" ? /use name_prefix/ : /use name instead/);
    }
  });

  it("apply of a create by email keeps the configured spelling of Palette's email", async () => {
    const made = {
      key: { uid: "c".repeat(24), name: "ci", description: "", expiresAt: new Date("2030-01-31T12:00:00Z"), active: true, user: { uid: "b".repeat(24), firstName: "Bob", lastName: "Brown" }, createdAt: NOW, updatedAt: NOW, annotations: {} },
      value: "v".repeat(32),
      ownerEmail: "bob@palette.local",
      location: { host: "https://palette.example.com", tenantUid: "t".repeat(24) },
    };
    const byEmail = config({ name: "ci", expires_at: "2030-01-31T12:00:00Z", user_email: "Bob@Palette.LOCAL" });
    const { planned } = await plan(byEmail, null);
    const r = apiKeyResource(() => ({ create: async () => made }) as never, () => NOW);
    const { state } = await r.apply({ prior: null, planned, config: byEmail }, ctx);
    expect(state).toMatchObject({ user_email: "Bob@Palette.LOCAL", user_uid: "b".repeat(24) });
  });
});

describe("palette_api_key apply of an update that sends nothing (the import-time user_email fill)", () => {
  const place = { host: "https://palette.example.com", tenantUid: "t".repeat(24) };
  const imported: CtyObject = { ...prior, host: place.host, tenant_uid: place.tenantUid, user_email: null, key: null, key_available: false };
  /** The plan of a configured email for a key recording none: only state changes, nothing to send. */
  const fill = (from: CtyObject): CtyObject => ({ ...from, user_email: "alice@palette.local" });
  const cfg = (active: boolean) => config({ name: "ci", expires_in: "30d", user_email: "alice@palette.local", active });
  const held = (active: boolean): ApiKey => ({
    uid: prior.id as string,
    name: "ci",
    description: "",
    expiresAt: new Date(prior.expires_at as string),
    active,
    user: { uid: prior.user_uid as string, firstName: "Alice", lastName: "Anders" },
    createdAt: new Date(prior.created_at as string),
    updatedAt: new Date("2026-03-11T08:00:00.000Z"),
    annotations: {},
  });
  const applyWith = async (palette: ApiKey, from: CtyObject, active: boolean) => {
    const calls = { get: 0, writes: 0 };
    const write = async (): Promise<never> => {
      calls.writes++;
      throw new Error("nothing is to be sent");
    };
    const client = { apiKeys: { get: async () => (calls.get++, palette), update: write, setActive: write, delete: write } };
    const session = { client: client as unknown as PaletteClient, location: async () => place } as unknown as LifecycleSession;
    const r = apiKeyResource(() => new KeyLifecycle(session, TERRAFORM_NAMES, TERRAFORM_HINTS), () => NOW);
    const result = await r.apply({ prior: from, planned: fill(from), config: cfg(active) }, ctx);
    return { ...result, calls };
  };

  it("reads the key once: still as planned, the planned state is recorded", async () => {
    const { state, diagnostics, calls } = await applyWith(held(true), imported, true);
    expect(calls).toEqual({ get: 1, writes: 0 });
    expect(diagnostics ?? []).toEqual([]);
    expect(state).toEqual(fill(imported));
  });

  it("revoked out of band after the plan: records it revoked, as Palette holds it, and fails saying why", async () => {
    const { state, diagnostics, calls } = await applyWith(held(false), imported, true);
    expect(calls).toEqual({ get: 1, writes: 0 });
    expect(state).toMatchObject({ id: prior.id, active: false, status: "revoked", user_email: "alice@palette.local", host: place.host });
    expect(diagnostics).toEqual([expect.objectContaining({ severity: "error", summary: "API key revoked outside of Terraform", attribute: ["active"] })]);
    expect(diagnostics?.[0]?.detail).toContain("the state records active = false, as Palette holds it");
  });

  it("re-activated out of band while the plan keeps it revoked: records it active and fails saying why", async () => {
    const revoked = { ...imported, active: false, status: "revoked" };
    const { state, diagnostics } = await applyWith(held(true), revoked, false);
    expect(state).toMatchObject({ active: true, status: "active" });
    expect(diagnostics).toEqual([expect.objectContaining({ severity: "error", summary: "API key re-activated outside of Terraform" })]);
  });
});
