/**
 * OpenPGP key pairs for the encrypt_for / encryptFor tests, made with the openpgp library (ECC
 * curve25519 takes milliseconds; RSA 2048 under a second), and decryption of what the providers
 * recorded: with openpgp, and with `gpg` in a throwaway GNUPGHOME where gpg is installed.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// The package's types are ESM-only; jest runs its CommonJS build, which only a require reaches from here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const openpgp = require("openpgp") as typeof import("openpgp", { with: { "resolution-mode": "import" } });

export interface PgpPair {
  publicKey: string;
  privateKey: string;
}

const USER = [{ name: "Pipeline", email: "pipeline@example.com" }];

/** A curve25519 pair (an EdDSA primary key with an ECDH encryption subkey). */
export async function eccPair(): Promise<PgpPair> {
  const { publicKey, privateKey } = await openpgp.generateKey({ type: "ecc", curve: "curve25519Legacy", userIDs: USER, format: "armored" });
  return { publicKey, privateKey };
}

export async function rsaPair(): Promise<PgpPair> {
  const { publicKey, privateKey } = await openpgp.generateKey({ type: "rsa", rsaBits: 2048, userIDs: USER, format: "armored" });
  return { publicKey, privateKey };
}

/** The public keys no value may be encrypted to, each with the words its refusal must contain. */
export async function unusableRecipients(): Promise<{ what: string; armored: string; reason: RegExp }[]> {
  const pair = await eccPair();
  const signingOnly = await openpgp.generateKey({ userIDs: USER, subkeys: [], format: "armored" });
  const hour = 3600;
  const expired = await openpgp.generateKey({ userIDs: USER, date: new Date(Date.now() - 2 * hour * 1000), keyExpirationTime: hour, format: "armored" });
  return [
    { what: "a private key", armored: pair.privateKey, reason: /is a private key/ },
    { what: "a signing-only key", armored: signingOnly.publicKey, reason: /cannot encrypt/ },
    { what: "an expired key", armored: expired.publicKey, reason: /expired at/ },
    { what: "text that is no key", armored: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 pipeline@example.com", reason: /is not an ASCII-armored OpenPGP public key/ },
  ];
}

/** The plain text of an armored message, decrypted with openpgp. */
export async function decrypt(armoredMessage: string, privateKey: string): Promise<string> {
  const message = await openpgp.readMessage({ armoredMessage });
  const decryptionKeys = await openpgp.readPrivateKey({ armoredKey: privateKey });
  const { data } = await openpgp.decrypt({ message, decryptionKeys });
  return String(data);
}

/** Whether `gpg` is on PATH. */
export function gpgAvailable(): boolean {
  try {
    execFileSync("gpg", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** The plain text of an armored message, decrypted by `gpg --decrypt` as a pipeline would, in a throwaway keyring. */
export function gpgDecrypt(armoredMessage: string, privateKey: string): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "gnupg-"));
  try {
    fs.chmodSync(home, 0o700);
    const env = { ...process.env, GNUPGHOME: home };
    execFileSync("gpg", ["--batch", "--quiet", "--import"], { input: privateKey, env, stdio: ["pipe", "ignore", "ignore"] });
    return execFileSync("gpg", ["--batch", "--quiet", "--decrypt"], { input: armoredMessage, env, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
