/**
 * The implementation module against a fake PaletteClient: which SDK calls each method makes, what
 * it returns, and that check/diff never construct a client at all.
 */
import type { ApiKey as PaletteApiKey } from "../../../../sdk";

const { PaletteError } = jest.requireActual<typeof import("../../../../sdk")>("../../../../sdk");

const fake = {
  apiKeys: { create: jest.fn(), get: jest.fn(), findShared: jest.fn(), update: jest.fn(), setActive: jest.fn(), delete: jest.fn() },
  users: { findByEmail: jest.fn(), get: jest.fn(), me: jest.fn() },
};
const constructed = jest.fn();
jest.mock("../../../../sdk", () => ({
  ...jest.requireActual("../../../../sdk"),
  PaletteClient: jest.fn().mockImplementation((options: unknown) => {
    constructed(options);
    return fake;
  }),
}));

import * as impl from "../../../../provider/impl";

const UID = "0123456789abcdef01234567";
const TENANT = "7e7e7e7e7e7e7e7e7e7e7e7e";
const VALUE = "KeyValue0123456789abcdefghijklmn";
const key = (over: Partial<PaletteApiKey> = {}): PaletteApiKey => ({
  uid: UID,
  name: "ci-abc1234",
  description: "ci",
  expiresAt: new Date("2099-01-01T00:00:00.000Z"),
  active: true,
  user: { uid: "a".repeat(24), firstName: "Alice", lastName: "Anders" },
  createdAt: new Date("2026-01-01T00:00:00.000Z"),
  updatedAt: new Date("2026-01-01T00:00:00.000Z"),
  annotations: {},
  ...over,
});
const paletteError = (code: "NOT_FOUND" | "UNAUTHENTICATED" | "SERVER", paletteCode?: string | number) =>
  new PaletteError({
    code,
    message: `apiKeys.get failed: GET /v1/apiKeys/${UID} -> ${code}`,
    operation: "apiKeys.get",
    method: "GET",
    path: `/v1/apiKeys/${UID}`,
    attempts: 1,
    ...(paletteCode !== undefined ? { paletteCode } : {}),
  });
const config = (values: Record<string, string>) => ({
  config: { get: (k: string) => values[k], require: (k: string) => values[k] ?? "" },
});
const inputs = {
  __logicalName: "ci",
  name: "ci-abc1234",
  __autonamed: true,
  description: "ci",
  expiresIn: "30d",
  expiresAt: "2099-01-01T00:00:00.000Z",
  active: true,
  __provider: "exports.handler = () => provider;",
};
const hasUndefined = (o: unknown): boolean =>
  o === undefined || (typeof o === "object" && o !== null && Object.values(o).some(hasUndefined));

beforeEach(() => {
  jest.clearAllMocks();
  for (const f of [...Object.values(fake.apiKeys), ...Object.values(fake.users)]) f.mockReset();
  fake.users.me.mockResolvedValue({ orgName: "Acme", tenantUid: TENANT, userUid: "a".repeat(24) });
  // Keys missing from the list are asked for by uid: tests of read mock that GET.
  fake.apiKeys.findShared.mockResolvedValue(undefined);
  delete process.env.SPECTROCLOUD_APIKEY;
  delete process.env.SPECTROCLOUD_USERNAME;
  delete process.env.SPECTROCLOUD_PASSWORD;
});

describe("check and diff", () => {
  it("never construct a client, even for bad inputs and without credentials", async () => {
    await impl.configure(config({}));
    const bad = [{ name: "" }, { expiresIn: "0d" }, { user: {} }, { bogus: 1 }, { expiresAt: "2000-01-01" }];
    for (const news of bad) expect((await impl.check({}, news)).failures).toHaveLength(1);
    await impl.check({}, { __logicalName: "ci" });
    await impl.diff(UID, { ...inputs, uid: UID }, { ...inputs, name: "x" });
    expect(constructed).not.toHaveBeenCalled();
  });
});

describe("create", () => {
  beforeEach(() => impl.configure(config({ "palette:host": "http://127.0.0.1:9", "palette:apiKey": "admin-key" })));

  it("creates, learns the owner's email, and returns complete outputs with the key", async () => {
    fake.apiKeys.create.mockResolvedValue({ apiKey: key(), value: VALUE });
    fake.users.get.mockResolvedValue({ email: "alice@palette.local" });
    const { id, outs } = await impl.create(inputs);
    expect(constructed).toHaveBeenCalledWith(expect.objectContaining({ host: "http://127.0.0.1:9", auth: { apiKey: "admin-key" } }));
    expect(fake.apiKeys.create).toHaveBeenCalledWith({ name: "ci-abc1234", description: "ci", expiresAt: new Date("2099-01-01T00:00:00.000Z") });
    expect(fake.apiKeys.setActive).not.toHaveBeenCalled();
    expect(id).toBe(UID);
    expect(outs).toEqual({
      key: VALUE,
      keyAvailable: true,
      uid: UID,
      name: "ci-abc1234",
      description: "ci",
      expiresIn: "30d",
      expiresAt: "2099-01-01T00:00:00.000Z",
      active: true,
      userUid: "a".repeat(24),
      userName: "Alice Anders",
      userEmail: "alice@palette.local",
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
      status: "active",
      host: "http://127.0.0.1:9",
      tenantUid: TENANT,
    });
  });

  it("resolves an owner by email and revokes when active is false", async () => {
    fake.users.findByEmail.mockResolvedValue({ uid: "b".repeat(24), email: "bob@palette.local" });
    fake.apiKeys.create.mockResolvedValue({ apiKey: key(), value: VALUE });
    fake.apiKeys.get.mockResolvedValue(key({ active: false }));
    const { outs } = await impl.create({ ...inputs, active: false, user: { email: "Bob@palette.local" } });
    expect(fake.users.findByEmail).toHaveBeenCalledWith("Bob@palette.local");
    expect(fake.apiKeys.create).toHaveBeenCalledWith(expect.objectContaining({ userUid: "b".repeat(24) }));
    expect(fake.apiKeys.setActive).toHaveBeenCalledWith(UID, false);
    expect(fake.users.get).not.toHaveBeenCalled();
    // The configured spelling of the same mailbox (see core/owner.ts): Terraform's state keeps it too.
    expect(outs).toMatchObject({ active: false, status: "revoked", user: { email: "Bob@palette.local" }, userEmail: "Bob@palette.local" });
  });

  it("leaves userEmail out when the caller may not read users", async () => {
    // Another owner than the first test's: emails are remembered per owner for the process.
    fake.apiKeys.create.mockResolvedValue({ apiKey: key({ user: { uid: "c".repeat(24), firstName: "C", lastName: "C" } }), value: VALUE });
    fake.users.get.mockRejectedValue(paletteError("UNAUTHENTICATED"));
    const { outs } = await impl.create(inputs);
    expect(outs).not.toHaveProperty("userEmail");
    expect(hasUndefined(outs)).toBe(false);
  });

  it("reports a key it could not revoke with id and complete properties, so the engine records it", async () => {
    fake.apiKeys.create.mockResolvedValue({ apiKey: key(), value: VALUE });
    fake.apiKeys.setActive.mockRejectedValue(paletteError("SERVER"));
    const error = await impl.create({ ...inputs, active: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ id: UID, reasons: [expect.stringContaining("could not be revoked")] });
    const { properties } = error as { properties: Record<string, unknown> };
    expect(properties).toMatchObject({ key: VALUE, uid: UID, active: true, __provider: inputs.__provider });
    expect(hasUndefined(properties)).toBe(false);
    expect((error as Error).message).not.toContain(VALUE);
  });

  it("fails plainly, with context, when nothing was created", async () => {
    fake.apiKeys.create.mockRejectedValue(paletteError("SERVER"));
    const error = await impl.create(inputs).catch((e: unknown) => e);
    expect(error).not.toHaveProperty("id");
    expect((error as Error).message).toMatch(/^Cannot create API key "ci-abc1234": apiKeys.get failed/);
  });

  it("says how to set credentials when there are none", async () => {
    await impl.configure(config({}));
    await expect(impl.create(inputs)).rejects.toThrow(/palette:apiKey.*SPECTROCLOUD_APIKEY/s);
    expect(fake.apiKeys.create).not.toHaveBeenCalled();
  });
});

describe("read", () => {
  beforeEach(() => impl.configure(config({ "palette:apiKey": "admin-key" })));
  const state = { ...inputs, key: VALUE, uid: UID, userUid: "a".repeat(24), userName: "Alice Anders", userEmail: "alice@palette.local", status: "active" };

  it("returns Palette's view with the key carried forward, and matching inputs", async () => {
    fake.apiKeys.get.mockResolvedValue(key({ name: "renamed", active: false }));
    const r = await impl.read(UID, state);
    expect(r.id).toBe(UID);
    expect(r.props).toMatchObject({ key: VALUE, name: "renamed", active: false, status: "revoked", expiresIn: "30d", userEmail: "alice@palette.local" });
    expect(r.inputs).toEqual({ name: "renamed", description: "ci", active: false, expiresIn: "30d", expiresAt: "2099-01-01T00:00:00.000Z" });
  });

  it("finds the key in the shared list without asking for it by uid", async () => {
    fake.apiKeys.findShared.mockResolvedValue(key({ name: "listed" }));
    const r = await impl.read(UID, state);
    expect(r.props).toMatchObject({ uid: UID, name: "listed", key: VALUE });
    expect(fake.apiKeys.findShared.mock.calls[0]?.[0]).toBe(UID);
    expect(fake.apiKeys.get).not.toHaveBeenCalled();
  });

  it("fails loudly when the list fails, never 'gone'", async () => {
    fake.apiKeys.findShared.mockRejectedValue(paletteError("UNAUTHENTICATED", "UnAuthorizedAccess"));
    await expect(impl.read(UID, state)).rejects.toThrow(/^Cannot read API key 0123456789abcdef01234567: apiKeys.get failed/);
    expect(fake.apiKeys.get).not.toHaveBeenCalled();
  });

  it("drops expiresIn once the key was re-dated out of band", async () => {
    fake.apiKeys.get.mockResolvedValue(key({ expiresAt: new Date("2098-01-01T00:00:00Z") }));
    const r = await impl.read(UID, state);
    expect(r.props).not.toHaveProperty("expiresIn");
    expect(r.inputs).toEqual(expect.objectContaining({ expiresAt: "2098-01-01T00:00:00.000Z" }));
    expect(r.inputs).not.toHaveProperty("expiresIn");
  });

  it("copes with ApiKey.get state that has no outputs (no key to carry)", async () => {
    fake.apiKeys.get.mockResolvedValue(key());
    const r = await impl.read(UID, { __logicalName: "existing", __provider: "x" });
    expect(r.props).not.toHaveProperty("key");
    expect(hasUndefined(r)).toBe(false);
  });

  it("reports a key deleted out of band as gone (empty id)", async () => {
    fake.apiKeys.get.mockRejectedValue(paletteError("NOT_FOUND", "ResourceNotFound"));
    expect(await impl.read(UID, state)).toEqual({ id: "" });
  });

  it.each([
    ["401", paletteError("UNAUTHENTICATED", "UnAuthorizedAccess")],
    ["a framework 404 (wrong host path)", paletteError("NOT_FOUND", 404)],
    ["a 5xx", paletteError("SERVER")],
  ])("fails loudly on %s, never 'gone'", async (_label, error) => {
    fake.apiKeys.get.mockRejectedValue(error);
    await expect(impl.read(UID, state)).rejects.toThrow(/^Cannot read API key 0123456789abcdef01234567: apiKeys.get failed/);
  });
});

describe("tenant guard", () => {
  beforeEach(() => impl.configure(config({ "palette:host": "palette.example.com", "palette:apiKey": "admin-key" })));
  const here = { host: "https://palette.example.com", tenantUid: TENANT };
  const state = { ...inputs, key: VALUE, uid: UID, active: true, status: "active" };

  it.each([
    ["another tenant on the same host", { ...here, tenantUid: "1".repeat(24) }],
    ["another tenant on another host", { host: "https://other.example.com", tenantUid: "2".repeat(24) }],
  ])("refuses to read, update or delete a key recorded in %s, naming both places", async (_label, elsewhere) => {
    const recorded = { ...state, ...elsewhere };
    for (const call of [() => impl.read(UID, recorded), () => impl.update(UID, recorded, { ...inputs, description: "x" }), () => impl.delete(UID, recorded)]) {
      const e = (await call().catch((x: unknown) => x)) as Error;
      expect(e.message).toContain(`lives in tenant ${elsewhere.tenantUid} at ${elsewhere.host}`);
      expect(e.message).toContain(`belong to tenant ${TENANT} at https://palette.example.com`);
      expect(e.message).toMatch(/nothing was read, changed or deleted.*pulumi state delete/);
    }
    expect(fake.apiKeys.get).not.toHaveBeenCalled();
    expect(fake.apiKeys.update).not.toHaveBeenCalled();
    expect(fake.apiKeys.delete).not.toHaveBeenCalled();
  });

  it("reads, updates and deletes a key of this tenant recorded under another host, recording the host in use", async () => {
    const recorded = { ...state, host: "https://renamed.example.com", tenantUid: TENANT };
    fake.apiKeys.get.mockResolvedValue(key());
    fake.apiKeys.update.mockResolvedValue(key({ description: "x" }));
    const { props } = await impl.read(UID, recorded);
    expect(props).toMatchObject(here);
    const { outs } = await impl.update(UID, recorded, { ...inputs, description: "x" });
    expect(outs).toMatchObject({ ...here, description: "x" });
    await impl.delete(UID, recorded);
    expect(fake.apiKeys.delete).toHaveBeenCalledWith(UID);
  });

  it("acts on a key recorded here, and the host's spelling does not matter", async () => {
    fake.apiKeys.get.mockResolvedValue(key());
    const { props } = await impl.read(UID, { ...state, host: "HTTPS://Palette.Example.com/", tenantUid: TENANT });
    expect(props).toMatchObject({ uid: UID, tenantUid: TENANT });
  });

  it("adopts the current place for a key whose state predates the record", async () => {
    fake.apiKeys.get.mockResolvedValue(key());
    const { props } = await impl.read(UID, state);
    expect(props).toMatchObject(here);
  });
});

describe("update", () => {
  beforeEach(() => impl.configure(config({ "palette:apiKey": "admin-key" })));
  const olds = { ...inputs, key: VALUE, uid: UID, userUid: "a".repeat(24), userName: "Alice Anders", status: "active" };

  it("sends only the changed fields and carries the key forward", async () => {
    fake.apiKeys.update.mockResolvedValue(key({ description: "new" }));
    const { outs } = await impl.update(UID, olds, { ...inputs, description: "new" });
    expect(fake.apiKeys.update).toHaveBeenCalledWith(UID, { description: "new" });
    expect(fake.apiKeys.setActive).not.toHaveBeenCalled();
    expect(fake.apiKeys.get).not.toHaveBeenCalled();
    expect(outs).toMatchObject({ key: VALUE, description: "new" });
  });

  it("revokes with one call: no PUT of the key body, nothing read back", async () => {
    const { outs } = await impl.update(UID, olds, { ...inputs, active: false });
    expect(fake.apiKeys.setActive).toHaveBeenCalledWith(UID, false);
    expect(fake.apiKeys.update).not.toHaveBeenCalled();
    expect(fake.apiKeys.get).not.toHaveBeenCalled();
    expect(outs).toMatchObject({ key: VALUE, active: false, status: "revoked" });
  });

  it("re-dates with the new instant", async () => {
    fake.apiKeys.update.mockResolvedValue(key({ expiresAt: new Date("2099-02-01T00:00:00Z") }));
    const { outs } = await impl.update(UID, olds, { ...inputs, expiresIn: "60d", expiresAt: "2099-02-01T00:00:00.000Z" });
    expect(fake.apiKeys.update).toHaveBeenCalledWith(UID, { expiresAt: new Date("2099-02-01T00:00:00.000Z") });
    expect(outs).toMatchObject({ expiresIn: "60d", expiresAt: "2099-02-01T00:00:00.000Z" });
  });

  it("calls nothing when Palette has nothing to change", async () => {
    const { outs } = await impl.update(UID, olds, { ...inputs, expiresIn: "720h" });
    for (const f of [...Object.values(fake.apiKeys), ...Object.values(fake.users)]) expect(f).not.toHaveBeenCalled();
    expect(outs).toMatchObject({ key: VALUE, expiresIn: "720h" });
    expect(outs).not.toHaveProperty("__provider");
  });

  it("records a half-applied update with id and properties", async () => {
    fake.apiKeys.update.mockRejectedValue(paletteError("SERVER"));
    const error = await impl.update(UID, olds, { ...inputs, active: false, name: "renamed" }).catch((e: unknown) => e);
    expect(fake.apiKeys.setActive).toHaveBeenCalledWith(UID, false);
    expect(error).toMatchObject({ id: UID, properties: { key: VALUE, active: false, name: "ci-abc1234", __provider: inputs.__provider } });
    expect((error as Error).message).toMatch(/change name failed/);
  });

  it("fails plainly when the first change fails, and explains a key deleted out of band", async () => {
    fake.apiKeys.update.mockRejectedValue(paletteError("NOT_FOUND", "ResourceNotFound"));
    const error = await impl.update(UID, olds, { ...inputs, name: "renamed" }).catch((e: unknown) => e);
    expect(error).not.toHaveProperty("id");
    expect((error as Error).message).toMatch(/no longer exists in Palette.*pulumi refresh/);
  });
});

describe("delete", () => {
  beforeEach(() => impl.configure(config({ "palette:apiKey": "admin-key" })));

  it("deletes, and treats an already deleted key as success", async () => {
    await impl.delete(UID, {});
    expect(fake.apiKeys.delete).toHaveBeenCalledWith(UID);
    fake.apiKeys.delete.mockRejectedValue(paletteError("NOT_FOUND", "ResourceNotFound"));
    await expect(impl.delete(UID, {})).resolves.toBeUndefined();
  });

  it("fails loudly on anything else", async () => {
    fake.apiKeys.delete.mockRejectedValue(paletteError("UNAUTHENTICATED", "UnAuthorizedAccess"));
    await expect(impl.delete(UID, {})).rejects.toThrow(/^Cannot delete API key/);
  });
});
