import { UNKNOWN } from "../../../runner/wire-values";
import { changedProperties, countSteps, displayValue, formatStep, scrub, summarize, type Step } from "../../../runner/render-steps";

const step = (op: Step["op"], name = "r"): Step => ({ urn: `urn:${name}`, type: "t", name, op, changes: [] });

describe("plan rendering", () => {
  it("masks secrets and unknowns in display values", () => {
    expect(displayValue("s3cr3t", true)).toBe("[secret]");
    expect(displayValue({ a: UNKNOWN, b: [UNKNOWN, 1] }, false)).toEqual({ a: "[unknown]", b: ["[unknown]", 1] });
    expect(displayValue(undefined, true)).toBeUndefined();
  });

  it("lists changed top-level properties old -> new, secrets masked, provider code by name only", () => {
    const changes = changedProperties(
      { size: 1, same: { x: 1 }, gone: "g", token: "old-secret", __provider: "code1" },
      { size: 2, same: { x: 1 }, added: true, token: "new-secret", __provider: "code2" },
      ["token"],
      ["token"],
    );
    expect(changes).toEqual([
      { name: "__provider", old: "[provider code]", new: "[provider code]" },
      { name: "added", new: true },
      { name: "gone", old: "g" },
      { name: "size", old: 1, new: 2 },
      { name: "token", old: "[secret]", new: "[secret]" },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/old-secret|new-secret/);
  });

  it("summarizes like the CLI, adding replace/read/refresh parts only when they happened", () => {
    const steps = [step("create"), step("update"), step("same"), step("same")];
    expect(summarize(steps)).toBe("+1 ~1 -0 =2");
    expect(summarize([...steps, step("replace"), step("read")])).toBe("+1 ~1 -0 =2 +-1 >1");
    expect(summarize(steps, [step("refresh-drift"), step("delete"), step("same")])).toBe("refresh: ~1 drifted -1 gone; +1 ~1 -0 =2");
    expect(countSteps([step("delete"), step("delete")]).delete).toBe(2);
  });

  it("formats a step with its changes", () => {
    const s: Step = { ...step("update", "key"), id: "k1", changes: [{ name: "active", old: false, new: true }, { name: "key", old: "[secret]", new: "[secret]" }] };
    expect(formatStep(s)).toEqual(["~  update        t key (id k1)", "     active: false -> true", "     key: [secret] -> [secret]"]);
    expect(formatStep({ ...step("create"), changes: [{ name: "size", new: 1 }] })[1]).toBe("     size: 1");
    expect(formatStep({ ...step("replace"), replaces: ["user"], error: "boom" })).toEqual(["+- replace       t r  FAILED: boom", "     replaced because of: user"]);
  });

  it("scrubs known secrets from free text, longest first, ignoring trivially short ones", () => {
    expect(scrub("key=abcd1234 and abcd1234xyz, id=ab", ["abcd1234", "abcd1234xyz", "ab"])).toBe("key=[secret] and [secret], id=ab");
  });
});
