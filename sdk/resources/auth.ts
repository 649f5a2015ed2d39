/** `client.auth`, and the token exchange a password session runs on. */
import { AuthLoginWire, paths } from "../wire";
import type { RequestOptions } from "../config";
import type { TokenExchange } from "../core/auth";
import type { Call } from "../core/call";
import { TokenResponse } from "./mapping";
import type { ResourceContext } from "./context";

/** Session control. Both are no-ops for API-key and static-token auth. */
export interface AuthApi {
  /** Logs in now (`POST /v1/auth/authenticate`); later calls use the new token. */
  login(options?: RequestOptions): Promise<void>;
  /** Refreshes the token now (`GET /v1/auth/refresh/{token}`), logging in when there is none or it was refused. */
  refresh(options?: RequestOptions): Promise<void>;
}

/** Wire calls of a password session. Login and refresh have no side effects, so both are retried. */
export class PasswordExchange implements TokenExchange {
  constructor(
    private readonly ctx: ResourceContext,
    private readonly credentials: { readonly username: string; readonly password: string; readonly org?: string },
  ) {}

  authenticate(call: Call): Promise<string> {
    const path = paths.authenticate();
    const body = this.ctx.pipeline.validateBody(call, "POST", path, AuthLoginWire, {
      emailId: this.credentials.username,
      password: this.credentials.password,
      ...(this.credentials.org !== undefined && this.credentials.org !== "" && { org: this.credentials.org }),
    });
    return this.ctx.pipeline.send(call, {
      method: "POST",
      path,
      query: { setCookie: "false" },
      body,
      response: TokenResponse,
      mode: "retry",
      authenticated: false,
      hints: { login: true },
    });
  }

  refresh(token: string, call: Call): Promise<string> {
    return this.ctx.pipeline.send(call, {
      method: "GET",
      path: paths.authRefresh(token),
      displayPath: "/v1/auth/refresh/{token}",
      query: { setCookie: "false" },
      response: TokenResponse,
      mode: "retry",
      authenticated: false,
    });
  }
}
