/**
 * Expiry inputs: parsing `expiresIn` ("30d", "12h") and `expiresAt` (RFC 3339 or a calendar day),
 * and turning a relative expiry into the absolute instant Palette stores. Pure: the clock is a parameter.
 */

/** The documented best practice, used when a program sets neither `expiresIn` nor `expiresAt`. */
export const DEFAULT_EXPIRES_IN = "30d";

const MS_PER_HOUR = 3_600_000;
const MS_PER_DAY = 24 * MS_PER_HOUR;
const MS_PER_MINUTE = 60_000;
/** ECMAScript's last representable instant, +275760-09-13: beyond it `new Date()` is invalid. */
const MAX_TIME_MS = 8.64e15;

const DURATION = /^([1-9][0-9]*)([dh])$/;
// RFC 3339 by regular expression, as zod's `iso.date()` and `iso.datetime({ offset: true })` accept
// them (a unit test holds the two to the same verdicts): this module is on the Terraform provider's
// start-up path, and loading zod there would cost every provider process tens of milliseconds.
const DATE = String.raw`\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])`;
const CALENDAR_DAY = new RegExp(`^${DATE}$`);
const INSTANT = new RegExp(String.raw`^${DATE}T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$`);

/** Either a value or a reason the input is wrong, phrased to tell the user what to write instead. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Parses `"<n>d"` or `"<n>h"` (n a positive integer) into milliseconds. */
export function parseExpiresIn(text: string): Parsed<number> {
  const m = DURATION.exec(text);
  if (m === null) {
    return {
      ok: false,
      reason: `"${text}" is not a duration: use a positive whole number of days or hours, e.g. "7d", "30d", "90d" or "12h"`,
    };
  }
  const ms = Number(m[1]) * (m[2] === "d" ? MS_PER_DAY : MS_PER_HOUR);
  if (!Number.isSafeInteger(ms) || ms >= MAX_TIME_MS / 2) {
    return { ok: false, reason: `"${text}" is too long a duration to be a date` };
  }
  return { ok: true, value: ms };
}

/** The regular expressions admit 2025-02-30; Date would roll it over to March, so insist on a round trip. */
function isCalendarDay(day: string): boolean {
  const d = new Date(`${day}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === day;
}

/**
 * Parses an RFC 3339 instant, or `YYYY-MM-DD` meaning the last millisecond of that day in UTC
 * (so "expires on 2027-01-31" keeps the key usable throughout that day).
 */
export function parseExpiresAt(text: string): Parsed<Date> {
  if (CALENDAR_DAY.test(text) && isCalendarDay(text)) {
    return { ok: true, value: new Date(`${text}T23:59:59.999Z`) };
  } else if (INSTANT.test(text) && isCalendarDay(text.slice(0, 10))) {
    const d = new Date(text);
    if (!Number.isNaN(d.getTime())) return { ok: true, value: d };
  }
  return {
    ok: false,
    reason: `"${text}" is not a date: use an RFC 3339 instant such as "2027-01-31T12:00:00Z" or a day such as "2027-01-31" (end of that day, UTC)`,
  };
}

/**
 * The instant a relative expiry resolves to. The clock is truncated to the minute so the engine's
 * two `check` calls of one `up` (preview pass, then update pass) agree on the same instant.
 */
export function resolveExpiresIn(durationMs: number, now: Date): Date {
  const minute = Math.floor(now.getTime() / MS_PER_MINUTE) * MS_PER_MINUTE;
  return new Date(minute + durationMs);
}

/**
 * Parses a stored instant (state written by us or by an older version, or a Terraform config's own
 * spelling, which may be a day meaning its end); undefined when it is not one.
 */
export function instantOf(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const spelled = parseExpiresAt(value);
  if (spelled.ok) return spelled.value;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** True when both values denote the same instant, whatever their spelling. */
export function sameInstant(a: unknown, b: unknown): boolean {
  const x = instantOf(a);
  const y = instantOf(b);
  return x !== undefined && y !== undefined && x.getTime() === y.getTime();
}
