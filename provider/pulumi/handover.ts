/**
 * How a rotated-out key stays alive for `keepPrevious` without ever being orphaned.
 *
 * In a replacement the engine calls, in one provider process and back to back for the resource:
 * check(olds) -> diff(olds = old outputs) -> check(olds = {}) -> create(new inputs), and once the
 * new key exists, delete(old). Only diff sees the old key; only the second check shapes what create
 * records. So diff offers the old key (and the previous keys it still keeps) under the resource's
 * inputs, the second check takes the offer into the new key's inputs, create records it in the new
 * key's state, and only then may delete(old) skip the keys that state now holds. Whatever goes
 * wrong (an offer not taken, a create that fails, another process) ends in an ordinary delete:
 * the grace period can be lost, a key never.
 *
 * This is the one place check is not a pure function of its arguments; it is deterministic for the
 * engine's calls of one run, and a preview only takes offers, never skips a delete.
 */
import { DEFAULT_EXPIRES_IN } from "../core/expiry";
import type { PreviousKey } from "../core/rotation";

type Props = Record<string, unknown>;

/** Offers by resource fingerprint; "ambiguous" when two resources with the same fingerprint offered. */
const offers = new Map<string, PreviousKey[] | "ambiguous">();
/** Keys a create in this process recorded in a new key's state: delete leaves them to that key. */
const recorded = new Set<string>();

/**
 * What identifies a resource to both calls: its logical name and the program's inputs, normalized
 * as check normalizes them (diff sees checked inputs, the second check the program's).
 */
function fingerprint(inputs: Props): string {
  const user = inputs.user;
  return JSON.stringify([
    inputs.__logicalName ?? null,
    inputs.description ?? "",
    inputs.active ?? true,
    typeof user === "object" && user !== null ? Object.entries(user as Props).filter(([, v]) => v !== undefined && v !== null).sort() : (user ?? null),
    inputs.expiresAt !== undefined && inputs.expiresAt !== null && inputs.expiresIn === undefined ? null : (inputs.expiresIn ?? DEFAULT_EXPIRES_IN),
    inputs.rotateBefore ?? null,
    inputs.keepPrevious ?? null,
  ]);
}

/** diff, deciding a replacement: the keys the new key should keep (none: nothing to hand over). */
export function offer(news: Props, keys: PreviousKey[]): void {
  const id = fingerprint(news);
  if (keys.length === 0) offers.delete(id);
  else offers.set(id, offers.has(id) ? "ambiguous" : keys);
}

/** The first check of a resource: an offer left from an earlier plan of it is stale. */
export function withdraw(news: Props): void {
  offers.delete(fingerprint(news));
}

/** The second check of a replacement (olds empty): the keys offered for it, once. */
export function take(news: Props): PreviousKey[] | undefined {
  const id = fingerprint(news);
  const keys = offers.get(id);
  offers.delete(id);
  return keys === "ambiguous" ? undefined : keys;
}

/** create, once the new key's state holds these keys. */
export function markRecorded(keys: readonly PreviousKey[]): void {
  for (const k of keys) recorded.add(k.uid);
}

/** delete: true when a new key's state took this key over. */
export const isRecordedElsewhere = (uid: string): boolean => recorded.has(uid);
