/**
 * `diff`: compares the stored outputs with the checked new inputs. Pure: the clock is a parameter.
 * The dynamic-provider protocol has no detailedDiff, so the decision is entirely ours: in place for
 * everything Palette can edit, a replacement only where it cannot (owner, an expired key).
 */
import { instantOf, sameInstant } from "./expiry";
import { UNKNOWN } from "./inputs";

export interface ApiKeyDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

type Props = Record<string, unknown>;

const lower = (v: unknown): string | undefined => (typeof v === "string" ? v.toLowerCase() : undefined);

/** True when the owner named by `news.user` is not the owner of the stored key. */
export function ownerChanged(olds: Props, news: Props): boolean {
  const wanted = news.user;
  const had = olds.user as Props | undefined;
  if (wanted === undefined || wanted === null) {
    // "The caller" is only comparable with "the caller": the owner's identity is not known without I/O.
    return had !== undefined && had !== null;
  }
  if (wanted === UNKNOWN || typeof wanted !== "object") return true;
  const { uid, email } = wanted as Props;
  if (uid === UNKNOWN || email === UNKNOWN) return true;
  if (typeof uid === "string") return uid !== olds.userUid && uid !== had?.uid;
  if (typeof email === "string") {
    const e = email.toLowerCase();
    return e !== lower(olds.userEmail) && e !== lower(had?.email);
  }
  return true;
}

/** Names of the in-place properties that differ, in a stable order. */
export function changedProperties(olds: Props, news: Props): string[] {
  const changed: string[] = [];
  const differs = (a: unknown, b: unknown): boolean => b === UNKNOWN || a !== b;
  if (differs(olds.name, news.name)) changed.push("name");
  if (differs(olds.description ?? "", news.description ?? "")) changed.push("description");
  if (news.expiresAt === UNKNOWN || !sameInstant(olds.expiresAt, news.expiresAt)) changed.push("expiresAt");
  // A new relative expiry is an edit even in the rare case it resolves to the very same instant.
  if (differs(olds.expiresIn, news.expiresIn)) changed.push("expiresIn");
  if (differs(olds.active ?? true, news.active ?? true)) changed.push("active");
  return changed;
}

/** Decides between no change, an in-place update and a replacement. Never looks at the key value. */
export function diffApiKey(olds: Props, news: Props, now: Date): ApiKeyDiff {
  const changed = changedProperties(olds, news);
  const owner = ownerChanged(olds, news);
  const storedExpiry = instantOf(olds.expiresAt);
  const expired = storedExpiry !== undefined && storedExpiry.getTime() <= now.getTime();
  // A program that still wants a usable key is not satisfied by an expired one: that is drift, not
  // the passing of time (which never re-resolves an expiry), and only a new key can fix it.
  const expiredButWanted = expired && news.active !== false && changed.length === 0;
  if (changed.length === 0 && !owner && !expiredButWanted) return { changes: false, replaces: [], deleteBeforeReplace: false };

  // Palette can neither re-activate nor re-date an expired key: any edit needs a new key.
  const replaces = [...(owner ? ["user"] : []), ...(expired ? (expiredButWanted ? ["expiresAt"] : changed) : [])];
  // Names are unique per owner: a same-owner replacement keeping its explicit name must delete first.
  const deleteBeforeReplace =
    replaces.length > 0 && !owner && news.__autonamed !== true && news.name !== UNKNOWN && news.name === olds.name;
  return { changes: true, replaces, deleteBeforeReplace };
}
