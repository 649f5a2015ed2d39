/**
 * Adopting an existing key, the pure parts: which keys may be adopted, which edits an adoption
 * sends, how check takes `adopt`, that diff ignores it after the create, and the per-deployment
 * record of which resource holds which key.
 */
import type { ApiKey as PaletteApiKey } from "../../../../sdk";
import { adoptionEdits, adoptionProblem } from "../../../../provider/core/adoption";
import { checkApiKey, UNKNOWN } from "../../../../provider/pulumi/check";
import { diffApiKey } from "../../../../provider/pulumi/diff";

const NOW = new Date("2026-03-10T12:00:00Z");
const OWNER = "a".repeat(24);
const TENANT = "t".repeat(24);
const here = { host: "https://api.spectrocloud.com", tenantUid: TENANT };
const key = (over: Partial<PaletteApiKey> = {}): PaletteApiKey => ({
  uid: "k".repeat(24),
  name: "jenkins",
  description: "made in the UI",
  expiresAt: new Date("2026-06-01T00:00:00Z"),
  active: true,
  user: { uid: OWNER, firstName: "Alice", lastName: "Anders" },
  createdAt: null,
  updatedAt: null,
  annotations: { tenantUid: TENANT, ownerUid: OWNER },
  ...over,
});
const check = (news: Record<string, unknown>, olds: Record<string, unknown> = {}) => checkApiKey(olds, news, { now: NOW, random: () => 0.5 });

describe("adoptionProblem", () => {
  it("accepts a live key of the named owner in the credentials' tenant, revoked or not", () => {
    expect(adoptionProblem(key(), OWNER, here, NOW)).toBeUndefined();
    expect(adoptionProblem(key({ active: false }), OWNER, here, NOW)).toBeUndefined();
  });

  it("refuses another owner's key and says how to name its owner", () => {
    expect(adoptionProblem(key(), "b".repeat(24), here, NOW)).toMatch(new RegExp(`belongs to user ${OWNER} \\(Alice Anders\\).*user: \\{ uid: "${OWNER}" \\}`));
  });

  it("refuses a key of another tenant, naming both", () => {
    const problem = adoptionProblem(key({ annotations: { tenantUid: "x".repeat(24) } }), OWNER, here, NOW);
    expect(problem).toContain(`lives in tenant ${"x".repeat(24)}`);
    expect(problem).toContain(`tenant ${TENANT} at https://api.spectrocloud.com`);
  });

  it("refuses an expired key: Palette can neither re-date nor re-activate it", () => {
    expect(adoptionProblem(key({ expiresAt: new Date("2026-03-01T00:00:00Z") }), OWNER, here, NOW)).toMatch(/expired at 2026-03-01.*leave adopt out/);
  });
});

describe("adoptionEdits", () => {
  const spec = { name: "jenkins", description: "made in the UI", expiresAt: new Date("2026-06-01T00:00:00Z"), active: true };

  it("sends nothing when the program asks for the key as it is", () => {
    expect(adoptionEdits(key(), spec)).toEqual({});
  });

  it("sends exactly the fields that differ", () => {
    const later = new Date("2026-09-01T00:00:00Z");
    expect(adoptionEdits(key(), { ...spec, name: "ci", expiresAt: later })).toEqual({ name: "ci", expiresAt: later });
    expect(adoptionEdits(key({ expiresAt: null }), { ...spec, description: "" })).toEqual({ description: "", expiresAt: spec.expiresAt });
  });
});

describe("check with adopt", () => {
  it("keeps adopt.uid in the checked inputs and fills the defaults as for any key", () => {
    const { inputs, failures } = check({ __logicalName: "legacy", name: "jenkins", adopt: { uid: "k1" } });
    expect(failures).toEqual([]);
    expect(inputs).toMatchObject({ name: "jenkins", adopt: { uid: "k1" }, description: "", active: true, expiresIn: "30d" });
    expect(inputs.__autonamed).toBeUndefined();
  });

  it("carries an unknown uid through a preview", () => {
    expect(check({ name: "jenkins", adopt: { uid: UNKNOWN } })).toMatchObject({ failures: [], inputs: { adopt: { uid: UNKNOWN } } });
  });

  it.each([
    ["without a name (the key would be renamed to an autoname)", { adopt: { uid: "k1" } }, "name", /must be set when adopting/],
    ["with an empty uid", { name: "j", adopt: { uid: " " } }, "adopt.uid", /must not be empty/],
    ["with a uid that is not a string", { name: "j", adopt: { uid: 7 } }, "adopt.uid", /must be a string/],
    ["by something else than uid", { name: "j", adopt: { name: "jenkins" } }, "adopt.name", /not an ApiKey input \(accepted: uid\)/],
    ["as a string", { name: "j", adopt: "k1" }, "adopt", /must be an object/],
    ["with rotateBefore (a rotation needs a fresh name per key)", { adopt: { uid: "k1" }, rotateBefore: "7d" }, "rotateBefore", /cannot be combined with adopt/],
  ])("fails %s on %s", (_what, news, property, reason) => {
    const { failures } = check(news);
    expect(failures).toContainEqual({ property, reason: expect.stringMatching(reason) });
  });
});

describe("diff after an adoption", () => {
  const olds = {
    name: "jenkins",
    description: "",
    expiresIn: "30d",
    expiresAt: "2026-04-09T12:00:00.000Z",
    active: true,
    keyAvailable: false,
    __expiry: { expiresIn: "30d", expiresAt: "2026-04-09T12:00:00.000Z" },
  };

  it("ignores adopt: a changed or dropped uid only mattered at create", () => {
    for (const adopt of [{ uid: "another" }, undefined]) {
      const news = check({ name: "jenkins", ...(adopt ? { adopt } : {}) }, { ...olds, adopt: { uid: "k1" } }).inputs;
      expect(diffApiKey(olds, news, NOW)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
    }
  });

  it("never looks at keyAvailable, which state written before it existed lacks", () => {
    const { keyAvailable: _gone, ...older } = olds;
    const news = check({ name: "jenkins" }, older).inputs;
    expect(diffApiKey(older, news, NOW).changes).toBe(false);
  });
});

describe("stewards: one resource per key in a deployment", () => {
  // Module state: a fresh copy per test, as each deployment gets a fresh provider process.
  let stewards: typeof import("../../../../provider/pulumi/stewards");
  beforeEach(() => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh copy of the module state per test, as each deployment gets a fresh provider process
      stewards = require("../../../../provider/pulumi/stewards");
    });
  });

  it("refuses to adopt a key another resource's diff showed it manages, naming both", () => {
    expect(stewards.manages("k1", "ci")).toBeUndefined();
    expect(stewards.adopts("k1", "legacy")).toMatch(/the resource "ci" of this stack already manages API key k1\..*Leave adopt out of "legacy"/);
    expect(stewards.adopts("k2", "legacy")).toBeUndefined();
  });

  it("refuses a manager that shows up after an adoption began, and marks the adoption contested", () => {
    expect(stewards.adopts("k1", "legacy")).toBeUndefined();
    expect(stewards.contested("k1")).toBe(false);
    expect(stewards.manages("k1", "ci")).toMatch(/which the resource "ci" of this stack manages, is adopted by the resource "legacy"/);
    expect(stewards.contested("k1")).toBe(true);
  });

  it("refuses a second adopter, and lets a resource see its own key again", () => {
    expect(stewards.adopts("k1", "a")).toBeUndefined();
    expect(stewards.adopts("k1", "a")).toBeUndefined();
    expect(stewards.adopts("k1", "b")).toMatch(/"a" of this stack already adopts/);
    stewards.made("k9", "c");
    expect(stewards.manages("k9", "c")).toBeUndefined();
    expect(stewards.alreadyManagedBy("k9", "c")).toBe(true);
    expect(stewards.alreadyManagedBy("k1", "a")).toBe(false);
  });

  it("hands an adopted key over instead of deleting it; a released key is nobody's", () => {
    stewards.made("k1", "old");
    expect(stewards.handedOver("k1")).toBe(false);
    stewards.adopted("k2", "new");
    expect(stewards.handedOver("k2")).toBe(true);
    stewards.released("k1");
    expect(stewards.adopts("k1", "new")).toBeUndefined();
  });
});
