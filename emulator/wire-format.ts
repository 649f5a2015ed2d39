/**
 * Store records as the real API shows them on the wire (annotations, zero timestamps, omitempty
 * flags), so clients meet the quirks of the documented responses.
 */
import { ZERO_TIME, type ApiKeyWire, type UserSummaryWire, type UserWire } from "../sdk/wire";
import { API_KEY_PERMISSIONS_ANNOTATION } from "./permissions";
import type { StoredKey, StoredUser, Tenant } from "./store";

/** Role names shown on users; Palette's built-in tenant role. */
const TENANT_ADMIN_ROLE = { name: "Tenant Admin", uid: "5f5a2b1c0d9e8f7a6b5c4d3e" } as const;

/** RFC 3339 with milliseconds and `Z`, as Palette writes every timestamp. */
const time = (d: Date): string => d.toISOString();

/**
 * A key as `GET /v1/apiKeys` shows it (docs/reference/palette-api.md §3.1): server annotations, zero
 * `deletionTimestamp`, owner names, never `spec.key`. `isActive` is left out when false, as Go's
 * omitempty does, so clients must read a missing flag as false.
 */
export function apiKeyToWire(key: StoredKey, owner: StoredUser | undefined, tenant: Tenant): ApiKeyWire {
  return {
    metadata: {
      annotations: {
        description: key.description,
        ownerUid: key.ownerUid,
        permissions: API_KEY_PERMISSIONS_ANNOTATION,
        scope: "tenant",
        scopeVisibility: "20",
        tenantUid: tenant.uid,
      },
      creationTimestamp: time(key.createdAt),
      deletionTimestamp: ZERO_TIME,
      lastModifiedTimestamp: time(key.updatedAt),
      name: key.name,
      uid: key.uid,
    },
    spec: {
      expiry: time(key.expiresAt),
      user: { firstName: owner?.firstName ?? "", lastName: owner?.lastName ?? "", uid: key.ownerUid },
    },
    status: key.active ? { isActive: true } : {},
  };
}

export function fullName(user: StoredUser): string {
  return `${user.firstName} ${user.lastName}`;
}

function userMeta(user: StoredUser, tenant: Tenant): UserWire["metadata"] {
  return {
    annotations: { tenantUid: tenant.uid },
    creationTimestamp: time(user.createdAt),
    deletionTimestamp: ZERO_TIME,
    lastModifiedTimestamp: time(user.createdAt),
    name: fullName(user),
    uid: user.uid,
  };
}

function userStatus(user: StoredUser): NonNullable<UserWire["status"]> {
  return {
    activationLink: "",
    // x-omitempty: false in the spec, so a disabled user carries an explicit false.
    isActive: user.active,
    isPasswordResetting: false,
    lastSignIn: user.lastSignIn === null ? ZERO_TIME : time(user.lastSignIn),
  };
}

/** `v1User`. */
export function userToWire(user: StoredUser, tenant: Tenant): UserWire {
  return {
    metadata: userMeta(user, tenant),
    spec: {
      emailId: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      roles: user.role === "tenantAdmin" ? [TENANT_ADMIN_ROLE.uid] : [],
    },
    status: userStatus(user),
  };
}

/** `v1UserSummary`. */
export function userToSummaryWire(user: StoredUser, tenant: Tenant): UserSummaryWire {
  return {
    metadata: userMeta(user, tenant),
    spec: {
      emailId: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      projectsCount: 0,
      roles: user.role === "tenantAdmin" ? [{ ...TENANT_ADMIN_ROLE }] : [],
      teams: [],
    },
    status: userStatus(user),
  };
}
