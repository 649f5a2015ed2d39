/**
 * `encrypt_for` (Terraform) and `encryptFor` (Pulumi): the key value encrypted to an OpenPGP public
 * key before any engine records it, so state and plans hold only an armored message that the holder
 * of the private key decrypts (`gpg --decrypt`). One implementation for every engine.
 *
 * The `openpgp` library (about 400 KB) is loaded on the first use only: Terraform starts the provider
 * several times per command, and a configuration without encrypt_for must never pay for it. The
 * Terraform bundle ships it as a file of its own beside the bundle (scripts/bundle-terraform.mjs).
 */
// Types only: the package's types are ESM, the module loaded at run time is its CommonJS build.
import type { Key, PublicKey } from "openpgp" with { "resolution-mode": "import" };

type OpenPgp = typeof import("openpgp", { with: { "resolution-mode": "import" } });
// eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: only a configuration with encrypt_for loads the library
const openpgp = (): OpenPgp => require("openpgp");

/** How a recipient is written in each engine's advice: what to export, and the command to export it. */
const EXPORT_HINT = "export the public key with `gpg --armor --export <key id or email>` and give that text";

/**
 * A public key that cannot take the value: the reason names what is wrong and what to do, and never
 * quotes the text it was given (a private key pasted by mistake must not reach a log or a plan).
 */
export class RecipientKeyError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = "RecipientKeyError";
  }
}

/** A public key the value can be encrypted to: readable, public, not expired, not revoked, able to encrypt. */
export async function recipientKey(armored: string, now: Date = new Date()): Promise<PublicKey> {
  const pgp = openpgp();
  if (armored.includes("PRIVATE KEY BLOCK")) {
    throw new RecipientKeyError(`is a private key: give the public key only (${EXPORT_HINT}). Treat that private key as exposed if it was committed anywhere.`);
  }
  let key: Key;
  try {
    key = await pgp.readKey({ armoredKey: armored });
  } catch {
    throw new RecipientKeyError(`is not an ASCII-armored OpenPGP public key ("-----BEGIN PGP PUBLIC KEY BLOCK-----" ...): ${EXPORT_HINT}`);
  }
  if (key.isPrivate()) throw new RecipientKeyError(`is a private key: give the public key only (${EXPORT_HINT})`);
  const id = key.getKeyID().toHex().toUpperCase();
  if (await key.isRevoked(undefined, undefined, now)) throw new RecipientKeyError(`is revoked (key ${id}): give a current public key`);
  const expires = await key.getExpirationTime();
  if (expires instanceof Date && expires.getTime() <= now.getTime()) {
    throw new RecipientKeyError(`expired at ${expires.toISOString()} (key ${id}): extend it (\`gpg --quick-set-expire\`) and export it again, or give another key`);
  }
  try {
    await key.getEncryptionKey(undefined, now);
  } catch {
    throw new RecipientKeyError(`cannot encrypt (key ${id} has no valid encryption subkey, e.g. a signing-only key): give a key with an encryption subkey ([E] in \`gpg --list-keys\`)`);
  }
  return key as PublicKey;
}

/** Why `armored` cannot be an encryption recipient, or undefined when it can. */
export async function recipientProblem(armored: string, now: Date = new Date()): Promise<string | undefined> {
  try {
    await recipientKey(armored, now);
    return undefined;
  } catch (e) {
    if (e instanceof RecipientKeyError) return e.reason;
    throw e;
  }
}

/** `value` as an ASCII-armored OpenPGP message to the holder of `armored`'s private key. */
export async function encryptTo(value: string, armored: string, now: Date = new Date()): Promise<string> {
  const pgp = openpgp();
  const key = await recipientKey(armored, now);
  const message = await pgp.createMessage({ text: value });
  return pgp.encrypt({ message, encryptionKeys: key, format: "armored", date: now });
}

/** Whether two armored keys are the same text, up to line endings and surrounding white space. */
export function sameRecipient(a: string | undefined, b: string | undefined): boolean {
  const norm = (s: string | undefined): string | undefined => s?.replace(/\r\n?/g, "\n").trim();
  return norm(a) === norm(b);
}
