/**
 * The login and token-refresh endpoints.
 */
import { AuthLoginWire, type UserTokenWire } from "../../sdk/wire";
import { schemaViolation } from "../http-error";
import type { Route } from "../router";
import type { RouteDeps } from "./deps";

/** `/v1/auth/authenticate` and `/v1/auth/refresh/{token}`; neither needs credentials in headers. */
export function authRoutes({ auth }: RouteDeps): Route[] {
  const tokenReply = (token: string) => ({ status: 200, body: { Authorization: token, isMfa: false } satisfies UserTokenWire });
  return [
    {
      method: "POST",
      pattern: "/v1/auth/authenticate",
      handle: (ctx) => {
        const parsed = AuthLoginWire.safeParse(ctx.json());
        if (!parsed.success) throw schemaViolation("v1AuthLogin", parsed.error);
        return tokenReply(auth.login(parsed.data.emailId, parsed.data.password, parsed.data.org));
      },
    },
    {
      method: "GET",
      pattern: "/v1/auth/refresh/:token",
      handle: (ctx) => tokenReply(auth.refresh(ctx.params.token ?? "")),
    },
  ];
}
