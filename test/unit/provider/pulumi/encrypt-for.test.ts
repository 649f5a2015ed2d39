/**
 * encryptFor in the dynamic provider, without Palette: check passes the key through and fails on
 * encryptFor for an unusable one (impl's check, which reads the key), never with adopt; the outputs
 * carry encryptedKey and the recipient through refreshes, and a changed encryptFor is no diff.
 */
import { checkApiKey } from "../../../../provider/pulumi/check";
import { diffApiKey } from "../../../../provider/pulumi/diff";
import { inputsFromOutputs, refreshedOutputs, toOutputs } from "../../../../provider/pulumi/outputs";
import * as impl from "../../../../provider/impl";
import type { ApiKey } from "../../../../sdk";
import { eccPair, unusableRecipients, type PgpPair } from "../../../helpers/pgp-keys";

const ctx = { now: new Date("2026-03-10T12:00:00Z"), random: () => 0.5 };
let ecc: PgpPair;
let other: PgpPair;
beforeAll(async () => {
  [ecc, other] = await Promise.all([eccPair(), eccPair()]);
});

test("check keeps encryptFor among the inputs; with adopt it fails on encryptFor", () => {
  expect(checkApiKey({}, { __logicalName: "ci", encryptFor: ecc.publicKey }, ctx)).toMatchObject({ failures: [], inputs: { encryptFor: ecc.publicKey } });
  expect(checkApiKey({}, { name: "ci", adopt: { uid: "u1" }, encryptFor: ecc.publicKey }, ctx).failures).toEqual([
    { property: "encryptFor", reason: expect.stringMatching(/cannot be combined with adopt/) },
  ]);
  expect(checkApiKey({}, { name: "ci", encryptFor: 42 }, ctx).failures).toEqual([{ property: "encryptFor", reason: expect.stringMatching(/ASCII-armored OpenPGP public key/) }]);
});

test("a preview's check fails on encryptFor for each unusable key (no credentials needed)", async () => {
  for (const { armored, reason } of await unusableRecipients()) {
    expect((await impl.check({}, { __logicalName: "ci", encryptFor: armored })).failures).toEqual([{ property: "encryptFor", reason: expect.stringMatching(reason) }]);
  }
});

test("outputs carry encryptedKey and its recipient through a refresh, with no key; another encryptFor is no diff", () => {
  const key = {
    uid: "k1",
    name: "ci",
    description: "",
    expiresAt: new Date("2026-04-09T12:00:00Z"),
    active: true,
    user: { uid: "u1", name: "Alice" },
    createdAt: new Date("2026-03-10T12:00:00Z"),
    updatedAt: new Date("2026-03-10T12:00:00Z"),
  } as unknown as ApiKey;
  const outs = toOutputs(key, { encryptedKey: "-----BEGIN PGP MESSAGE-----", encryptFor: ecc.publicKey }, ctx.now);
  expect(outs).toMatchObject({ keyAvailable: false, encryptedKey: "-----BEGIN PGP MESSAGE-----", encryptFor: ecc.publicKey });
  expect(outs).not.toHaveProperty("key");
  const refreshed = refreshedOutputs(key, { ...outs }, ctx.now);
  expect(refreshed).toMatchObject({ encryptedKey: outs.encryptedKey, encryptFor: ecc.publicKey });
  expect(inputsFromOutputs(refreshed)).toMatchObject({ encryptFor: ecc.publicKey });

  const news = checkApiKey({}, { name: "ci", expiresAt: "2026-04-09T12:00:00Z", encryptFor: other.publicKey }, ctx).inputs;
  expect(diffApiKey({ ...outs }, news, ctx.now)).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false });
});
