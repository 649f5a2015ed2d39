/**
 * A key as Palette reports it, in the flat, string-dated shape both engines store. Pure.
 */
import { apiKeyStatus, type ApiKey, type ApiKeyStatus } from "../../sdk";
import { sameInstant } from "./expiry";

export interface ObservedKey {
  uid: string;
  name: string;
  description: string;
  /** ISO 8601 instant; absent only if Palette reports no expiry. */
  expiresAt?: string;
  active: boolean;
  userUid: string;
  /** "First Last" as Palette reports the owner. */
  userName: string;
  createdAt?: string;
  updatedAt?: string;
  status: ApiKeyStatus;
}

export function observe(key: ApiKey, now: Date): ObservedKey {
  const seen: ObservedKey = {
    uid: key.uid,
    name: key.name,
    description: key.description,
    active: key.active,
    userUid: key.user.uid,
    userName: `${key.user.firstName} ${key.user.lastName}`.trim(),
    status: apiKeyStatus(key, now),
  };
  if (key.expiresAt !== null) seen.expiresAt = key.expiresAt.toISOString();
  if (key.createdAt !== null) seen.createdAt = key.createdAt.toISOString();
  if (key.updatedAt !== null) seen.updatedAt = key.updatedAt.toISOString();
  return seen;
}

/**
 * The status after a revoke or re-activation that read nothing back: an expired key stays expired
 * (Palette refuses to re-activate one, so a re-activation that succeeded means it was not).
 */
export function statusAfterToggle(previous: unknown, active: boolean): ApiKeyStatus {
  if (previous === "expired" && !active) return "expired";
  return active ? "active" : "revoked";
}

/** What an engine recorded of a key, in the observed shape (strings as stored). */
export interface RecordedKey {
  name?: unknown;
  description?: unknown;
  expiresAt?: unknown;
  active?: unknown;
  updatedAt?: unknown;
}

/**
 * The key as a refresh should record it. After its own writes the provider reads nothing back
 * (a PUT answers 204 without a body), so the record holds the time the write was answered as
 * `updatedAt`, a few ms off Palette's. While nothing else differs, that is not drift: the recorded
 * time stays, so a refresh right after an `up` shows no change. Anything else changed: Palette's.
 */
export function withRecordedUpdateTime(key: ApiKey, recorded: RecordedKey): ApiKey {
  const at = typeof recorded.updatedAt === "string" ? new Date(recorded.updatedAt) : undefined;
  if (at === undefined || Number.isNaN(at.getTime())) return key;
  const unchanged =
    recorded.name === key.name &&
    (recorded.description ?? "") === key.description &&
    recorded.active === key.active &&
    key.expiresAt !== null &&
    sameInstant(recorded.expiresAt, key.expiresAt.toISOString());
  return unchanged ? { ...key, updatedAt: at } : key;
}
