/**
 * A key as Palette reports it, in the flat, string-dated shape both engines store. Pure.
 */
import { apiKeyStatus, type ApiKey, type ApiKeyStatus } from "../../sdk";

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
