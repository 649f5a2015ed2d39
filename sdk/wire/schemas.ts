/**
 * The Palette wire contract for API keys, users and auth, as zod schemas.
 *
 * Shared by the SDK (validating what Palette sends) and the emulator (validating what clients send
 * and shaping what it answers). Field names are copied from the Palette OpenAPI spec
 * (`docs/reference/palette-apikeys-openapi.json`). Response schemas are tolerant (`z.looseObject`,
 * optional fields) because the real server adds fields over time; request schemas are strict
 * (`z.strictObject`) so that a typo in a body is caught before it leaves the process.
 *
 * Schemas describe JSON as it travels: timestamps are strings here and become `Date`s in the
 * SDK's resource layer, exactly once.
 */
import { z } from "zod";

/** Go's zero `time.Time`, which Palette writes for unset timestamps instead of omitting them. */
export const ZERO_TIME = "0001-01-01T00:00:00.000Z";

/** RFC 3339 instant, UTC `Z` or an offset, any sub-second precision. */
export const WireTime = z.iso.datetime({ offset: true });

// ---------------------------------------------------------------------------------------------
// Responses (tolerant)
// ---------------------------------------------------------------------------------------------

export const ObjectMetaWire = z.looseObject({
  name: z.string().optional(),
  uid: z.string().optional(),
  annotations: z.record(z.string(), z.string()).nullish(),
  labels: z.record(z.string(), z.string()).nullish(),
  creationTimestamp: WireTime.optional(),
  deletionTimestamp: WireTime.optional(),
  lastModifiedTimestamp: WireTime.optional(),
});
export type ObjectMetaWire = z.infer<typeof ObjectMetaWire>;

export const ApiKeyUserWire = z.looseObject({
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  uid: z.string().optional(),
});
export type ApiKeyUserWire = z.infer<typeof ApiKeyUserWire>;

/** `v1ApiKey`, an item of `GET /v1/apiKeys` and the body of `GET /v1/apiKeys/{uid}`. */
export const ApiKeyWire = z.looseObject({
  metadata: ObjectMetaWire,
  spec: z
    .looseObject({
      expiry: WireTime.optional(),
      /** Deprecated in the spec; a real server never fills it after create, nor does the emulator. */
      key: z.string().optional(),
      user: ApiKeyUserWire.optional(),
    })
    .optional(),
  // Go models drop `isActive: false` (omitempty), so a missing flag means "not active".
  status: z.looseObject({ isActive: z.boolean().optional() }).nullish(),
});
export type ApiKeyWire = z.infer<typeof ApiKeyWire>;

/** `v1ApiKeys`, the body of `GET /v1/apiKeys`. Not paginated; Go may serialize an empty list as `null`. */
export const ApiKeyListWire = z.looseObject({ items: z.array(ApiKeyWire).nullable() });
export type ApiKeyListWire = z.infer<typeof ApiKeyListWire>;

/**
 * `v1ApiKeyCreateResponse`, the 201 body of `POST /v1/apiKeys`: the only place the key value ever
 * appears. The spec describes `uid` as a "User uid", so the SDK confirms it before trusting it.
 */
export const ApiKeyCreateResponseWire = z.looseObject({
  apiKey: z.string().min(1),
  uid: z.string().optional(),
});
export type ApiKeyCreateResponseWire = z.infer<typeof ApiKeyCreateResponseWire>;

/** `V1Error`. Framework-level errors may carry a numeric `code`. */
export const ErrorEnvelopeWire = z.looseObject({
  code: z.union([z.string(), z.number()]).optional(),
  message: z.string().optional(),
  ref: z.string().optional(),
  details: z.unknown().optional(),
});
export type ErrorEnvelopeWire = z.infer<typeof ErrorEnvelopeWire>;

/** `v1UserToken`. The JSON key really is capital-A `Authorization`. */
export const UserTokenWire = z.looseObject({
  Authorization: z.string().min(1),
  isMfa: z.boolean().optional(),
});
export type UserTokenWire = z.infer<typeof UserTokenWire>;

/** `v1UserInfo`, the body of `GET /v1/users/info`. */
export const UserInfoWire = z.looseObject({
  orgName: z.string().optional(),
  tenantUid: z.string(),
  userUid: z.string(),
});
export type UserInfoWire = z.infer<typeof UserInfoWire>;

/** `v1User`. */
export const UserWire = z.looseObject({
  metadata: ObjectMetaWire,
  spec: z
    .looseObject({
      emailId: z.string().optional(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      roles: z.array(z.string()).nullish(),
    })
    .optional(),
  status: z
    .looseObject({
      activationLink: z.string().optional(),
      isActive: z.boolean().optional(),
      isPasswordResetting: z.boolean().optional(),
      lastSignIn: WireTime.optional(),
    })
    .nullish(),
});
export type UserWire = z.infer<typeof UserWire>;

/** `v1ListMetaData`. An empty `continue` means the end of the result set. */
export const ListMetaWire = z.looseObject({
  continue: z.string().optional(),
  count: z.number().int().optional(),
  limit: z.number().int().optional(),
  offset: z.number().int().optional(),
});
export type ListMetaWire = z.infer<typeof ListMetaWire>;

/** `v1Users`, the body of `GET /v1/users`. */
export const UserListWire = z.looseObject({
  items: z.array(UserWire).nullable(),
  listmeta: ListMetaWire.optional(),
});
export type UserListWire = z.infer<typeof UserListWire>;

/** `v1UsersMetadata`, the body of `GET /v1/users/meta`. */
export const UsersMetaWire = z.looseObject({
  items: z
    .array(
      z.looseObject({
        emailId: z.string().optional(),
        name: z.string().optional(),
        uid: z.string(),
      }),
    )
    .nullable(),
});
export type UsersMetaWire = z.infer<typeof UsersMetaWire>;

const UidSummaryWire = z.looseObject({ name: z.string().optional(), uid: z.string().optional() });

/** `v1UserSummary`. */
export const UserSummaryWire = z.looseObject({
  metadata: ObjectMetaWire,
  spec: z
    .looseObject({
      emailId: z.string().optional(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      projectsCount: z.number().int().optional(),
      roles: z.array(UidSummaryWire).nullish(),
      teams: z.array(UidSummaryWire).nullish(),
    })
    .optional(),
  status: UserWire.shape.status,
});
export type UserSummaryWire = z.infer<typeof UserSummaryWire>;

/** `v1UsersSummaryList`, the body of `POST /v1/users/summary`. */
export const UserSummaryListWire = z.looseObject({ items: z.array(UserSummaryWire).nullable() });
export type UserSummaryListWire = z.infer<typeof UserSummaryListWire>;

// ---------------------------------------------------------------------------------------------
// Requests (strict)
// ---------------------------------------------------------------------------------------------

/** Palette names and descriptions: no documented rules, so we keep them printable and bounded. */
export const API_KEY_NAME_MAX_LENGTH = 128;
export const API_KEY_DESCRIPTION_MAX_LENGTH = 1024;

export const ApiKeyNameWire = z
  .string()
  .min(1, "must not be empty")
  .max(API_KEY_NAME_MAX_LENGTH, `must be at most ${API_KEY_NAME_MAX_LENGTH} characters`)
  .refine((s) => s.trim() === s, "must not start or end with white space")
  // eslint-disable-next-line no-control-regex
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "must not contain control characters");

const RequestMetaWire = z.strictObject({
  name: ApiKeyNameWire,
  annotations: z
    .record(z.string(), z.string().max(API_KEY_DESCRIPTION_MAX_LENGTH))
    .optional(),
  // Go clients always send zero metadata timestamps; servers accept and ignore them.
  creationTimestamp: WireTime.optional(),
  deletionTimestamp: WireTime.optional(),
  lastModifiedTimestamp: WireTime.optional(),
  uid: z.string().optional(),
});

/** `v1ApiKeyEntity`, the body of `POST /v1/apiKeys`. */
export const ApiKeyEntityWire = z.strictObject({
  metadata: RequestMetaWire,
  spec: z.strictObject({
    expiry: WireTime,
    /** Owner; a tenant admin may name another user, anybody else only themselves. */
    userUid: z.string().min(1).optional(),
  }),
});
export type ApiKeyEntityWire = z.infer<typeof ApiKeyEntityWire>;

/** `v1ApiKeyUpdate`, the body of `PUT /v1/apiKeys/{uid}`: name, description and expiry only. */
export const ApiKeyUpdateWire = z.strictObject({
  metadata: RequestMetaWire,
  spec: z.strictObject({ expiry: WireTime }),
});
export type ApiKeyUpdateWire = z.infer<typeof ApiKeyUpdateWire>;

/**
 * `v1ApiKeyActiveState`, the body of `PUT /v1/apiKeys/{uid}/state` and `PATCH /v1/apiKeys/{uid}`.
 * Optional because Go callers omit `false`; the SDK always sends an explicit boolean.
 */
export const ApiKeyActiveStateWire = z.strictObject({ isActive: z.boolean().optional() });
export type ApiKeyActiveStateWire = z.infer<typeof ApiKeyActiveStateWire>;

/** `v1AuthLogin`, the body of `POST /v1/auth/authenticate`. */
export const AuthLoginWire = z.strictObject({
  emailId: z.string().min(1),
  password: z.string().min(1),
  org: z.string().optional(),
});
export type AuthLoginWire = z.infer<typeof AuthLoginWire>;

/** `v1FilterString`. */
export const FilterStringWire = z.strictObject({
  eq: z.string().nullish(),
  ne: z.string().nullish(),
  contains: z.string().nullish(),
  beginsWith: z.string().nullish(),
  ignoreCase: z.boolean().optional(),
});
export type FilterStringWire = z.infer<typeof FilterStringWire>;

/** `v1UsersSummarySpec`, the body of `POST /v1/users/summary`. */
export const UsersSummarySpecWire = z.strictObject({
  filter: z
    .strictObject({ emailId: FilterStringWire.optional(), name: FilterStringWire.optional() })
    .optional(),
  sort: z
    .array(
      z.strictObject({
        field: z.enum(["name", "creationTimestamp"]).nullish(),
        order: z.enum(["asc", "desc"]).optional(),
      }),
    )
    .optional(),
});
export type UsersSummarySpecWire = z.infer<typeof UsersSummarySpecWire>;
