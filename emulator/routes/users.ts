/**
 * The user endpoints the SDK and the providers read (who am I, find by email, list with filters
 * and paging), answered as the documented responses are.
 */
import {
  UsersSummarySpecWire,
  type FilterStringWire,
  type ListMetaWire,
  type UserInfoWire,
  type UserListWire,
  type UserSummaryListWire,
  type UsersMetaWire,
} from "../../sdk/wire";
import { invalidRequest, schemaViolation, userNotFound } from "../http-error";
import { authorize } from "../permissions";
import type { RequestContext, Route } from "../router";
import type { StoredUser } from "../store";
import { fullName, userToSummaryWire, userToWire } from "../wire-format";
import type { RouteDeps } from "./deps";

/** "Default and maximum value of the limit is 50" (spec, `GET /v1/users`). */
const MAX_PAGE = 50;

/** `/v1/users/info`, `/v1/users`, `/v1/users/meta`, `/v1/users/summary`, `/v1/users/{uid}`. */
export function userRoutes({ store }: RouteDeps): Route[] {
  const admin = (ctx: RequestContext): StoredUser => {
    const caller = ctx.authenticate().user;
    // Listing users is tenant-admin only; the owner argument is irrelevant for an "any"/"none" reach.
    authorize(caller, "user.list", "");
    return caller;
  };

  return [
    {
      method: "GET",
      pattern: "/v1/users/info",
      handle: (ctx) => {
        const caller = ctx.authenticate().user;
        const body: UserInfoWire = { orgName: store.tenant.orgName, tenantUid: store.tenant.uid, userUid: caller.uid };
        return { status: 200, body };
      },
    },
    {
      method: "GET",
      pattern: "/v1/users",
      handle: (ctx) => {
        admin(ctx);
        const users = store.listUsers();
        const { offset, limit } = pageOf(ctx.query);
        const items = users.slice(offset, limit === 0 ? undefined : offset + limit);
        const next = offset + items.length;
        const listmeta: ListMetaWire = {
          continue: limit !== 0 && next < users.length ? continueToken(next, users.length) : "",
          count: users.length,
          limit,
          offset,
        };
        const body: UserListWire = { items: items.map((u) => userToWire(u, store.tenant)), listmeta };
        return { status: 200, body };
      },
    },
    {
      method: "GET",
      pattern: "/v1/users/meta",
      handle: (ctx) => {
        admin(ctx);
        const body: UsersMetaWire = {
          items: store.listUsers().map((u) => ({ emailId: u.email, name: fullName(u), uid: u.uid })),
        };
        return { status: 200, body };
      },
    },
    {
      method: "POST",
      pattern: "/v1/users/summary",
      handle: (ctx) => {
        admin(ctx);
        const parsed = UsersSummarySpecWire.safeParse(ctx.json());
        if (!parsed.success) throw schemaViolation("v1UsersSummarySpec", parsed.error);
        const { filter, sort } = parsed.data;
        const users = store
          .listUsers()
          .filter((u) => passes(filter?.emailId, u.email) && passes(filter?.name, fullName(u)));
        for (const s of [...(sort ?? [])].reverse()) {
          const dir = s.order === "desc" ? -1 : 1;
          if (s.field === "name") users.sort((a, b) => dir * fullName(a).localeCompare(fullName(b)));
          else if (s.field === "creationTimestamp") users.sort((a, b) => dir * (a.createdAt.getTime() - b.createdAt.getTime()));
        }
        const body: UserSummaryListWire = { items: users.map((u) => userToSummaryWire(u, store.tenant)) };
        return { status: 200, body };
      },
    },
    {
      method: "GET",
      pattern: "/v1/users/:uid",
      handle: (ctx) => {
        const caller = ctx.authenticate().user;
        const uid = ctx.params.uid ?? "";
        authorize(caller, "user.get", uid);
        const user = store.getUser(uid);
        if (user === undefined) throw userNotFound(uid);
        return { status: 200, body: userToWire(user, store.tenant) };
      },
    },
  ];
}

function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  if (!/^\d+$/.test(raw)) {
    throw invalidRequest(`Query parameter '${name}' must be a non-negative integer`, [{ field: name, message: "must be a non-negative integer" }]);
  }
  return Number(raw);
}

/** `limit` (0 = everything, capped at 50), then `offset`, which a `continue` token overrides. */
function pageOf(query: URLSearchParams): { offset: number; limit: number } {
  const limit = Math.min(intParam(query, "limit") ?? MAX_PAGE, MAX_PAGE);
  let offset = intParam(query, "offset") ?? 0;
  const token = query.get("continue");
  if (token !== null && token !== "") offset = offsetFromToken(token);
  return { offset, limit };
}

/** Palette's continue token: base64 of `{"offset":N,"count":N,"token":""}` (from the docs' example). */
function continueToken(offset: number, count: number): string {
  return Buffer.from(JSON.stringify({ offset, count, token: "" }), "utf8").toString("base64");
}

function offsetFromToken(token: string): number {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, "base64").toString("utf8"));
    const offset = (decoded as { offset?: unknown } | null)?.offset;
    if (typeof offset === "number" && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through to the 400
  }
  throw invalidRequest("Query parameter 'continue' is not a token this server issued", [{ field: "continue", message: "invalid token" }]);
}

/** `v1FilterString`: every condition given must hold; `ignoreCase` defaults to true. */
function passes(filter: FilterStringWire | undefined, value: string): boolean {
  if (filter === undefined) return true;
  const fold = (s: string) => (filter.ignoreCase === false ? s : s.toLowerCase());
  const v = fold(value);
  const is = (s: string | null | undefined, test: (want: string) => boolean) => s === undefined || s === null || test(fold(s));
  return (
    is(filter.eq, (w) => v === w) &&
    is(filter.ne, (w) => v !== w) &&
    is(filter.contains, (w) => v.includes(w)) &&
    is(filter.beginsWith, (w) => v.startsWith(w))
  );
}
