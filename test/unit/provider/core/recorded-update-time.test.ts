import type { ApiKey } from "../../../../sdk";
import { statusAfterToggle, withRecordedUpdateTime } from "../../../../provider/core/observed";

const palette: ApiKey = {
  uid: "0123456789abcdef01234567",
  name: "ci",
  description: "deploys",
  expiresAt: new Date("2027-01-31T23:59:59.999Z"),
  active: false,
  user: { uid: "a".repeat(24), firstName: "Ada", lastName: "Admin" },
  createdAt: new Date("2026-01-01T00:00:00.000Z"),
  updatedAt: new Date("2026-03-10T12:00:00.123Z"),
  annotations: {},
};
// What the provider recorded after its own revoke, which read nothing back: the time the write was answered.
const recorded = { name: "ci", description: "deploys", expiresAt: "2027-01-31", active: false, updatedAt: "2026-03-10T12:00:00.120Z" };

describe("a refresh after the provider's own write", () => {
  it("keeps the recorded updatedAt while nothing else differs (the day spelling of the expiry included)", () => {
    expect(withRecordedUpdateTime(palette, recorded).updatedAt?.toISOString()).toBe("2026-03-10T12:00:00.120Z");
  });

  it.each([
    ["name", { name: "renamed" }],
    ["description", { description: "other" }],
    ["expiry", { expiresAt: "2027-02-01" }],
    ["active", { active: true }],
  ])("takes Palette's updatedAt once the %s differs (drift)", (_field, change) => {
    expect(withRecordedUpdateTime(palette, { ...recorded, ...change }).updatedAt?.toISOString()).toBe("2026-03-10T12:00:00.123Z");
  });

  it("takes Palette's when nothing was recorded", () => {
    expect(withRecordedUpdateTime(palette, {}).updatedAt).toBe(palette.updatedAt);
  });
});

describe("the status after a revoke or re-activation that read nothing back", () => {
  it("follows active, except that an expired key stays expired when revoked", () => {
    expect([statusAfterToggle("active", false), statusAfterToggle("revoked", true), statusAfterToggle("expired", false)]).toEqual(["revoked", "active", "expired"]);
  });
});
