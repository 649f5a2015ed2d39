/**
 * The dynamic provider's `diff`: the stored outputs and the checked new inputs, handed to the core's
 * decision. The dynamic-provider protocol has no detailedDiff, so `replaces` (in the ApiKey's input
 * names) is all the engine learns; `replaceOnChanges` is a no-op with a custom diff.
 */
import { diffKey, hasChanges, type DesiredKey, type KeyDiff, type StoredKey } from "../core/diff";
import { previousKeysDue, previousKeysOf, rotationReason } from "../core/rotation";
import { PENDING, type MaybePending, type OwnerInput } from "../core/rules";
import { PULUMI_NAMES, UNKNOWN } from "./check";

export interface ApiKeyDiff {
  changes: boolean;
  replaces: string[];
  deleteBeforeReplace: boolean;
}

type Props = Record<string, unknown>;

const known = <T>(v: unknown): MaybePending<T> => (v === UNKNOWN ? PENDING : (v as T));

/** The core's view of stored outputs (`user` is the owner input echoed into state). */
export function storedKeyOf(olds: Props): StoredKey {
  const user = olds.user;
  return { ...olds, owner: typeof user === "object" && user !== null ? (user as Props) : undefined };
}

function ownerOf(user: unknown): DesiredKey["owner"] {
  if (user === undefined || user === null) return undefined;
  if (user === UNKNOWN || typeof user !== "object") return PENDING;
  const { uid, email } = user as Props;
  const owner: OwnerInput = {};
  if (typeof uid === "string") owner.uid = known<string>(uid);
  if (typeof email === "string") owner.email = known<string>(email);
  return owner;
}

/** The core's view of checked inputs. */
export function desiredKeyOf(news: Props): DesiredKey {
  return {
    name: known<string>(news.name),
    description: known<string>(news.description ?? ""),
    expiresIn: news.expiresIn === undefined ? undefined : known<string>(news.expiresIn),
    expiresAt: known<string>(news.expiresAt),
    active: known<boolean>(news.active ?? true),
    owner: ownerOf(news.user),
    explicitName: news.__autonamed !== true,
    rotateBefore: news.rotateBefore === undefined ? undefined : known<string>(news.rotateBefore),
    keepPrevious: news.keepPrevious === undefined ? undefined : known<string>(news.keepPrevious),
  };
}

/** The core's decision, for the provider to act on beside the engine (see handover.ts). */
export function keyDiffOf(olds: Props, news: Props, now: Date): KeyDiff {
  return diffKey(storedKeyOf(olds), desiredKeyOf(news), now);
}

export function diffApiKey(olds: Props, news: Props, now: Date, d: KeyDiff = keyDiffOf(olds, news, now)): ApiKeyDiff {
  // A previous key past its grace period is deleted by an update of the key that replaced it.
  const cleanup = previousKeysDue(previousKeysOf(olds.previousKeys), now).length > 0;
  if (!hasChanges(d) && !cleanup) return { changes: false, replaces: [], deleteBeforeReplace: false };
  // No detailedDiff in the dynamic protocol: the replace keys are what the preview shows, so a
  // rotation names its reason there ("rotation due: expires 2026-12-29, rotateBefore 7d").
  const replaces = d.rotation !== undefined ? [rotationReason(d.rotation, PULUMI_NAMES)] : d.replaces.map((f) => PULUMI_NAMES[f]);
  return { changes: true, replaces, deleteBeforeReplace: d.deleteBeforeReplace };
}
