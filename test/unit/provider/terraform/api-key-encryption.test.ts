/**
 * palette_api_key's encrypt_for in validate and plan: an unusable public key fails on encrypt_for; a
 * create with it plans `key` null and `encrypted_key` unknown; a later change of encrypt_for is an
 * update of that attribute alone, with a warning saying the value is not encrypted again.
 */
import { apiKeyResource } from "../../../../provider/terraform/api-key-resource";
import { upgradeState } from "../../../../provider/terraform/api-key-state";
import { UNKNOWN, type CtyObject } from "../../../../provider/tfplugin6";
import { eccPair, unusableRecipients, type PgpPair } from "../../../helpers/pgp-keys";

const NOW = new Date("2026-03-10T12:34:56.789Z");
const noCalls = (): never => {
  throw new Error("plan and validate must not talk to Palette");
};
const resource = apiKeyResource(noCalls, () => NOW);
const ctx = { signal: new AbortController().signal };

let ecc: PgpPair;
let other: PgpPair;
let unusable: Awaited<ReturnType<typeof unusableRecipients>>;
beforeAll(async () => {
  [ecc, other, unusable] = await Promise.all([eccPair(), eccPair(), unusableRecipients()]);
});

const NULLS = upgradeState({ id: null, name: null, description: null, expires_in: null, expires_at: null, active: null, user_uid: null, user_email: null, key: null });
const config = (values: CtyObject): CtyObject => ({ ...NULLS, key_available: null, ...values });
const prior = (values: CtyObject): CtyObject => ({
  ...NULLS,
  id: "aaaaaaaaaaaaaaaaaaaaaaaa",
  name: "ci",
  description: "",
  expires_in: "30d",
  expires_at: "2026-04-09T12:34:00.000Z",
  active: true,
  user_uid: "bbbbbbbbbbbbbbbbbbbbbbbb",
  status: "active",
  ...values,
});
/** Terraform's proposed new state: config, and prior values where a computed attribute's config is null. */
const proposed = (cfg: CtyObject, from: CtyObject | null): CtyObject =>
  Object.fromEntries(Object.entries(cfg).map(([k, v]) => [k, v === null && from !== null ? (from[k] ?? null) : v]));
const plan = (cfg: CtyObject, from: CtyObject | null) => resource.plan({ prior: from, proposed: proposed(cfg, from), config: cfg }, ctx);

test("validate and plan fail on encrypt_for for each unusable public key, saying why", async () => {
  for (const { armored, reason } of unusable) {
    const cfg = config({ name: "ci", encrypt_for: armored });
    for (const diags of [await resource.validate(cfg), (await plan(cfg, null)).diagnostics ?? []]) {
      expect(diags).toEqual([expect.objectContaining({ severity: "error", summary: "Invalid encrypt_for", attribute: ["encrypt_for"] })]);
      expect(diags[0]?.detail).toMatch(reason);
    }
  }
  expect(await resource.validate(config({ name: "ci", encrypt_for: UNKNOWN }))).toEqual([]);
});

test("a create with encrypt_for plans key null and encrypted_key unknown; without it, the reverse", async () => {
  expect((await plan(config({ name: "ci", encrypt_for: ecc.publicKey }), null)).planned).toMatchObject({ key: null, encrypted_key: UNKNOWN, key_available: false });
  expect((await plan(config({ name: "ci" }), null)).planned).toMatchObject({ key: UNKNOWN, encrypted_key: null, key_available: true });
  expect((await plan(config({ name: "ci", encrypt_for: UNKNOWN }), null)).planned).toMatchObject({ key: UNKNOWN, encrypted_key: UNKNOWN });
});

describe("encrypt_for changed on a key that stays", () => {
  // encrypt_for is set per case: the keys are made in beforeAll.
  const encrypted = prior({ key: null, key_available: false, encrypted_key: "-----BEGIN PGP MESSAGE-----" });
  const cases: [string, () => CtyObject, () => string | null, RegExp][] = [
    ["another recipient", () => ({ ...encrypted, encrypt_for: ecc.publicKey }), () => other.publicKey, /stays encrypted for the public key it was created with/],
    ["removed", () => ({ ...encrypted, encrypt_for: ecc.publicKey }), () => null, /removing it changes nothing/],
    ["added to a key made without it", () => prior({ key: "PLAINVALUE", key_available: true }), () => ecc.publicKey, /its value is in the state in plain text/],
    ["added to an imported key", () => prior({ key: null, key_available: false }), () => ecc.publicKey, /an imported key.*nothing to encrypt/],
  ];
  it.each(cases)("%s: an update of encrypt_for alone, key and encrypted_key kept, a warning on encrypt_for", async (_label, from, recipient, detail) => {
    const before = from();
    const cfg = config({ name: "ci", expires_in: "30d", encrypt_for: recipient() });
    const { planned, requiresReplace, diagnostics } = await plan(cfg, before);
    expect(requiresReplace ?? []).toEqual([]);
    expect(planned).toEqual({ ...before, encrypt_for: recipient() });
    expect(diagnostics).toEqual([expect.objectContaining({ severity: "warning", attribute: ["encrypt_for"], detail: expect.stringMatching(detail) })]);
    expect(diagnostics?.[0]?.detail).toMatch(/terraform apply -replace=/);
  });

  it("the same key in other line endings is no change and no warning", async () => {
    const before = { ...encrypted, encrypt_for: ecc.publicKey };
    const { diagnostics } = await plan(config({ name: "ci", expires_in: "30d", encrypt_for: ecc.publicKey.replace(/\n/g, "\r\n") }), before);
    expect(diagnostics).toBeUndefined();
  });

  it("a replacement for another reason says nothing: the new key follows encrypt_for", async () => {
    const before = { ...encrypted, encrypt_for: ecc.publicKey };
    const { requiresReplace, diagnostics } = await plan(config({ name: "ci", expires_in: "30d", user_uid: "cccccccccccccccccccccccc", encrypt_for: other.publicKey }), before);
    expect(requiresReplace).toContainEqual(["user_uid"]);
    expect(diagnostics).toBeUndefined();
  });
});

test("state written before encrypt_for existed upgrades with both attributes null", () => {
  expect(upgradeState({ id: "x", key: "v" })).toMatchObject({ encrypt_for: null, encrypted_key: null, key_available: true });
});
