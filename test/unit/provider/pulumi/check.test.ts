import { checkApiKey, UNKNOWN, type CheckContext } from "../../../../provider/pulumi/check";

const NOW = new Date("2026-03-10T12:34:56.789Z");
const ctx = (random = () => 0.5): CheckContext => ({ now: NOW, random });
const check = (news: Record<string, unknown>, olds: Record<string, unknown> = {}) => checkApiKey(olds, news, ctx());

describe("check: bad inputs fail on the right property", () => {
  const table: [string, Record<string, unknown>, string, RegExp][] = [
    ["an expiresAt in the past", { expiresAt: "2020-01-01T00:00:00Z" }, "expiresAt", /in the past/],
    ["a past calendar day", { expiresAt: "2026-03-09" }, "expiresAt", /in the past/],
    ["both expiresIn and expiresAt", { expiresIn: "7d", expiresAt: "2027-01-01" }, "expiresAt", /mutually exclusive/],
    ['expiresIn "0d"', { expiresIn: "0d" }, "expiresIn", /not a duration/],
    ['expiresIn "abc"', { expiresIn: "abc" }, "expiresIn", /not a duration/],
    ['expiresIn "-3d"', { expiresIn: "-3d" }, "expiresIn", /not a duration/],
    ['expiresIn "1.5d"', { expiresIn: "1.5d" }, "expiresIn", /not a duration/],
    ['expiresIn "30 d"', { expiresIn: "30 d" }, "expiresIn", /not a duration/],
    ['expiresIn "2w" (weeks are not a unit)', { expiresIn: "2w" }, "expiresIn", /not a duration/],
    ["an absurdly long expiresIn", { expiresIn: "99999999999d" }, "expiresIn", /too long/],
    ["expiresIn as a number", { expiresIn: 30 }, "expiresIn", /must be a string/],
    ["expiresAt that is not a date", { expiresAt: "next tuesday" }, "expiresAt", /not a date/],
    ["expiresAt on a day that does not exist", { expiresAt: "2027-02-30" }, "expiresAt", /not a date/],
    ["expiresAt as a number", { expiresAt: 1_900_000_000_000 }, "expiresAt", /must be a string/],
    ["a user with both uid and email", { user: { uid: "u1", email: "a@b.c" } }, "user", /exactly one/],
    ["a user with neither", { user: {} }, "user", /exactly one/],
    ["a user that is a string", { user: "alice@palette.local" }, "user", /must be an object/],
    ["a user email that is not an address", { user: { email: "alice" } }, "user.email", /email address/],
    ["a user with an unknown field", { user: { uid: "u1", role: "admin" } }, "user.role", /not an ApiKey input/],
    ["an empty name", { name: "" }, "name", /must not be empty/],
    ["a whitespace name", { name: "   " }, "name", /must not be empty/],
    ["a name with surrounding spaces", { name: " ci " }, "name", /white space/],
    ["a name too long", { name: "n".repeat(129) }, "name", /at most 128/],
    ["a name with a newline", { name: "ci\nkey" }, "name", /control characters/],
    ["a name that is a number", { name: 42 }, "name", /must be a string/],
    ["a description that is not a string", { description: ["a"] }, "description", /must be a string/],
    ["a description too long", { description: "d".repeat(1025) }, "description", /at most 1024/],
    ["active as a string", { active: "false" }, "active", /true or false/],
    ["an unknown property", { expiry: "30d" }, "expiry", /not an ApiKey input/],
    ["an output passed as an input", { key: "abc" }, "key", /not an ApiKey input/],
  ];

  it.each(table)("%s", (_label, news, property, reason) => {
    const { failures } = check({ __logicalName: "ci", ...news });
    expect(failures.map((f) => f.property)).toEqual([property]);
    expect(failures[0]?.reason).toMatch(reason);
  });

  it("reports every bad property at once, one failure each", () => {
    const { failures } = check({ name: "", expiresIn: "0d", active: 1, extra: true });
    expect(failures.map((f) => f.property).sort()).toEqual(["active", "expiresIn", "extra", "name"]);
  });

  it("returns the inputs without undefined values even when failing", () => {
    const { inputs } = check({ name: "", description: undefined });
    expect(Object.values(inputs)).not.toContain(undefined);
  });
});

describe("check: defaults and normalization", () => {
  it("fills description, active, a 30d expiry and an autoname", () => {
    const { inputs, failures } = check({ __logicalName: "ci" });
    expect(failures).toEqual([]);
    expect(inputs).toEqual({
      __logicalName: "ci",
      name: "ci-sssssss",
      __autonamed: true,
      __autoname: "ci-sssssss",
      description: "",
      active: true,
      expiresIn: "30d",
      expiresAt: "2026-04-09T12:34:00.000Z", // truncated to the minute, then + 30 days
      __expiry: { expiresIn: "30d", expiresAt: "2026-04-09T12:34:00.000Z" },
    });
  });

  it("restores the instant a relative expiry resolved to after the key was re-dated out of band (never a new one)", () => {
    const created = check({ __logicalName: "ci", expiresIn: "30d" }).inputs;
    // A refresh after a security team shortened the key: Palette's instant, no expiresIn, the resolution kept.
    const { expiresIn: _dropped, ...refreshed }: Record<string, unknown> = { ...created, expiresAt: "2026-03-12T00:00:00.000Z" };
    const later = checkApiKey(refreshed, { __logicalName: "ci", expiresIn: "30d" }, { now: new Date("2026-03-20T00:00:00Z"), random: () => 0.5 });
    expect(later.inputs.expiresAt).toBe("2026-04-09T12:34:00.000Z");
    // A new expiresIn is a new resolution, from now.
    const changed = checkApiKey(refreshed, { __logicalName: "ci", expiresIn: "60d" }, { now: new Date("2026-03-20T00:00:00Z"), random: () => 0.5 });
    expect(changed.inputs.expiresAt).toBe("2026-05-19T00:00:00.000Z");
    expect(changed.inputs.__expiry).toEqual({ expiresIn: "60d", expiresAt: "2026-05-19T00:00:00.000Z" });
  });

  it("makes a 7-character [a-z0-9] suffix from the random source", () => {
    const seq = [0, 0.99, 0.5, 0.1, 0.72, 0.3, 0.999];
    let i = 0;
    const { inputs } = checkApiKey({}, { __logicalName: "web" }, ctx(() => seq[i++ % seq.length] ?? 0));
    expect(inputs.name).toMatch(/^web-[a-z0-9]{7}$/);
    expect(inputs.name).toBe("web-a9sdzk9");
  });

  it("keeps autonames within the name limit", () => {
    const { inputs } = check({ __logicalName: "x".repeat(200) });
    expect(String(inputs.name)).toHaveLength(128);
  });

  it("uses an explicit name as is, without __autonamed", () => {
    const { inputs } = check({ __logicalName: "ci", name: "ci-key" });
    expect(inputs.name).toBe("ci-key");
    expect(inputs).not.toHaveProperty("__autonamed");
  });

  it("keeps the previous name when the program gives none", () => {
    const { inputs } = check({ __logicalName: "ci" }, { name: "ci-abc1234", __autonamed: true });
    expect(inputs.name).toBe("ci-abc1234");
    expect(inputs.__autonamed).toBe(true);
  });

  it("restores the autoname after a refresh recorded an out-of-band rename", () => {
    // read records Palette's name in `name` and the desired autoname in `__autoname`.
    const refreshed = { __logicalName: "ci", name: "renamed-in-ui", __autonamed: true, __autoname: "ci-abc1234" };
    const { inputs } = check({ __logicalName: "ci" }, refreshed);
    expect(inputs.name).toBe("ci-abc1234");
    expect(inputs.__autoname).toBe("ci-abc1234");
  });

  it("gives a fresh name when olds are empty (the engine's second check of a replacement)", () => {
    const a = checkApiKey({}, { __logicalName: "ci" }, ctx(() => 0.1)).inputs.name;
    const b = checkApiKey({}, { __logicalName: "ci" }, ctx(() => 0.9)).inputs.name;
    expect(a).not.toBe(b);
  });

  it("turns a calendar day into the end of that day, UTC", () => {
    const { inputs } = check({ name: "k", expiresAt: "2027-01-31" });
    expect(inputs.expiresAt).toBe("2027-01-31T23:59:59.999Z");
    expect(inputs).not.toHaveProperty("expiresIn");
  });

  it("normalizes an instant with an offset to UTC", () => {
    expect(check({ name: "k", expiresAt: "2027-01-31T12:00:00+02:00" }).inputs.expiresAt).toBe("2027-01-31T10:00:00.000Z");
  });

  it("resolves hours as well as days", () => {
    expect(check({ name: "k", expiresIn: "12h" }).inputs.expiresAt).toBe("2026-03-11T00:34:00.000Z");
  });

  it("treats null like an absent input", () => {
    const { inputs, failures } = check({ name: "k", description: null, active: null });
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ description: "", active: true });
  });

  it("echoes the owner, and keeps the reserved __provider out of failures", () => {
    const { inputs, failures } = check({ name: "k", user: { email: "bob@palette.local" }, __provider: "exports.handler=..." });
    expect(failures).toEqual([]);
    expect(inputs.user).toEqual({ email: "bob@palette.local" });
  });
});

describe("check: expiry is resolved once", () => {
  const first = check({ __logicalName: "ci", expiresIn: "30d" }).inputs;

  it("keeps the old instant when expiresIn did not change, however much time passed", () => {
    const later = checkApiKey(first, { __logicalName: "ci", expiresIn: "30d" }, { now: new Date("2026-05-01T00:00:00Z"), random: () => 0 });
    expect(later.inputs.expiresAt).toBe(first.expiresAt);
    expect(later.failures).toEqual([]);
  });

  it("keeps the old instant for the default expiry too", () => {
    const firstDefault = check({ __logicalName: "ci" }).inputs;
    const later = checkApiKey(firstDefault, { __logicalName: "ci" }, { now: new Date("2026-03-25T00:00:00Z"), random: () => 0 });
    expect(later.inputs.expiresAt).toBe(firstDefault.expiresAt);
  });

  it("re-resolves when expiresIn changes", () => {
    const { inputs } = check({ __logicalName: "ci", expiresIn: "7d" }, first);
    expect(inputs.expiresAt).toBe("2026-03-17T12:34:00.000Z");
  });

  it("is deterministic within a minute (the engine checks twice per up)", () => {
    const a = checkApiKey({}, { name: "k", expiresIn: "7d" }, { now: new Date("2026-03-10T12:34:01Z"), random: Math.random });
    const b = checkApiKey({}, { name: "k", expiresIn: "7d" }, { now: new Date("2026-03-10T12:34:59Z"), random: Math.random });
    expect(a).toEqual(b);
  });

  it("accepts an unchanged expiresAt that has passed meanwhile (an expired key is diff's business)", () => {
    const olds = { name: "k", expiresAt: "2026-01-01T00:00:00.000Z" };
    const { failures, inputs } = check({ name: "k", expiresAt: "2026-01-01T00:00:00Z" }, olds);
    expect(failures).toEqual([]);
    expect(inputs.expiresAt).toBe("2026-01-01T00:00:00.000Z");
  });

  it("rejects a changed expiresAt in the past", () => {
    const olds = { name: "k", expiresAt: "2027-01-01T00:00:00.000Z" };
    expect(check({ name: "k", expiresAt: "2026-01-01" }, olds).failures.map((f) => f.property)).toEqual(["expiresAt"]);
  });
});

describe("check: unknown values (preview) pass through", () => {
  it("passes unknown scalars through unvalidated", () => {
    const { inputs, failures } = check({ name: UNKNOWN, description: UNKNOWN, expiresIn: UNKNOWN, active: UNKNOWN });
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ name: UNKNOWN, description: UNKNOWN, expiresIn: UNKNOWN, expiresAt: UNKNOWN, active: UNKNOWN });
  });

  it("passes an unknown expiresAt and an unknown owner through", () => {
    const { inputs, failures } = check({ name: "k", expiresAt: UNKNOWN, user: UNKNOWN });
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ expiresAt: UNKNOWN, user: UNKNOWN });
  });

  it("counts an unknown email as the one owner field", () => {
    expect(check({ name: "k", user: { email: UNKNOWN } }).failures).toEqual([]);
    expect(check({ name: "k", user: { email: UNKNOWN, uid: "u" } }).failures.map((f) => f.property)).toEqual(["user"]);
  });

  it("still validates the known inputs next to unknown ones", () => {
    expect(check({ name: UNKNOWN, expiresIn: "0d" }).failures.map((f) => f.property)).toEqual(["expiresIn"]);
  });
});
