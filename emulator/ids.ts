/**
 * The shapes of Palette's identifiers and secrets (24-hex uids, 32-character key values, error
 * refs), so clients validating them against the real API's shapes accept the emulator's.
 */
import { randomBytes, randomInt } from "node:crypto";

const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const KEY_VALUE_LENGTH = 32;

/** A 24-lowercase-hex uid, the shape Palette's (Mongo ObjectId-like) uids have. */
export function newUid(): string {
  return randomBytes(12).toString("hex");
}

/** An error reference in the TF mock's format: "ref-" + 24 hex. */
export function newRef(): string {
  return `ref-${newUid()}`;
}

/** A 32-character [A-Za-z0-9] secret, drawn without modulo bias. */
export function newSecret(length = KEY_VALUE_LENGTH): string {
  let out = "";
  for (let i = 0; i < length; i++) out += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return out;
}

export function isUid(s: string): boolean {
  return /^[0-9a-f]{24}$/.test(s);
}
