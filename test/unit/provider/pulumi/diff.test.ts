import { diffApiKey } from "../../../../provider/pulumi/diff";
import { UNKNOWN } from "../../../../provider/pulumi/check";

const NOW = new Date("2026-03-10T12:00:00Z");

/** Stored outputs of a key owned by the caller, autonamed, relative expiry. */
const olds = {
  key: "SECRETVALUE0123456789abcdefghijk",
  uid: "aaaaaaaaaaaaaaaaaaaaaaaa",
  name: "ci-abc1234",
  description: "ci",
  expiresIn: "30d",
  expiresAt: "2026-04-09T12:00:00.000Z",
  active: true,
  userUid: "bbbbbbbbbbbbbbbbbbbbbbbb",
  userName: "Alice Anders",
  userEmail: "alice@palette.local",
  createdAt: "2026-03-10T12:00:00.000Z",
  updatedAt: "2026-03-10T12:00:00.000Z",
  status: "active",
  __provider: "exports.handler = ...",
};
/** The checked inputs matching `olds`. */
const same = {
  __logicalName: "ci",
  name: "ci-abc1234",
  __autonamed: true,
  description: "ci",
  expiresIn: "30d",
  expiresAt: "2026-04-09T12:00:00.000Z",
  active: true,
  __provider: "exports.handler = ... (a newer text)",
};
const diff = (news: Record<string, unknown>, o: Record<string, unknown> = olds, now = NOW) => diffApiKey(o, news, now);

describe("diff", () => {
  it("reports no changes for the same inputs (__logicalName, __autonamed and __provider never count)", () => {
    expect(diff(same)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it("compares instants, not spellings", () => {
    expect(diff({ ...same, expiresAt: "2026-04-09T14:00:00+02:00" }).changes).toBe(false);
  });

  it.each([
    ["name", { name: "ci-renamed" }],
    ["description", { description: "new" }],
    ["expiresAt", { expiresAt: "2026-05-01T00:00:00.000Z" }],
    ["active", { active: false }],
  ])("updates %s in place", (prop, change) => {
    expect(diff({ ...same, ...change })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    void prop;
  });

  it("treats a missing description and an empty one as equal", () => {
    const { description: _d, ...noDescription } = olds;
    expect(diff({ ...same, description: "" }, noDescription).changes).toBe(false);
  });

  it("updates in place when switching from expiresIn to the same expiresAt", () => {
    const { expiresIn: _e, ...news } = same;
    expect(diff(news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });

  it("replaces on an owner change, uid or email", () => {
    const bobs = { ...olds, user: { email: "bob@palette.local" }, userEmail: "bob@palette.local", userUid: "c".repeat(24) };
    expect(diff({ ...same, user: { email: "alice@palette.local" } }, bobs).replaces).toEqual(["user"]);
    expect(diff({ ...same, user: { uid: "d".repeat(24) } }, bobs).replaces).toEqual(["user"]);
    expect(diff({ ...same, user: { email: "bob@palette.local" } }, bobs).changes).toBe(false);
  });

  it("sees the same owner across uid/email spellings and letter case", () => {
    expect(diff({ ...same, user: { uid: olds.userUid } }).changes).toBe(false);
    expect(diff({ ...same, user: { email: "ALICE@Palette.Local" } }).changes).toBe(false);
    const byEcho = { ...olds, userEmail: undefined, user: { email: "alice@palette.local" } };
    expect(diff({ ...same, user: { email: "Alice@palette.local" } }, byEcho).changes).toBe(false);
  });

  it("replaces when the program drops an explicit owner (the caller may be someone else)", () => {
    expect(diff(same, { ...olds, user: { email: "bob@palette.local" } }).replaces).toEqual(["user"]);
  });

  it("does not delete before replacing on an owner change, even with an explicit name", () => {
    const explicit = { ...same, __autonamed: undefined, user: { email: "bob@palette.local" } };
    expect(diff(explicit)).toEqual({ changes: true, replaces: ["user"], deleteBeforeReplace: false });
  });

  it("replaces an expired key the program still wants usable, even when no input changed", () => {
    const expired = { ...olds, expiresAt: "2026-03-01T00:00:00.000Z", status: "expired" };
    const unchanged = { ...same, expiresAt: "2026-03-01T00:00:00.000Z" };
    // "status", not "expiresAt": a drift report tells expiry apart from an out-of-band change of a property.
    expect(diff(unchanged, expired)).toEqual({ changes: true, replaces: ["status"], deleteBeforeReplace: false });
    // A program that wants the key revoked is satisfied by an expired key: nothing to do.
    expect(diff({ ...unchanged, active: false }, { ...expired, active: false }).changes).toBe(false);
    // Not expired yet: time passing alone never makes a diff.
    expect(diff(same, olds, new Date("2026-04-09T11:59:59Z")).changes).toBe(false);
  });

  it("replaces an expired key when anything changes, naming what changed", () => {
    const expired = { ...olds, expiresAt: "2026-03-01T00:00:00.000Z", status: "expired" };
    const r = diff({ ...same, expiresIn: "60d", expiresAt: "2026-05-09T12:00:00.000Z" }, expired);
    expect(r).toEqual({ changes: true, replaces: ["expiresAt", "expiresIn"], deleteBeforeReplace: false });
  });

  it("deletes before replacing an expired key that keeps its explicit name", () => {
    const expired = { ...olds, name: "ci-key", expiresAt: "2026-03-01T00:00:00.000Z" };
    const { __autonamed: _a, ...explicit } = same;
    const r = diff({ ...explicit, name: "ci-key", active: false, expiresAt: "2026-03-01T00:00:00.000Z" }, expired);
    expect(r).toEqual({ changes: true, replaces: ["active"], deleteBeforeReplace: true });
    const renamed = diff({ ...explicit, name: "ci-key-2", expiresAt: "2026-03-01T00:00:00.000Z" }, expired);
    expect(renamed).toEqual({ changes: true, replaces: ["name"], deleteBeforeReplace: false });
  });

  it("counts unknown values as changes, an unknown owner as a replacement", () => {
    expect(diff({ ...same, description: UNKNOWN })).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(diff({ ...same, expiresAt: UNKNOWN }).changes).toBe(true);
    expect(diff({ ...same, user: UNKNOWN }).replaces).toEqual(["user"]);
    expect(diff({ ...same, user: { email: UNKNOWN } }).replaces).toEqual(["user"]);
  });

  it("never mentions the key value", () => {
    for (const news of [same, { ...same, name: "x" }, { ...same, user: { uid: "z" } }]) {
      expect(JSON.stringify(diff(news))).not.toContain(olds.key);
    }
  });
});
