/** `Retry-After` parsing (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. */
import { isValid, parse } from "date-fns";

const IMF_FIXDATE = "EEE, dd MMM yyyy HH:mm:ss xx";

/**
 * Milliseconds to wait as a `Retry-After` header asks, or undefined when absent or unreadable.
 * An HTTP-date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  // date-fns parses in local time unless the zone is explicit, so spell GMT as an offset.
  const date = parse(v.replace(/ GMT$/, " +0000"), IMF_FIXDATE, now);
  if (!isValid(date)) return undefined;
  return Math.max(0, date.getTime() - now.getTime());
}
