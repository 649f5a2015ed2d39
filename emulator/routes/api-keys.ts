/**
 * The API-key endpoints: list, get, create, update, revoke/re-activate, delete, with the real API's
 * validation, limits and permission rules.
 */
import {
  ApiKeyActiveStateWire,
  ApiKeyEntityWire,
  ApiKeyUpdateWire,
  type ApiKeyCreateResponseWire,
  type ApiKeyListWire,
} from "../../sdk/wire";
import { HttpError, invalidRequest, keyNotFound, schemaViolation, userNotFound } from "../http-error";
import { newSecret, newUid } from "../ids";
import { authorize, isAllowed } from "../permissions";
import type { RequestContext, Route } from "../router";
import { hashKeyValue } from "../secrets";
import type { StoredKey } from "../store";
import { apiKeyToWire } from "../wire-format";
import { isRecord, type RouteDeps } from "./deps";

const invalidExpiry = (message: string): HttpError =>
  new HttpError(400, "InvalidExpiry", message, [{ field: "spec.expiry", message }]);

const keyExpired = (key: StoredKey): HttpError =>
  new HttpError(
    400,
    "ApiKeyExpired",
    `API key '${key.uid}' expired at ${key.expiresAt.toISOString()}; an expired key cannot be re-activated or re-dated: create a new key`,
  );

const isExpired = (key: StoredKey, now: Date): boolean => key.expiresAt.getTime() <= now.getTime();

/** Palette requires an expiry (strict where the real server is undocumented): say so before generic schema errors. */
function requireExpiry(body: unknown): void {
  // Bodies that are not even objects get the generic schema error instead.
  if (!isRecord(body)) return;
  const spec = body.spec;
  if (spec === undefined || (isRecord(spec) && spec.expiry === undefined)) {
    throw invalidExpiry("spec.expiry is required: send an RFC 3339 instant in the future");
  }
}

function futureExpiry(expiry: string, now: Date): Date {
  const at = new Date(expiry);
  if (at.getTime() <= now.getTime()) {
    throw invalidExpiry(`spec.expiry ${expiry} is not in the future (server time ${now.toISOString()})`);
  }
  return at;
}

function alreadyExists(name: string): HttpError {
  return new HttpError(409, "AlreadyExists", `An API key named '${name}' already exists for this user: choose another name`);
}

/** `/v1/apiKeys` and `/v1/apiKeys/{uid}[/state]`, with the seeds' permission table. */
export function apiKeyRoutes(deps: RouteDeps): Route[] {
  const { store, settings } = deps;

  const existingKey = (ctx: RequestContext): StoredKey => {
    const uid = ctx.params.uid ?? "";
    const key = store.getKey(uid);
    if (key === undefined) throw keyNotFound(uid);
    return key;
  };

  const setActive = (ctx: RequestContext) => {
    const caller = ctx.authenticate().user;
    const key = existingKey(ctx);
    authorize(caller, "apiKey.update", key.ownerUid);
    const parsed = ApiKeyActiveStateWire.safeParse(ctx.json());
    if (!parsed.success) throw schemaViolation("v1ApiKeyActiveState", parsed.error);
    // Go callers omit `false` (omitempty): a missing flag means revoke.
    const active = parsed.data.isActive ?? false;
    if (active && isExpired(key, ctx.now)) throw keyExpired(key);
    store.updateKey(key.uid, ctx.now, (k) => {
      k.active = active;
    });
    return { status: 204 };
  };

  return [
    {
      method: "GET",
      pattern: "/v1/apiKeys",
      handle: (ctx) => {
        const caller = ctx.authenticate().user;
        const items = store
          .listKeys()
          .filter((k) => isAllowed(caller, "apiKey.list", k.ownerUid))
          .map((k) => apiKeyToWire(k, store.getUser(k.ownerUid), store.tenant));
        return { status: 200, body: { items } satisfies ApiKeyListWire };
      },
    },
    {
      method: "POST",
      pattern: "/v1/apiKeys",
      handle: (ctx) => {
        const caller = ctx.authenticate().user;
        const body = ctx.json();
        requireExpiry(body);
        const parsed = ApiKeyEntityWire.safeParse(body);
        if (!parsed.success) throw schemaViolation("v1ApiKeyEntity", parsed.error);
        const { metadata, spec } = parsed.data;
        const ownerUid = spec.userUid ?? caller.uid;
        authorize(caller, "apiKey.create", ownerUid);
        const owner = store.getUser(ownerUid);
        if (owner === undefined) throw userNotFound(ownerUid);
        if (!owner.active) {
          const message = `User '${owner.email}' is disabled: a key for it could not authenticate; enable the user first`;
          throw invalidRequest(message, [{ field: "spec.userUid", message: "the user is disabled" }]);
        }
        const expiresAt = futureExpiry(spec.expiry, ctx.now);
        const owned = store.keysOf(ownerUid);
        if (owned.some((k) => k.name === metadata.name)) throw alreadyExists(metadata.name);
        if (owned.length >= settings.keyLimitPerUser) {
          throw new HttpError(
            400,
            "ResourceLimitExceeded",
            `User '${owner.email}' already has ${owned.length} API keys, the tenant's limit of ${settings.keyLimitPerUser} per user: ` +
              "delete unused keys, or have a tenant admin raise the apiKey resource limit (PATCH /v1/tenants/{tenantUid}/resourceLimits)",
          );
        }
        const value = newSecret();
        const key: StoredKey = {
          uid: newUid(),
          name: metadata.name,
          description: metadata.annotations?.description ?? "",
          ownerUid,
          expiresAt,
          active: true,
          createdAt: ctx.now,
          updatedAt: ctx.now,
          valueHash: hashKeyValue(value),
          seeded: false,
        };
        store.putKey(key);
        const reply: ApiKeyCreateResponseWire = {
          apiKey: value,
          uid: settings.createResponseUid === "key" ? key.uid : ownerUid,
        };
        return { status: 201, body: reply };
      },
    },
    {
      method: "GET",
      pattern: "/v1/apiKeys/:uid",
      handle: (ctx) => {
        const caller = ctx.authenticate().user;
        const key = existingKey(ctx);
        authorize(caller, "apiKey.get", key.ownerUid);
        return { status: 200, body: apiKeyToWire(key, store.getUser(key.ownerUid), store.tenant) };
      },
    },
    {
      method: "PUT",
      pattern: "/v1/apiKeys/:uid",
      handle: (ctx) => {
        const caller = ctx.authenticate().user;
        const key = existingKey(ctx);
        authorize(caller, "apiKey.update", key.ownerUid);
        const body = ctx.json();
        if (isRecord(body) && isRecord(body.spec) && "userUid" in body.spec) {
          const message = "API keys cannot be reassigned to another user: remove spec.userUid (create a new key for that user instead)";
          throw invalidRequest(message, [{ field: "spec.userUid", message: "not allowed: a key's owner cannot change" }]);
        }
        requireExpiry(body);
        const parsed = ApiKeyUpdateWire.safeParse(body);
        if (!parsed.success) throw schemaViolation("v1ApiKeyUpdate", parsed.error);
        if (isExpired(key, ctx.now)) throw keyExpired(key);
        const { metadata, spec } = parsed.data;
        const expiresAt = futureExpiry(spec.expiry, ctx.now);
        if (store.keysOf(key.ownerUid).some((k) => k.uid !== key.uid && k.name === metadata.name)) {
          throw alreadyExists(metadata.name);
        }
        store.updateKey(key.uid, ctx.now, (k) => {
          k.name = metadata.name;
          // A full replacement: a description left out is cleared, as the UI's form would.
          k.description = metadata.annotations?.description ?? "";
          k.expiresAt = expiresAt;
        });
        return { status: 204 };
      },
    },
    {
      method: "DELETE",
      pattern: "/v1/apiKeys/:uid",
      handle: (ctx) => {
        const caller = ctx.authenticate().user;
        const key = existingKey(ctx);
        authorize(caller, "apiKey.delete", key.ownerUid);
        store.deleteKey(key.uid);
        return { status: 204 };
      },
    },
    { method: "PATCH", pattern: "/v1/apiKeys/:uid", handle: setActive },
    { method: "PUT", pattern: "/v1/apiKeys/:uid/state", handle: setActive },
  ];
}
