/**
 * The few ASN.1 DER encodings an X.509 certificate needs. Go's certificate parser, which reads our
 * certificate on Terraform's side, is strict: lengths and integers must be minimal, booleans 0xff.
 */

const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), length(body.length), body]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(TAG.sequence, ...items);
export const set = (...items: Buffer[]): Buffer => tlv(TAG.set, ...items);
export const boolean = (v: boolean): Buffer => tlv(TAG.boolean, Buffer.from([v ? 0xff : 0x00]));
export const octetString = (bytes: Buffer): Buffer => tlv(TAG.octetString, bytes);
export const utf8String = (s: string): Buffer => tlv(TAG.utf8String, Buffer.from(s, "utf8"));
/** Context-specific constructed `[n]` (EXPLICIT tagging). */
export const explicit = (n: number, ...contents: Buffer[]): Buffer => tlv(0xa0 | n, ...contents);
/** Context-specific primitive `[n]` (IMPLICIT tagging of a primitive). */
export const implicit = (n: number, bytes: Buffer): Buffer => tlv(0x80 | n, bytes);
/** A bit string whose bits fill whole bytes, after `unusedBits` trailing bits of padding. */
export const bitString = (bytes: Buffer, unusedBits = 0): Buffer => tlv(TAG.bitString, Buffer.from([unusedBits]), bytes);

/**
 * A non-negative integer from its big-endian magnitude, in the minimal two's-complement form DER
 * demands: no leading zero byte unless the next byte has its top bit set (then it must be there).
 */
export function unsignedInteger(magnitude: Buffer): Buffer {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const bytes = magnitude.subarray(start);
  const pad = bytes.length === 0 || (bytes[0] ?? 0) >= 0x80;
  return tlv(TAG.integer, pad ? Buffer.from([0]) : Buffer.alloc(0), bytes.length === 0 ? Buffer.alloc(0) : bytes);
}

export const smallInteger = (n: number): Buffer => unsignedInteger(Buffer.from([n]));

export function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes: number[] = [first * 40 + second];
  for (const arc of rest) {
    const groups: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift(0x80 | (v & 0x7f));
    bytes.push(...groups);
  }
  return tlv(TAG.oid, Buffer.from(bytes));
}

/** X.509's rule: UTCTime (two-digit year) through 2049, GeneralizedTime from 2050, both to the second. */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // 2026-01-31T12:34:56.789Z
  const digits = iso.slice(0, 19).replace(/[-:T]/g, "") + "Z";
  return date.getUTCFullYear() < 2050 ? tlv(TAG.utcTime, Buffer.from(digits.slice(2), "ascii")) : tlv(TAG.generalizedTime, Buffer.from(digits, "ascii"));
}
