/**
 * Domain objects the SDK returns: camelCase, `Date`s instead of strings, never raw wire JSON.
 * The mapping from the wire lives in `resources/`, so every date is parsed exactly once.
 */

/** A Palette API key as any caller may see it. The key value is not part of it: Palette never shows it again. */
export interface ApiKey {
  readonly uid: string;
  readonly name: string;
  /** `metadata.annotations.description`; "" when unset. */
  readonly description: string;
  /** `spec.expiry`; null when Palette reports none (absent or Go's zero time). */
  readonly expiresAt: Date | null;
  /** `status.isActive`; a missing flag reads as false (Go drops `false` with omitempty). */
  readonly active: boolean;
  /** The owner. Palette cannot move a key to another user. */
  readonly user: ApiKeyOwner;
  readonly createdAt: Date | null;
  readonly updatedAt: Date | null;
  /** Every annotation as Palette sent it, server-added ones (`ownerUid`, `scope`, …) included. */
  readonly annotations: Readonly<Record<string, string>>;
}

export interface ApiKeyOwner {
  readonly uid: string;
  readonly firstName: string;
  readonly lastName: string;
}

/** Derived lifecycle state: expiry wins over the active flag, because an expired key cannot be revived. */
export type ApiKeyStatus = "active" | "revoked" | "expired";

/** Computes the lifecycle state of a key at `now`. */
export function apiKeyStatus(key: Pick<ApiKey, "active" | "expiresAt">, now: Date): ApiKeyStatus {
  if (key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime()) return "expired";
  return key.active ? "active" : "revoked";
}

export interface CreateApiKeyParams {
  readonly name: string;
  readonly description?: string;
  readonly expiresAt: Date;
  /** Owner; default the caller. Only tenant admins may name another user. */
  readonly userUid?: string;
}

/** What `apiKeys.create` returns: the confirmed key, and its value, which Palette returns only this once. */
export interface CreatedApiKey {
  readonly apiKey: ApiKey;
  /** The secret. Never log it; Palette will not show it again. */
  readonly value: string;
}

/** In-place changes Palette allows. Fields left out keep their current value. */
export interface UpdateApiKeyParams {
  readonly name?: string;
  readonly description?: string;
  readonly expiresAt?: Date;
}

/** `GET /v1/users/info`: who the caller is. */
export interface UserInfo {
  readonly userUid: string;
  readonly tenantUid: string;
  readonly orgName: string;
}

export interface User {
  readonly uid: string;
  /** `metadata.name`. */
  readonly name: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly roles: readonly string[];
  readonly active: boolean;
  readonly createdAt: Date | null;
}
