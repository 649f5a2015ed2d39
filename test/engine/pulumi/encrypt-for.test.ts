/**
 * encryptFor through the REAL dynamic-provider host: a preview (check) fails on encryptFor for a
 * private, signing-only or expired key and for text that is no key, before anything reaches
 * Palette; create records only encryptedKey, which decrypts to a value that authenticates; a changed
 * encryptFor is no diff (the value is never re-encrypted); a program without it keeps `key`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { ProviderClient, secretConfig } from "../../../runner/provider-client";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";
import { keyWorks } from "../../helpers/key-works";
import { decrypt, eccPair, unusableRecipients, type PgpPair } from "../../helpers/pgp-keys";
import { programInputs, REPO, urn } from "./support";

let emu: RunningEmulator;
let host: ProviderClient;
let ecc: PgpPair;
let other: PgpPair;

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) throw new Error("run `npm run build` first: the host loads dist/");
  [ecc, other] = await Promise.all([eccPair(), eccPair()]);
  emu = await startEmulator({ port: 0, rateLimit: false });
  host = await ProviderClient.start({ cwd: REPO, env: NO_ENV_CREDENTIALS });
  await host.configure({ "palette:host": emu.url, "palette:apiKey": secretConfig(emu.accounts.admin.apiKey) });
});
afterAll(async () => {
  await host?.close();
  await emu?.close();
});

test("a preview fails on encryptFor for each unusable public key, saying why, and nothing reaches the keys", async () => {
  const before = emu.requests().filter((r) => r.path.startsWith("/v1/apiKeys")).length;
  for (const { armored, reason } of await unusableRecipients()) {
    const { failures } = await host.check(urn("enc"), {}, await programInputs("enc", { encryptFor: armored }));
    expect(failures).toEqual([{ property: "encryptFor", reason: expect.stringMatching(reason) }]);
    expect(JSON.stringify(failures)).not.toContain("PRIVATE KEY BLOCK");
  }
  expect(emu.requests().filter((r) => r.path.startsWith("/v1/apiKeys")).length).toBe(before);
});

test("create records only encryptedKey, which decrypts to a working key; another encryptFor later is no diff", async () => {
  const checked = await host.check(urn("enc"), {}, await programInputs("enc", { encryptFor: ecc.publicKey }));
  expect(checked.failures).toEqual([]);
  const { id, properties } = await host.create(urn("enc"), checked.inputs);
  expect(properties.key).toBeUndefined();
  expect(properties.keyAvailable).toBe(false);
  expect(properties.encryptFor).toBe(ecc.publicKey);
  const value = await decrypt(String(properties.encryptedKey), ecc.privateKey);
  expect(JSON.stringify(properties)).not.toContain(value);
  expect(await keyWorks(emu.url, value)).toBe(true);

  const rechecked = await host.check(urn("enc"), checked.inputs, await programInputs("enc", { encryptFor: other.publicKey }));
  expect(rechecked.failures).toEqual([]);
  expect(await host.diff(id, urn("enc"), properties, rechecked.inputs, checked.inputs)).toEqual({ changes: "none", replaces: [], deleteBeforeReplace: false, diffs: [] });
  await host.delete(id, urn("enc"), properties);
});

test("without encryptFor the key value is the secret output `key`, as before, and no encryptedKey", async () => {
  const checked = await host.check(urn("plain"), {}, await programInputs("plain", {}));
  expect(checked.inputs).not.toHaveProperty("encryptFor");
  const { id, properties } = await host.create(urn("plain"), checked.inputs);
  expect(String(properties.key)).toMatch(/^[A-Za-z0-9]{32}$/);
  expect(properties).not.toHaveProperty("encryptedKey");
  expect(properties).not.toHaveProperty("encryptFor");
  await host.delete(id, urn("plain"), properties);
});
