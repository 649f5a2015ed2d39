/** The audit's pure parts: what the emulator cannot show (a disabled owner) and the state shapes' corners. */
import { audit, formatTable, keysInPulumiExport, keysInTerraformState } from "../../../cli/audit";
import type { ApiKey, User } from "../../../sdk";

const now = new Date("2026-06-01T00:00:00Z");
const key = (uid: string, ownerUid: string): ApiKey => ({
  uid,
  name: uid,
  description: "",
  expiresAt: new Date("2027-01-01T00:00:00Z"),
  active: true,
  user: { uid: ownerUid, firstName: "", lastName: "" },
  createdAt: new Date("2026-05-01T00:00:00Z"),
  updatedAt: null,
  annotations: {},
});
const user = (uid: string, active: boolean): User => ({ uid, name: uid, email: `${uid}@x`, firstName: "", lastName: "", roles: [], active, createdAt: null });

describe("audit", () => {
  it("flags a disabled owner's key as orphaned, an active owner's not, and counts age in whole days", () => {
    const report = audit({ host: "h", keys: [key("k1", "u1"), key("k2", "u2")], users: [user("u1", false), user("u2", true)], states: new Map(), withinMs: 0, now });
    expect(report.keys.map((k) => [k.uid, k.ownerState, k.flags, k.ageDays, k.managedBy])).toEqual([
      ["k1", "disabled", ["orphaned"], 31, null],
      ["k2", "active", [], 31, null],
    ]);
  });
});

describe("state documents", () => {
  it("terraform: child modules count, data sources and an empty state do not", () => {
    const doc = {
      format_version: "1.0",
      values: {
        root_module: {
          resources: [
            { address: "palette_api_key.a", mode: "managed", type: "palette_api_key", values: { id: "a" } },
            { address: "data.palette_api_key.b", mode: "data", type: "palette_api_key", values: { id: "b" } },
          ],
          child_modules: [{ resources: [{ address: "module.m.palette_api_key.c", mode: "managed", type: "palette_api_key", values: { id: "c" } }] }],
        },
      },
    };
    expect(keysInTerraformState(doc).map((k) => k.uid)).toEqual(["a", "c"]);
    expect(keysInTerraformState({ format_version: "1.0" })).toEqual([]);
  });

  it("pulumi: keys read with ApiKey.get (external) are not managed by the stack", () => {
    const type = "pulumi-nodejs:dynamic/palette:ApiKey";
    const doc = { deployment: { resources: [{ type, id: "a", urn: "u:a" }, { type, id: "b", urn: "u:b", external: true }, { type: "pulumi:pulumi:Stack", urn: "s" }] } };
    expect(keysInPulumiExport(doc)).toEqual([{ uid: "a", address: "u:a" }]);
    expect(() => keysInPulumiExport({ values: {} })).toThrow("not a `pulumi stack export` document");
  });

  it("pulumi: keys kept by keepPrevious are managed, as kept keys of their resource", () => {
    const type = "pulumi-nodejs:dynamic/palette:ApiKey";
    const outputs = { previousKeys: [{ uid: "old", name: "deployer-1", deleteAfter: "2026-06-03T00:00:00Z" }] };
    const doc = { version: 3, deployment: { resources: [{ type, id: "new", urn: "u:new", outputs }] } };
    expect(keysInPulumiExport(doc)).toEqual([
      { uid: "new", address: "u:new" },
      { uid: "old", address: "u:new.previousKeys", kept: true },
    ]);
  });

  it("terraform show -json: keys kept by keep_previous are managed, as kept keys of their resource", () => {
    const values = { id: "new", previous_keys: [{ uid: "old", name: "deployer-1", delete_after: "2026-06-03T00:00:00Z" }] };
    const doc = { format_version: "1.0", values: { root_module: { resources: [{ address: "palette_api_key.d", mode: "managed", type: "palette_api_key", values }] } } };
    expect(keysInTerraformState(doc)).toEqual([
      { uid: "new", address: "palette_api_key.d" },
      { uid: "old", address: "palette_api_key.d.previous_keys", kept: true },
    ]);
  });

  it("terraform raw state (version 4): modules, count and for_each keys, kept keys; data sources are not managed", () => {
    const doc = {
      version: 4,
      terraform_version: "1.11.4",
      serial: 3,
      lineage: "l",
      outputs: {},
      resources: [
        { mode: "managed", type: "palette_api_key", name: "a", provider: 'provider["terraform.local/palette-apikeys/palette"]', instances: [{ schema_version: 0, attributes: { id: "a", previous_keys: [{ uid: "a0", name: "n", delete_after: "x" }] } }] },
        { mode: "data", type: "palette_api_key", name: "b", provider: "p", instances: [{ attributes: { id: "b" } }] },
        { module: "module.team[\"x\"]", mode: "managed", type: "palette_api_key", name: "c", provider: "p", instances: [{ index_key: 0, attributes: { id: "c0" } }, { index_key: 1, attributes: { id: "c1" } }] },
        { mode: "managed", type: "palette_api_key", name: "d", provider: "p", each: "map", instances: [{ index_key: "k", attributes: { id: "d" } }] },
        { mode: "managed", type: "other", name: "e", provider: "p", instances: [{ attributes: { id: "e" } }] },
      ],
    };
    expect(keysInTerraformState(doc)).toEqual([
      { uid: "a", address: "palette_api_key.a" },
      { uid: "a0", address: "palette_api_key.a.previous_keys", kept: true },
      { uid: "c0", address: 'module.team["x"].palette_api_key.c[0]' },
      { uid: "c1", address: 'module.team["x"].palette_api_key.c[1]' },
      { uid: "d", address: 'palette_api_key.d["k"]' },
    ]);
    expect(keysInTerraformState({ version: 4, terraform_version: "1.11.4", resources: [] })).toEqual([]);
  });

  it.each([
    [{ foo: 1 }, "not a Terraform state: expected `terraform show -json` output or a raw state"],
    [[], "not a Terraform state"],
    [{ version: 3, terraform_version: "0.11.14", modules: [] }, "raw Terraform state of version 3; only version 4"],
    [{ format_version: "1.2", planned_values: {}, resource_changes: [] }, "of a plan, not of a state"],
    [{ version: 4, terraform_version: "1.11.4" }, "no resources list"],
  ])("terraform: %j is refused", (doc, message) => {
    expect(() => keysInTerraformState(doc)).toThrow(message);
  });
});

describe("kept keys in the audit", () => {
  const states = new Map([["tf.json", [{ uid: "new", address: "palette_api_key.d" }, { uid: "old", address: "palette_api_key.d.previous_keys", kept: true as const }, { uid: "gone", address: "palette_api_key.d.previous_keys", kept: true as const }]]]);

  it("are managed (kept), never unmanaged, and a kept key already deleted is not missing", () => {
    const report = audit({ host: "h", keys: [key("new", "u1"), key("old", "u1"), key("stray", "u1")], users: [user("u1", true)], states, withinMs: 0, now });
    expect(report.keys.map((k) => [k.uid, k.managedAs, k.managedBy, k.flags])).toEqual([
      ["new", "resource", ["tf.json"], []],
      ["old", "kept", ["tf.json"], []],
      ["stray", null, [], ["unmanaged"]],
    ]);
    expect(report.missing).toEqual([]);
    expect(report.counts.unmanaged).toBe(1);
    const table = formatTable(report);
    expect(table[0]).toMatch(/\sMANAGED\s+FLAGS$/);
    expect(table.find((l) => l.startsWith("old "))).toMatch(/\skept\s+-$/);
    expect(table.find((l) => l.startsWith("stray "))).toMatch(/\sno\s+unmanaged$/);
    expect(table).toContain("Kept: keys a rotation replaced, kept alive by keepPrevious / keep_previous until their delete-after; managed, not unmanaged.");
  });
});
