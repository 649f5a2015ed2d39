/**
 * Signing SHA256SUMS: the signer refuses what cannot sign (a public key, an expired or
 * encryption-only key, a wrong or missing passphrase) as a usage error; a signature is binary, and
 * verifies with openpgp and with `gpg --verify` (gpg is on these machines; skipped, saying so, without it).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as OpenPgp from "openpgp" with { "resolution-mode": "import" };
import { sha256Sums } from "../../../../cli/release/artifacts";
import { loadSigner, verifyDetached } from "../../../../cli/release/sign";
import { UsageError } from "../../../../cli/io";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- openpgp's types are an ES module's; its CommonJS build is what jest can load
const openpgp = require("openpgp") as typeof OpenPgp;

const gpgPresent = (() => {
  try {
    execFileSync("gpg", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

let rsa: { privateKey: string; publicKey: string };
let dir: string;
beforeAll(async () => {
  // RSA 2048: about 0.5 s here.
  rsa = await openpgp.generateKey({ type: "rsa", rsaBits: 2048, userIDs: [{ name: "release test" }], passphrase: "right", format: "armored" });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sign-test-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sums = Buffer.from(sha256Sums(new Map([["b.zip", Buffer.from("b")], ["a.zip", Buffer.from("a")]])));

test("SHA256SUMS: `<hex>  <name>` lines sorted by name", () => {
  expect(sums.toString()).toBe(
    "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb  a.zip\n3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d  b.zip\n",
  );
});

test("an RSA key opened by its passphrase signs: binary, verified by openpgp and by gpg", async () => {
  const signer = await loadSigner(rsa.privateKey, "right", "key.asc");
  expect(signer).toMatchObject({ keyId: (await openpgp.readKey({ armoredKey: rsa.publicKey })).getKeyID().toHex().toUpperCase(), algorithm: "rsaEncryptSign", hcpCompatible: true });
  expect(signer.keyId).toMatch(/^[0-9A-F]{16}$/);
  const signature = await signer.sign(sums);
  expect(signature.subarray(0, 5).toString()).not.toBe("-----");
  expect(await verifyDetached(sums, signature, signer.publicKeyArmored)).toBe(signer.keyId);
  await expect(verifyDetached(Buffer.concat([sums, Buffer.from("x")]), signature, signer.publicKeyArmored)).rejects.toThrow(/Signed digest did not match/);
  if (!gpgPresent) return console.warn("gpg absent: the signature was verified with openpgp only");
  const home = fs.mkdtempSync(path.join(dir, "gnupg-"));
  fs.writeFileSync(path.join(dir, "pub.asc"), signer.publicKeyArmored);
  fs.writeFileSync(path.join(dir, "SHA256SUMS"), sums);
  fs.writeFileSync(path.join(dir, "SHA256SUMS.sig"), signature);
  execFileSync("gpg", ["--homedir", home, "--batch", "--import", path.join(dir, "pub.asc")], { stdio: "pipe" });
  const out = execFileSync("gpg", ["--homedir", home, "--batch", "--status-fd", "1", "--verify", path.join(dir, "SHA256SUMS.sig"), path.join(dir, "SHA256SUMS")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  expect(out).toMatch(new RegExp(`\\[GNUPG:\\] VALIDSIG [0-9A-F]*${signer.keyId}`));
});

test("ed25519 signs too, but is flagged as not accepted by HCP Terraform", async () => {
  const { privateKey } = await openpgp.generateKey({ type: "ecc", curve: "ed25519Legacy", userIDs: [{ name: "ecc" }], format: "armored" });
  const signer = await loadSigner(privateKey, undefined, "ecc.asc");
  expect(signer.hcpCompatible).toBe(false);
  expect(await verifyDetached(sums, await signer.sign(sums), signer.publicKeyArmored)).toBe(signer.keyId);
});

describe("what cannot sign is a usage error naming the reason, and no secret", () => {
  const refused = async (armored: string, passphrase: string | undefined, reason: RegExp): Promise<void> => {
    const e = await loadSigner(armored, passphrase, "key.asc").then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(reason);
    if (passphrase !== undefined) expect((e as Error).message).not.toContain(passphrase);
  };

  test("a public key, a wrong passphrase, none, and not a key", async () => {
    await refused(rsa.publicKey, undefined, /key\.asc is a public key/);
    await refused(rsa.privateKey, "wrong-passphrase", /PALETTE_APIKEYS_SIGNING_PASSPHRASE does not open key\.asc/);
    await refused(rsa.privateKey, undefined, /protected by a passphrase: set PALETTE_APIKEYS_SIGNING_PASSPHRASE/);
    await refused("hello", undefined, /not an armored OpenPGP key/);
  });

  test("an expired key", async () => {
    const { privateKey } = await openpgp.generateKey({ type: "ecc", curve: "ed25519Legacy", userIDs: [{ name: "old" }], date: new Date(Date.now() - 86_400_000), keyExpirationTime: 60, format: "armored" });
    await refused(privateKey, undefined, /has no key that can sign/);
  });

  (gpgPresent ? test : test.skip)("an encryption-only key (made by gpg)", async () => {
    const home = fs.mkdtempSync(path.join(dir, "gnupg-enc-"));
    const gpg = (...args: string[]) => execFileSync("gpg", ["--homedir", home, "--batch", "--pinentry-mode", "loopback", "--passphrase", "", ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    gpg("--quick-gen-key", "encrypt only <enc@example.test>", "rsa2048", "encr", "never");
    await refused(gpg("--armor", "--export-secret-keys"), undefined, /has no key that can sign/);
  });
});
