/**
 * Encrypts secret values for the offline runner's state file, in the spirit of Pulumi's passphrase
 * secrets provider: a key derived from `PULUMI_CONFIG_PASSPHRASE` with a per-stack random salt, and
 * authenticated encryption per value. Pulumi itself uses PBKDF2 + AES-256-GCM; this uses scrypt +
 * AES-256-GCM. The state file is therefore NOT interchangeable with a Pulumi checkpoint.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";

const PREFIX = "v1";
const CHECK_PLAINTEXT = "pulumi-palette-offline-runner";
// N=2^15 is scrypt's interactive-login strength; 128*N*r = 32 MiB, so maxmem must be above that.
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

/** Raised when the passphrase cannot decrypt this state file. */
export class IncorrectPassphraseError extends Error {
  override readonly name = "IncorrectPassphraseError";
  constructor() {
    super("incorrect passphrase: it does not decrypt this state file's secrets (check PULUMI_CONFIG_PASSPHRASE)");
  }
}

/** AES-256-GCM with a scrypt-derived key. One instance per state file (salt). */
export class PassphraseCrypter {
  private constructor(
    private readonly key: Buffer,
    /** `v1:<salt b64>:<encrypted check value>`; stored in the state file, holds no secret. */
    readonly encryptionSalt: string,
  ) {}

  /** A crypter with a fresh random salt, for a new state file. */
  static create(passphrase: string): PassphraseCrypter {
    const salt = randomBytes(16);
    const key = scryptSync(passphrase, salt, 32, SCRYPT);
    const check = encryptWith(key, CHECK_PLAINTEXT);
    return new PassphraseCrypter(key, `${PREFIX}:${salt.toString("base64")}:${check}`);
  }

  /** The crypter for an existing state file; throws {@link IncorrectPassphraseError} for a wrong passphrase. */
  static fromSalt(passphrase: string, encryptionSalt: string): PassphraseCrypter {
    const [prefix, salt, ...check] = encryptionSalt.split(":");
    if (prefix !== PREFIX || !salt || check.length === 0) throw new Error("state file: malformed encryptionSalt");
    const key = scryptSync(passphrase, Buffer.from(salt, "base64"), 32, SCRYPT);
    let plain: string;
    try {
      plain = decryptWith(key, check.join(":"));
    } catch {
      throw new IncorrectPassphraseError();
    }
    if (plain !== CHECK_PLAINTEXT) throw new IncorrectPassphraseError();
    return new PassphraseCrypter(key, encryptionSalt);
  }

  /** `v1:<nonce b64>:<ciphertext+tag b64>`. */
  encrypt(plaintext: string): string {
    return encryptWith(this.key, plaintext);
  }

  decrypt(ciphertext: string): string {
    try {
      return decryptWith(this.key, ciphertext);
    } catch {
      throw new IncorrectPassphraseError();
    }
  }
}

function encryptWith(key: Buffer, plaintext: string): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${PREFIX}:${nonce.toString("base64")}:${body.toString("base64")}`;
}

function decryptWith(key: Buffer, ciphertext: string): string {
  const [prefix, nonce, body] = ciphertext.split(":");
  if (prefix !== PREFIX || nonce === undefined || body === undefined) throw new Error("malformed ciphertext");
  const bytes = Buffer.from(body, "base64");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64"));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString("utf8");
}
