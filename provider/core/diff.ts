/**
 * What a change to a key's desired state means: nothing, an in-place update, or a replacement (and
 * why). Palette can edit a key's name, description, expiry and state, so those change in place; it
 * cannot reassign a key or revive an expired one, so those need a new key. Pure: the clock is a
 * parameter. Both engines ask this one function.
 */
import { sameInstant, instantOf } from "./expiry";
import { sameEmail } from "./owner";
import { rotationDue, type RotationDue } from "./rotation";
import { PENDING, type Field, type MaybePending, type OwnerInput, type Pending } from "./rules";

/** What the state holds for a key (its last known outputs). Values are as stored, so loosely typed. */
export interface StoredKey {
  name?: unknown;
  description?: unknown;
  expiresIn?: unknown;
  expiresAt?: unknown;
  active?: unknown;
  userUid?: unknown;
  userEmail?: unknown;
  /** The owner as the program named it when the key was made; absent: the caller. */
  owner?: { uid?: unknown; email?: unknown } | undefined;
  rotateBefore?: unknown;
  keepPrevious?: unknown;
}

/** What the program wants now, after the rules ran (expiry resolved). */
export interface DesiredKey {
  name: MaybePending<string>;
  description: MaybePending<string>;
  expiresIn?: MaybePending<string> | undefined;
  expiresAt: MaybePending<string>;
  active: MaybePending<boolean>;
  /** Absent: the caller. */
  owner?: OwnerInput | Pending | undefined;
  /**
   * The uid of the user the configured owner email names, when the engine could ask Palette: an
   * imported key records its owner by uid only until the email is read.
   */
  ownerEmailUid?: string | undefined;
  /** True when the program chose the name (so a same-owner replacement would collide with it). */
  explicitName: boolean;
  rotateBefore?: MaybePending<string> | undefined;
  keepPrevious?: MaybePending<string> | undefined;
}

export interface KeyDiff {
  /** Fields that differ and can change in place (in a stable order). */
  changed: Field[];
  /** Fields whose change needs a new key; empty for an in-place update. */
  replaces: Field[];
  /** The replacement must delete the old key first: it keeps an explicit name under the same owner. */
  deleteBeforeReplace: boolean;
  /** True when the stored key has expired although the program still wants it usable. */
  expiredButWanted: boolean;
  /** Set when the key is replaced because it is inside its rotation window (`replaces` holds "rotateBefore"). */
  rotation?: RotationDue;
}

/**
 * True when the owner the program names is not the owner of the stored key. An email names the
 * stored owner when it is the stored email in any case, or when it resolved to the stored uid.
 */
export function ownerChanged(stored: StoredKey, wanted: DesiredKey["owner"], emailUid?: string): boolean {
  const had = stored.owner;
  if (wanted === undefined) {
    // "The caller" is only comparable with "the caller": the caller's identity is not known without I/O.
    return had !== undefined;
  }
  if (wanted === PENDING) return true;
  const { uid, email } = wanted;
  if (uid === PENDING || email === PENDING) return true;
  if (uid !== undefined) return uid !== stored.userUid && uid !== had?.uid;
  if (email !== undefined) {
    if (sameEmail(email, stored.userEmail) || sameEmail(email, had?.email)) return false;
    return emailUid === undefined || emailUid !== stored.userUid;
  }
  return true;
}

/** The in-place fields that differ, in a stable order. */
export function changedFields(stored: StoredKey, desired: DesiredKey): Field[] {
  const changed: Field[] = [];
  const differs = (a: unknown, b: unknown): boolean => b === PENDING || a !== b;
  if (differs(stored.name, desired.name)) changed.push("name");
  if (differs(stored.description ?? "", desired.description)) changed.push("description");
  if (desired.expiresAt === PENDING || !sameInstant(stored.expiresAt, desired.expiresAt)) changed.push("expiresAt");
  // A new relative expiry is an edit even in the rare case it resolves to the very same instant.
  if (differs(stored.expiresIn, desired.expiresIn)) changed.push("expiresIn");
  if (differs(stored.active ?? true, desired.active)) changed.push("active");
  // Rotation settings are the provider's own: they change in place without a call to Palette.
  if (differs(stored.rotateBefore, desired.rotateBefore)) changed.push("rotateBefore");
  if (differs(stored.keepPrevious, desired.keepPrevious)) changed.push("keepPrevious");
  return changed;
}

/** Decides between no change, an in-place update and a replacement. Never looks at the key value. */
export function diffKey(stored: StoredKey, desired: DesiredKey, now: Date): KeyDiff {
  const changed = changedFields(stored, desired);
  const owner = ownerChanged(stored, desired.owner, desired.ownerEmailUid);
  const storedExpiry = instantOf(stored.expiresAt);
  const expired = storedExpiry !== undefined && storedExpiry.getTime() <= now.getTime();
  // A program that still wants a usable key is not satisfied by an expired one: that is drift, not
  // the passing of time (which never re-resolves an expiry), and only a new key can fix it.
  const expiredButWanted = expired && desired.active !== false && changed.length === 0;
  // Palette can neither re-activate nor re-date an expired key: any edit needs a new key.
  const replaces: Field[] = [...(owner ? (["user"] as const) : []), ...(expired ? (expiredButWanted ? (["status"] as const) : changed) : [])];
  // Inside the rotation window a key the program wants usable is replaced early: the one case where
  // time passing alone makes a diff. The expiry compared is the one the key will have after this run.
  const rotation = !expired && desired.active !== false ? rotationDue(desired.expiresAt, desired.rotateBefore, now) : undefined;
  if (rotation !== undefined && replaces.length === 0) replaces.push("rotateBefore");
  // Names are unique per owner: a same-owner replacement keeping its explicit name must delete first.
  const deleteBeforeReplace =
    replaces.length > 0 && !owner && desired.explicitName && desired.name !== PENDING && desired.name === stored.name;
  return { changed, replaces, deleteBeforeReplace, expiredButWanted, ...(rotation !== undefined && replaces.includes("rotateBefore") ? { rotation } : {}) };
}

/** True when the diff asks for any change at all. */
export const hasChanges = (d: KeyDiff): boolean => d.changed.length > 0 || d.replaces.length > 0;
