/** `client.users`: who the caller is, and finding the users keys can be made for. */
import { paths, UsersSummarySpecWire } from "../wire";
import type { RequestOptions } from "../config";
import type { Call } from "../core/call";
import { sdkError } from "../core/error-context";
import type { PaletteError, PaletteResource } from "../errors";
import type { User, UserInfo } from "../model";
import { UserInfoResponse, UserPageResponse, UserResponse, UserSummaryListResponse } from "./mapping";
import type { ResourceContext } from "./context";

/** What this module's calls handle: the noun their errors use. */
const RESOURCE: PaletteResource = "user";

/** Palette's maximum page size for `GET /v1/users`. */
export const USERS_PAGE_SIZE = 50;
/** A guard against a server that never ends a listing. */
export const MAX_USER_PAGES = 1_000;

export interface UsersApi {
  /** The caller (`GET /v1/users/info`). */
  me(options?: RequestOptions): Promise<UserInfo>;
  /** Every user of the tenant, following `listmeta.continue` across pages (tenant admins only). */
  list(options?: RequestOptions): Promise<User[]>;
  /** One user by uid; `NOT_FOUND` when unknown. */
  get(uid: string, options?: RequestOptions): Promise<User>;
  /** The one user with this email (case-insensitive); `NOT_FOUND` for none, `CONFLICT` for several. */
  findByEmail(email: string, options?: RequestOptions): Promise<User>;
}

export class UsersResource implements UsersApi {
  constructor(private readonly ctx: ResourceContext) {}

  me(options?: RequestOptions): Promise<UserInfo> {
    return this.meIn(this.ctx.startCall(RESOURCE, "users.me", options));
  }

  /** `me` within another call's budget. */
  meIn(call: Call): Promise<UserInfo> {
    return this.ctx.pipeline.send(call, { method: "GET", path: paths.usersInfo(), response: UserInfoResponse, mode: "retry" });
  }

  async list(options?: RequestOptions): Promise<User[]> {
    const call = this.ctx.startCall(RESOURCE, "users.list", options);
    const users: User[] = [];
    const seen = new Set<string>();
    let token = "";
    for (let page = 0; page < MAX_USER_PAGES; page += 1) {
      const res = await this.ctx.pipeline.send(call, {
        method: "GET",
        path: paths.users(),
        query: { limit: String(USERS_PAGE_SIZE), ...(token !== "" && { continue: token }) },
        response: UserPageResponse,
        mode: "retry",
      });
      users.push(...res.items);
      // An empty token ends the result set (Palette docs, "Pagination").
      if (res.continueToken === "") return users;
      if (seen.has(res.continueToken)) throw this.endlessListing(call, "repeated a continue token");
      seen.add(res.continueToken);
      token = res.continueToken;
    }
    throw this.endlessListing(call, `did not end after ${MAX_USER_PAGES} pages`);
  }

  get(uid: string, options?: RequestOptions): Promise<User> {
    const call = this.ctx.startCall(RESOURCE, "users.get", options);
    return this.ctx.pipeline.send(call, { method: "GET", path: paths.user(uid), response: UserResponse, mode: "retry" });
  }

  async findByEmail(email: string, options?: RequestOptions): Promise<User> {
    const call = this.ctx.startCall(RESOURCE, "users.findByEmail", options);
    const path = paths.usersSummary();
    const body = this.ctx.pipeline.validateBody(call, "POST", path, UsersSummarySpecWire, {
      filter: { emailId: { eq: email, ignoreCase: true } },
    });
    // A search has no side effects, so this POST is retried like a GET.
    const found = await this.ctx.pipeline.send(call, { method: "POST", path, body, response: UserSummaryListResponse, mode: "retry", changesPalette: false });
    // Filter again: the server's "eq" semantics are not documented beyond the field name.
    const exact = found.filter((u) => u.email.toLowerCase() === email.toLowerCase());
    const matches = exact.length > 0 ? exact : found;
    const [only, ...rest] = matches;
    const ectx = this.ctx.pipeline.context(call, "POST", path, 1);
    if (only === undefined)
      throw sdkError("NOT_FOUND", `no user with email ${email}`, "Check the address, or invite the user to the tenant first.", ectx);
    if (rest.length > 0)
      throw sdkError("CONFLICT", `${matches.length} users match email ${email}`, "Use the user's uid instead.", ectx);
    return only;
  }

  private endlessListing(call: Call, what: string): PaletteError {
    const ectx = this.ctx.pipeline.context(call, "GET", paths.users(), 1);
    return sdkError("RESPONSE_INVALID", `the listing ${what}`, "Palette's pagination misbehaved; please report it.", ectx);
  }
}
