/**
 * The edits an in-place update sends (core/edits.ts), which both engines' updates ask for: only
 * fields whose planned value differs from the recorded one, with "differs" meaning the same thing
 * to both (an instant in another spelling, or a description recorded as absent, is no edit).
 */
import { editsBetween } from "../../../../provider/core/edits";

const AT = new Date("2027-01-31T23:59:59.999Z");
const planned = { name: "ci", description: "", expiresAt: AT };
const recorded = { name: "ci", description: "", expiresAt: "2027-01-31T23:59:59.999Z" };

describe("editsBetween", () => {
  it("sends nothing when the state records what is planned, whatever the spelling of the instant or of no description", () => {
    expect(editsBetween(recorded, planned)).toEqual({});
    // A Terraform config's day means its end (UTC); Pulumi records the instant.
    expect(editsBetween({ ...recorded, expiresAt: "2027-01-31" }, planned)).toEqual({});
    expect(editsBetween({ name: "ci", expiresAt: recorded.expiresAt }, planned)).toEqual({});
  });

  it("sends each field that differs, and only those", () => {
    expect(editsBetween(recorded, { ...planned, name: "deployer" })).toEqual({ name: "deployer" });
    expect(editsBetween(recorded, { ...planned, description: "for CI" })).toEqual({ description: "for CI" });
    const later = new Date("2027-02-28T00:00:00.000Z");
    expect(editsBetween(recorded, { ...planned, expiresAt: later })).toEqual({ expiresAt: later });
    expect(editsBetween({ name: "old", description: "x", expiresAt: "2026-01-01T00:00:00Z" }, planned)).toEqual({ name: "ci", description: "", expiresAt: AT });
  });

  it("sends a field the state does not record (or records as no instant)", () => {
    expect(editsBetween({}, planned)).toEqual({ name: "ci", expiresAt: AT });
    expect(editsBetween({ ...recorded, expiresAt: "never" }, planned)).toEqual({ expiresAt: AT });
  });
});
