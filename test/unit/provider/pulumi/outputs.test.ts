import type { ApiKey as PaletteApiKey } from "../../../../sdk";
import { inputsFromOutputs, refreshedOutputs, toOutputs } from "../../../../provider/pulumi/outputs";

const NOW = new Date("2026-03-10T12:00:00Z");
const key = (over: Partial<PaletteApiKey> = {}): PaletteApiKey => ({
  uid: "k".repeat(24),
  name: "ci",
  description: "",
  expiresAt: new Date("2026-04-09T12:00:00Z"),
  active: true,
  user: { uid: "u".repeat(24), firstName: "Ada", lastName: "" },
  createdAt: null,
  updatedAt: null,
  annotations: { ownerUid: "u".repeat(24) },
  ...over,
});
const hasUndefined = (o: object): boolean => Object.values(o).some((v) => v === undefined);

describe("outputs", () => {
  it("omits what Palette does not report instead of writing undefined", () => {
    const outs = toOutputs(key({ expiresAt: null }), {}, NOW);
    expect(outs).toEqual({ uid: "k".repeat(24), name: "ci", description: "", active: true, userUid: "u".repeat(24), userName: "Ada", status: "active", keyAvailable: false });
    expect(hasUndefined(outs)).toBe(false);
  });

  it("derives status: expiry wins over the active flag", () => {
    expect(toOutputs(key({ active: false }), {}, NOW).status).toBe("revoked");
    expect(toOutputs(key({ active: true, expiresAt: new Date("2026-03-01T00:00:00Z") }), {}, NOW).status).toBe("expired");
  });

  it("carries the key, owner echo and email forward on refresh, and expiresIn only while the instant holds", () => {
    const previous = { key: "v", expiresIn: "30d", expiresAt: "2026-04-09T12:00:00.000Z", user: { email: "ada@x.y" }, userEmail: "ada@x.y", annotations: "ignored" };
    const same = refreshedOutputs(key(), previous, NOW);
    expect(same).toMatchObject({ key: "v", expiresIn: "30d", user: { email: "ada@x.y" }, userEmail: "ada@x.y" });
    expect(same).not.toHaveProperty("annotations");
    const redated = refreshedOutputs(key({ expiresAt: new Date("2026-05-01T00:00:00Z") }), previous, NOW);
    expect(redated).not.toHaveProperty("expiresIn");
    expect(inputsFromOutputs(redated)).toEqual({ name: "ci", description: "", active: true, expiresAt: "2026-05-01T00:00:00.000Z", user: { email: "ada@x.y" } });
  });

  it("keeps the desired autoname beside Palette's name across refreshes, so a rename is put back", () => {
    const created = toOutputs(key({ name: "ci-abc1234" }), { autoname: "ci-abc1234" }, NOW);
    expect(created.__autoname).toBe("ci-abc1234");
    const renamed = refreshedOutputs(key({ name: "renamed-in-ui" }), { ...created }, NOW);
    expect(renamed.name).toBe("renamed-in-ui");
    expect(renamed.__autoname).toBe("ci-abc1234");
    expect(inputsFromOutputs(renamed)).toMatchObject({ name: "renamed-in-ui", __autonamed: true, __autoname: "ci-abc1234" });
    // A second refresh must not forget it.
    expect(refreshedOutputs(key({ name: "renamed-in-ui" }), { ...renamed }, NOW).__autoname).toBe("ci-abc1234");
  });

  it("records no autoname for explicitly named keys", () => {
    const outs = toOutputs(key(), {}, NOW);
    expect(outs).not.toHaveProperty("__autoname");
    expect(inputsFromOutputs(outs)).not.toHaveProperty("__autonamed");
  });
});
