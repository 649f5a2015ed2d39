/**
 * The format rule of each text field (core/rules.ts `textRules`), which both engines take their
 * rules from: each field's rule, and the same verdict from Pulumi's check and Terraform's validate,
 * each on the property or attribute in its own spelling.
 */
import { textRules, type TextField } from "../../../../provider/core/rules";
import { checkApiKey, PULUMI_NAMES } from "../../../../provider/pulumi/check";
import { TERRAFORM_NAMES } from "../../../../provider/terraform/api-key-state";
import { validateApiKeyConfig } from "../../../../provider/terraform/api-key-validate";

const rules = textRules("leave it out");

/** A bad and a good value of each field, and what the rule says about the bad one. */
const CASES: [TextField, string, string, RegExp][] = [
  ["name", " ", "ci", /must not be empty or only white space; leave it out/],
  ["description", "d".repeat(1025), "", /at most 1024 characters/],
  ["expiresIn", "2w", "30d", /not a duration/],
  ["expiresAt", "next tuesday", "2027-01-31", /not a date/],
  ["userUid", " ", "u1", /must not be empty/],
  ["userEmail", "alice", "alice@example.com", /email address/],
  ["rotateBefore", "2w", "7d", /not a duration/],
  ["keepPrevious", "2w", "1d", /not a duration/],
];

describe("textRules", () => {
  it("has one rule for every text field, in the order the engines report them", () => {
    expect(Object.keys(rules)).toEqual(CASES.map(([field]) => field));
  });

  it.each(CASES)("%s: refuses a bad value, accepts a good one", (field, bad, good, reason) => {
    expect(rules[field](bad)).toMatch(reason);
    expect(rules[field](good)).toBeUndefined();
  });

  /** Pulumi's inputs with the field set to `value` (the owner's halves are properties of `user`). */
  const pulumiInputs = (field: TextField, value: string): Record<string, unknown> => {
    if (field === "userUid") return { user: { uid: value } };
    if (field === "userEmail") return { user: { email: value } };
    return { [PULUMI_NAMES[field]]: value };
  };

  // The empty name differs on purpose: each engine's advice names its own way to a generated name.
  it.each(CASES.filter(([field]) => field !== "name"))("%s: Pulumi's check and Terraform's validate give the core's reason", (field, bad) => {
    const expected = rules[field](bad);
    const checked = checkApiKey({}, pulumiInputs(field, bad), { now: new Date("2026-03-10T12:00:00Z"), random: () => 0.5 });
    expect(checked.failures).toContainEqual({ property: PULUMI_NAMES[field], reason: expected });
    const attribute = TERRAFORM_NAMES[field];
    const diags = validateApiKeyConfig({ name_prefix: "ci", [attribute]: bad });
    expect(diags).toContainEqual({ severity: "error", summary: `Invalid ${attribute}`, attribute: [attribute], detail: `${attribute} ${expected}` });
  });
});
