/**
 * Rotation before expiry, the pure parts: the rules (core/rotation.ts) as both engines apply them,
 * Pulumi's check and diff on them, the provider's clock, and the hand-over of a rotated-out key.
 */
import { clockFrom } from "../../../../provider/core/clock";
import { PENDING } from "../../../../provider/core/rules";
import { deletePreviousKeys } from "../../../../provider/core/previous-key-deletion";
import { previousKeysDue, previousKeysOf, retire, rotatesAt, rotationDue, rotationProblems, rotationReason, splitPreviousKeys } from "../../../../provider/core/rotation";
import type { KeyLocation } from "../../../../provider/core/tenant-guard";
import { checkApiKey, PULUMI_NAMES } from "../../../../provider/pulumi/check";
import { diffApiKey } from "../../../../provider/pulumi/diff";
import * as handover from "../../../../provider/pulumi/handover";

const DAY = 86_400_000;
const NOW = new Date("2026-12-22T12:00:00Z");
const ctx = { now: NOW, random: () => 0.5 };
const check = (news: Record<string, unknown>, olds: Record<string, unknown> = {}) => checkApiKey(olds, { __logicalName: "deployer", ...news }, ctx);

describe("rotationProblems", () => {
  const problems = (input: Partial<Parameters<typeof rotationProblems>[0]>) =>
    rotationProblems({ explicitName: false, expiresAtGiven: false, ...input }, PULUMI_NAMES, "leave name out");

  it("accepts rotateBefore with a relative expiry and an autoname, and keepPrevious within rotateBefore", () => {
    expect(problems({ rotateBefore: "7d", expiresIn: "30d", keepPrevious: "7d" })).toEqual([]);
    expect(problems({ rotateBefore: "29d" })).toEqual([]); // under the 30d default
    expect(problems({})).toEqual([]);
  });

  it.each([
    [{ rotateBefore: "7d", explicitName: true }, "rotateBefore", /name and rotateBefore cannot be combined: .*\(leave name out\)/],
    [{ rotateBefore: "7d", expiresAtGiven: true }, "rotateBefore", /expiresAt and rotateBefore cannot be combined: .*use expiresIn/],
    [{ rotateBefore: "30d" }, "rotateBefore", /"30d" must be shorter than expiresIn \("30d"\)/],
    [{ rotateBefore: "7d", expiresIn: "168h" }, "rotateBefore", /must be shorter than expiresIn \("168h"\)/],
    [{ keepPrevious: "1d" }, "keepPrevious", /needs rotateBefore too/],
    [{ rotateBefore: "7d", keepPrevious: "8d" }, "keepPrevious", /"8d" is longer than rotateBefore \("7d"\)/],
  ])("rejects %j on %s", (input, field, reason) => {
    expect(problems(input)).toEqual([{ field, reason: expect.stringMatching(reason) }]);
  });

  it("skips what a preview does not know yet", () => {
    expect(problems({ rotateBefore: PENDING, explicitName: true, expiresAtGiven: true })).toEqual([]);
    expect(problems({ rotateBefore: "7d", expiresIn: PENDING, keepPrevious: PENDING })).toEqual([]);
  });
});

describe("the rotation window", () => {
  const expiresAt = "2026-12-29T12:00:00.000Z";

  it("opens rotateBefore before expiry, to the millisecond", () => {
    expect(rotatesAt(expiresAt, "7d")?.toISOString()).toBe("2026-12-22T12:00:00.000Z");
    expect(rotationDue(expiresAt, "7d", new Date(NOW.getTime() - 1))).toBeUndefined();
    expect(rotationDue(expiresAt, "7d", NOW)).toEqual({ expiresAt, rotateBefore: "7d" });
    expect(rotationDue(expiresAt, "12h", NOW)).toBeUndefined();
    expect(rotationDue(PENDING, "7d", NOW)).toBeUndefined();
    expect(rotationDue(expiresAt, undefined, NOW)).toBeUndefined();
  });

  it("says why in the engine's words", () => {
    expect(rotationReason({ expiresAt, rotateBefore: "7d" }, PULUMI_NAMES)).toBe("rotation due: expires 2026-12-29, rotateBefore 7d");
    expect(rotationReason({ expiresAt, rotateBefore: "7d" }, { ...PULUMI_NAMES, rotateBefore: "rotate_before" })).toBe(
      "rotation due: expires 2026-12-29, rotate_before 7d",
    );
  });
});

describe("previous keys", () => {
  it("are kept keepPrevious from now, never past their own expiry", () => {
    expect(retire({ uid: "u1", name: "n1", expiresAt: "2026-12-29T12:00:00Z" }, "2d", NOW)).toEqual({ uid: "u1", name: "n1", deleteAfter: "2026-12-24T12:00:00.000Z" });
    expect(retire({ uid: "u1", name: "n1", expiresAt: "2026-12-23T00:00:00Z" }, "2d", NOW).deleteAfter).toBe("2026-12-23T00:00:00.000Z");
  });

  it("are read from state tolerantly and fall due at deleteAfter", () => {
    const keys = previousKeysOf([{ uid: "u1", name: "n1", deleteAfter: "2026-12-22T12:00:00.000Z" }, { uid: "u2", deleteAfter: "2026-12-23T00:00:00Z" }, { uid: "" }, "x", null]);
    expect(keys).toEqual([
      { uid: "u1", name: "n1", deleteAfter: "2026-12-22T12:00:00.000Z" },
      { uid: "u2", name: "", deleteAfter: "2026-12-23T00:00:00Z" },
    ]);
    expect(previousKeysDue(keys, NOW).map((k) => k.uid)).toEqual(["u1"]);
    expect(previousKeysOf(undefined)).toEqual([]);
  });

  const keys = previousKeysOf([
    { uid: "u1", name: "n1", deleteAfter: "2026-12-22T12:00:00.000Z" },
    { uid: "u2", name: "n2", deleteAfter: "2026-12-23T00:00:00.000Z" },
    { uid: "u3", name: "n3", deleteAfter: "2026-12-20T00:00:00.000Z" },
  ]);

  it("split at now into those still kept and those due, each in the state's order", () => {
    const { kept, due } = splitPreviousKeys(keys, NOW);
    expect(kept.map((k) => k.uid)).toEqual(["u2"]);
    expect(due.map((k) => k.uid)).toEqual(["u1", "u3"]);
    expect(splitPreviousKeys([], NOW)).toEqual({ kept: [], due: [] });
  });

  describe("deleted by both engines alike", () => {
    const at: KeyLocation = { host: "https://api.example.com", tenantUid: "t".repeat(24) };
    const lifecycle = (failOn?: string) => {
      const calls: [string, KeyLocation | undefined][] = [];
      const ops = {
        delete: async (uid: string, location: KeyLocation | undefined): Promise<void> => {
          calls.push([uid, location]);
          if (uid === failOn) throw new Error("Palette answered 503");
        },
      };
      return { ops, calls };
    };

    it("one at a time, in the state's order, each at the recorded location", async () => {
      const { ops, calls } = lifecycle();
      await deletePreviousKeys(ops, keys, at);
      expect(calls).toEqual([["u1", at], ["u2", at], ["u3", at]]);
    });

    it("stopping at a failure, with the lifecycle's error as it is, or naming the key when asked", async () => {
      const plain = lifecycle("u2");
      await expect(deletePreviousKeys(plain.ops, keys, at)).rejects.toThrow(/^Palette answered 503$/);
      expect(plain.calls.map(([uid]) => uid)).toEqual(["u1", "u2"]);
      const named = lifecycle("u2");
      const e = await deletePreviousKeys(named.ops, keys, undefined, { nameFailedKey: true }).catch((err: unknown) => err as Error);
      expect(e?.message).toBe('Cannot delete previous API key "n2" (u2), kept until 2026-12-23T00:00:00.000Z: Palette answered 503');
      expect((e?.cause as Error | undefined)?.message).toBe("Palette answered 503");
      expect(named.calls).toEqual([["u1", undefined], ["u2", undefined]]);
    });
  });
});

describe("check", () => {
  it("echoes rotateBefore and keepPrevious", () => {
    const { inputs, failures } = check({ expiresIn: "30d", rotateBefore: "7d", keepPrevious: "2d" });
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ rotateBefore: "7d", keepPrevious: "2d", expiresIn: "30d", __autonamed: true });
  });

  it.each([
    [{ name: "deployer", rotateBefore: "7d" }, "rotateBefore", /name and rotateBefore cannot be combined/],
    [{ expiresAt: "2027-01-31", rotateBefore: "7d" }, "rotateBefore", /expiresAt and rotateBefore cannot be combined/],
    [{ rotateBefore: "a week" }, "rotateBefore", /"a week" is not a duration/],
    [{ rotateBefore: "7d", keepPrevious: 2 }, "keepPrevious", /must be a string/],
    [{ keepPrevious: "2d" }, "keepPrevious", /needs rotateBefore too/],
  ])("rejects %j naming %s", (news, property, reason) => {
    expect(check(news).failures).toEqual([{ property, reason: expect.stringMatching(reason) }]);
  });
});

describe("diff", () => {
  const olds = {
    uid: "old-uid",
    name: "deployer-abc1234",
    description: "",
    expiresIn: "30d",
    expiresAt: "2026-12-29T12:00:00.000Z",
    active: true,
    status: "active",
    rotateBefore: "7d",
  };
  const news = { __logicalName: "deployer", name: "deployer-abc1234", __autonamed: true, description: "", expiresIn: "30d", expiresAt: olds.expiresAt, active: true, rotateBefore: "7d" };

  it("outside the window, time passing makes no diff", () => {
    expect(diffApiKey(olds, news, new Date(NOW.getTime() - 1))).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
  });

  it("inside it, plans a create-before-delete replacement naming the reason", () => {
    expect(diffApiKey(olds, news, NOW)).toEqual({ changes: true, replaces: ["rotation due: expires 2026-12-29, rotateBefore 7d"], deleteBeforeReplace: false });
  });

  it("a revoked key is not rotated, an expired one is replaced for its status", () => {
    expect(diffApiKey({ ...olds, active: false, status: "revoked" }, { ...news, active: false }, NOW).changes).toBe(false);
    expect(diffApiKey(olds, news, new Date("2026-12-30T00:00:00Z")).replaces).toEqual(["status"]);
  });

  it("a changed rotateBefore is an in-place change, unless it opens the window", () => {
    expect(diffApiKey(olds, { ...news, rotateBefore: "6d" }, new Date("2026-12-21T12:00:00Z"))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    expect(diffApiKey(olds, { ...news, rotateBefore: "8d" }, new Date("2026-12-21T12:00:00Z")).replaces).toEqual(["rotation due: expires 2026-12-29, rotateBefore 8d"]);
  });

  it("a previous key past its grace period makes an in-place update, not before", () => {
    const kept = { ...olds, previousKeys: [{ uid: "prev", name: "deployer-old", deleteAfter: "2026-12-20T00:00:00.000Z" }] };
    const early = new Date("2026-12-19T23:59:59.999Z");
    expect(diffApiKey(kept, news, early).changes).toBe(false);
    expect(diffApiKey(kept, news, new Date("2026-12-20T00:00:00Z"))).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
  });
});

describe("the provider's clock", () => {
  it("is real time unless PALETTE_APIKEYS_NOW moves it; then it starts there and runs on", () => {
    let real = 1_000;
    expect(clockFrom({}, () => real)().getTime()).toBe(1_000);
    const clock = clockFrom({ PALETTE_APIKEYS_NOW: "2026-12-22T12:00:00Z" }, () => real);
    expect(clock().toISOString()).toBe("2026-12-22T12:00:00.000Z");
    real += 5 * DAY;
    expect(clock().toISOString()).toBe("2026-12-27T12:00:00.000Z");
  });

  it("refuses a value that is not an instant, naming the variable", () => {
    expect(() => clockFrom({ PALETTE_APIKEYS_NOW: "tomorrow" })).toThrow(/^PALETTE_APIKEYS_NOW: "tomorrow" is not a date/);
  });
});

describe("the hand-over of a rotated-out key", () => {
  const program = { __logicalName: "handover-a", description: "d", rotateBefore: "7d", keepPrevious: "2d" };
  const checked = { ...program, name: "handover-a-x", __autonamed: true, expiresIn: "30d", expiresAt: "2026-12-29T12:00:00.000Z", active: true };
  const key = { uid: "kept-1", name: "handover-a-x", deleteAfter: "2026-12-24T12:00:00.000Z" };

  it("goes from diff (checked inputs) to the second check (program inputs), once", () => {
    handover.offer(checked, [key]);
    expect(handover.take(program)).toEqual([key]);
    expect(handover.take(program)).toBeUndefined();
  });

  it("is not taken by another resource, nor after the resource's next first check withdrew it", () => {
    handover.offer(checked, [key]);
    expect(handover.take({ ...program, __logicalName: "handover-b" })).toBeUndefined();
    expect(handover.take({ ...program, description: "other" })).toBeUndefined();
    handover.withdraw(checked);
    expect(handover.take(program)).toBeUndefined();
  });

  it("is given to nobody when two resources look the same", () => {
    handover.offer(checked, [key]);
    handover.offer(checked, [{ ...key, uid: "kept-2" }]);
    expect(handover.take(program)).toBeUndefined();
  });

  it("lets delete skip a key only once a create recorded it", () => {
    expect(handover.isRecordedElsewhere("kept-3")).toBe(false);
    handover.markRecorded([{ ...key, uid: "kept-3" }]);
    expect(handover.isRecordedElsewhere("kept-3")).toBe(true);
  });
});
