/**
 * How the emulator keeps secrets: key values as SHA-256 digests compared in constant time,
 * passwords salted and hashed; its state file gives none of them away.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** SHA-256 of a key value, hex. Key values are stored only in this form. */
export function hashKeyValue(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** Constant-time equality of two hex digests of the same algorithm. */
export function digestsEqual(aHex: string, bHex: string): boolean {
  const a = Buffer.from(aHex, "hex");
  const b = Buffer.from(bHex, "hex");
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

export interface PasswordHash {
  readonly salt: string;
  readonly hash: string;
}

export function hashPassword(password: string, salt: string = randomBytes(16).toString("hex")): PasswordHash {
  return { salt, hash: createHash("sha256").update(salt, "utf8").update(password, "utf8").digest("hex") };
}

export function passwordMatches(password: string, stored: PasswordHash): boolean {
  return digestsEqual(hashPassword(password, stored.salt).hash, stored.hash);
}
