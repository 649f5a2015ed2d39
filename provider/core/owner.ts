/**
 * How an owner named by email compares, for both engines: Palette finds users by email ignoring
 * case, so "Bob@Palette.LOCAL" and "bob@palette.local" are one owner; the state keeps the spelling
 * the program wrote, or a plan that compares the configured value with a recorded one byte for byte
 * (Terraform's) would never converge. Pure.
 */

/** True when both are emails of the same mailbox, whatever their case. */
export function sameEmail(a: unknown, b: unknown): boolean {
  return typeof a === "string" && typeof b === "string" && a.toLowerCase() === b.toLowerCase();
}

/**
 * The owner's email as state records it: the configured spelling when it names the mailbox Palette
 * reports (or Palette reports none), otherwise Palette's.
 */
export function recordedEmail(configured: string | undefined, observed: string | undefined): string | undefined {
  if (configured === undefined) return observed;
  return observed === undefined || sameEmail(configured, observed) ? configured : observed;
}
