/**
 * Wire -> domain: the one place Palette JSON becomes SDK objects and timestamps become `Date`s.
 * Exposed as zod transforms so a response that cannot be mapped is a `RESPONSE_INVALID` with issues.
 */
import { parseISO, isValid } from "date-fns";
import { z } from "zod";
import {
  ApiKeyCreateResponseWire,
  ApiKeyListWire,
  ApiKeyWire,
  UserInfoWire,
  UserListWire,
  UserSummaryListWire,
  UserTokenWire,
  UserWire,
  type ApiKeyWire as ApiKeyWireType,
  type UserSummaryWire as UserSummaryWireType,
  type UserWire as UserWireType,
} from "../wire";
import type { ApiKey, User, UserInfo } from "../model";

/** An RFC 3339 timestamp as a Date; absent, empty and Go's zero time (`0001-01-01T00:00:00Z`) are null. */
export function parseWireDate(value: string | null | undefined): Date | null {
  if (value === undefined || value === null || value === "") return null;
  const date = rfc3339(value) ?? parseISO(value);
  if (!isValid(date) || date.getUTCFullYear() <= 1) return null;
  return date;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * The shape Palette writes (`2024-09-23T14:46:28.164Z`, or with an offset), computed as date-fns'
 * `parseISO` computes it, at a fifth of its cost: every key of a list carries three timestamps.
 * Anything else (other years, hour 24, out-of-range fields) is left to `parseISO`: undefined.
 */
function rfc3339(value: string): Date | undefined {
  const m = RFC3339.exec(value);
  if (m === null) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hours = Number(m[4]);
  const minutes = Number(m[5]);
  const seconds = parseFloat(m[6] ?? "");
  const leap = year % 400 === 0 || (year % 4 === 0 && year % 100 !== 0);
  const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (year < 1000 || day < 1 || day > days || hours > 23 || minutes > 59 || !(seconds < 60)) return undefined;
  const offsetMinutes = m[7] === undefined ? 0 : Number(m[9]);
  if (offsetMinutes > 59) return undefined;
  const offset = m[7] === undefined ? 0 : (m[7] === "+" ? -1 : 1) * (Number(m[8]) * 3_600_000 + offsetMinutes * 60_000);
  return new Date(Date.UTC(year, month - 1, day) + (hours * 3_600_000 + minutes * 60_000 + seconds * 1000) + offset);
}

/** Maps a `v1ApiKey`; null when it has no uid (the only field a key cannot do without). */
export function toApiKey(w: ApiKeyWireType): ApiKey | null {
  const uid = w.metadata.uid;
  if (uid === undefined || uid === "") return null;
  const annotations = { ...(w.metadata.annotations ?? {}) };
  const user = w.spec?.user;
  return {
    uid,
    name: w.metadata.name ?? "",
    description: annotations["description"] ?? "",
    expiresAt: parseWireDate(w.spec?.expiry),
    // Go's omitempty drops `isActive: false`, so absence means inactive.
    active: w.status?.isActive ?? false,
    user: {
      uid: user?.uid ?? annotations["ownerUid"] ?? "",
      firstName: user?.firstName ?? "",
      lastName: user?.lastName ?? "",
    },
    createdAt: parseWireDate(w.metadata.creationTimestamp),
    updatedAt: parseWireDate(w.metadata.lastModifiedTimestamp),
    annotations: Object.freeze(annotations),
  };
}

/** Maps a `v1User`; null without uid. */
export function toUser(w: UserWireType): User | null {
  return userOf(w, [...(w.spec?.roles ?? [])]);
}

/** Maps a `v1UserSummary` (roles there are `{name, uid}` objects) to a `User`; null without uid. */
export function userFromSummary(w: UserSummaryWireType): User | null {
  return userOf(w, (w.spec?.roles ?? []).map((r) => r.name ?? r.uid ?? "").filter((r) => r !== ""));
}

/** What a user record and a user summary share; they differ only in how roles are spelled. */
function userOf(w: UserWireType | UserSummaryWireType, roles: string[]): User | null {
  const uid = w.metadata.uid;
  if (uid === undefined || uid === "") return null;
  return {
    uid,
    name: w.metadata.name ?? "",
    email: w.spec?.emailId ?? "",
    firstName: w.spec?.firstName ?? "",
    lastName: w.spec?.lastName ?? "",
    roles,
    active: w.status?.isActive ?? false,
    createdAt: parseWireDate(w.metadata.creationTimestamp),
  };
}

type IssueSink = { issues: { push(issue: { code: "custom"; message: string; input: unknown; path: PropertyKey[] }): void } };

/** Maps every item, reporting unmappable ones as issues at `<prefix>.<index>.metadata.uid`. */
function mapAll<I, O>(items: readonly I[], map: (w: I) => O | null, what: string, ctx: IssueSink, prefix: PropertyKey[]): O[] {
  const out: O[] = [];
  items.forEach((w, i) => {
    const m = map(w);
    if (m === null) ctx.issues.push({ code: "custom", message: `${what} without metadata.uid`, input: w, path: [...prefix, i, "metadata", "uid"] });
    else out.push(m);
  });
  return out;
}

function mapOne<I, O>(w: I, map: (w: I) => O | null, what: string, ctx: IssueSink): O {
  const m = map(w);
  if (m === null) {
    ctx.issues.push({ code: "custom", message: `${what} without metadata.uid`, input: w, path: ["metadata", "uid"] });
    return z.NEVER;
  }
  return m;
}

/** Response schemas that yield domain objects. */
export const ApiKeyResponse = ApiKeyWire.transform((w, ctx) => mapOne(w, toApiKey, "API key", ctx));
export const ApiKeyListResponse = ApiKeyListWire.transform((w, ctx) =>
  mapAll(w.items ?? [], toApiKey, "API key", ctx, ["items"]),
);
export const UserResponse = UserWire.transform((w, ctx) => mapOne(w, toUser, "user", ctx));
export const UserPageResponse = UserListWire.transform((w, ctx) => ({
  items: mapAll(w.items ?? [], toUser, "user", ctx, ["items"]),
  continueToken: w.listmeta?.continue ?? "",
}));
export const UserSummaryListResponse = UserSummaryListWire.transform((w, ctx) =>
  mapAll(w.items ?? [], userFromSummary, "user", ctx, ["items"]),
);
export const UserInfoResponse = UserInfoWire.transform(
  (w): UserInfo => ({ userUid: w.userUid, tenantUid: w.tenantUid, orgName: w.orgName ?? "" }),
);
export const CreateResponse = ApiKeyCreateResponseWire.transform((w) => ({
  value: w.apiKey,
  uid: w.uid === undefined || w.uid === "" ? undefined : w.uid,
}));
export const TokenResponse = UserTokenWire.transform((w) => w.Authorization);
