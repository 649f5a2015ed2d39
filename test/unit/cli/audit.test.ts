/** The audit's pure parts: what the emulator cannot show (a disabled owner) and the state shapes' corners. */
import { audit, keysInPulumiExport, keysInTerraformShow } from "../../../cli/audit";
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
    expect(keysInTerraformShow(doc).map((k) => k.uid)).toEqual(["a", "c"]);
    expect(keysInTerraformShow({ format_version: "1.0" })).toEqual([]);
  });

  it("pulumi: keys read with ApiKey.get (external) are not managed by the stack", () => {
    const type = "pulumi-nodejs:dynamic/palette:ApiKey";
    const doc = { deployment: { resources: [{ type, id: "a", urn: "u:a" }, { type, id: "b", urn: "u:b", external: true }, { type: "pulumi:pulumi:Stack", urn: "s" }] } };
    expect(keysInPulumiExport(doc)).toEqual([{ uid: "a", address: "u:a" }]);
    expect(() => keysInPulumiExport({ values: {} })).toThrow("not a `pulumi stack export` document");
  });
});
