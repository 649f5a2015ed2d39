/** `PaletteClient`: wires options, transport, pipeline, authentication and resources together. */
import { createDispatcher, sendHttp, type Dispatcher } from "./http/transport";
import { resolveOptions, type PaletteClientOptions, type RequestOptions, type ResolvedOptions } from "./config";
import { ApiKeyAuthenticator, SessionAuthenticator, StaticTokenAuthenticator, type Authenticator } from "./core/auth";
import { startCall, type Call } from "./core/call";
import { realClock, type Clock } from "./core/clock";
import { RatePacer } from "./core/rate-limiter";
import { SecretRegistry } from "./core/redact";
import { RequestPipeline } from "./core/request";
import type { PaletteResource } from "./errors";
import type { UserInfo } from "./model";
import { ApiKeysResource, type ApiKeysApi } from "./resources/api-keys";
import { PasswordExchange, type AuthApi } from "./resources/auth";
import type { ResourceContext } from "./resources/context";
import { UsersResource, type UsersApi } from "./resources/users";

/**
 * A typed client for Palette's API-key, user and auth endpoints.
 *
 * @example
 * const client = new PaletteClient({ host: "api.spectrocloud.com", auth: { apiKey: process.env.SPECTROCLOUD_APIKEY! } });
 * const { apiKey, value } = await client.apiKeys.create({ name: "ci", expiresAt: addDays(new Date(), 30) });
 * await client.close();
 */
export class PaletteClient {
  /** The normalized API base, e.g. `https://api.spectrocloud.com`. */
  readonly baseUrl: string;
  readonly apiKeys: ApiKeysApi;
  readonly users: UsersApi;
  readonly auth: AuthApi;

  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private closed = false;

  constructor(options: PaletteClientOptions) {
    const resolved = resolveOptions(options);
    const clock: Clock = realClock;
    this.baseUrl = resolved.baseUrl;
    this.ownsDispatcher = resolved.dispatcher === undefined;
    this.dispatcher = resolved.dispatcher ?? createDispatcher();

    const secrets = new SecretRegistry();
    const begin = (operation: string, o?: RequestOptions, resource?: PaletteResource): Call => startCall(operation, clock.nowMs(), resolved, o, resource);
    const dispatcher = this.dispatcher;

    // The pipeline needs the authenticator and a session authenticator needs the pipeline: tie the knot late.
    const late: { pipeline?: RequestPipeline } = {};
    const context: ResourceContext = {
      get pipeline(): RequestPipeline {
        if (late.pipeline === undefined) throw new Error("PaletteClient used before construction finished");
        return late.pipeline;
      },
      startCall: (resource, operation, o) => begin(operation, o, resource),
    };
    const authenticator = makeAuthenticator(resolved, secrets, context, clock, begin);
    late.pipeline = new RequestPipeline({
      baseUrl: resolved.baseUrl,
      userAgent: resolved.userAgent,
      projectUid: resolved.projectUid,
      retry: resolved.retry,
      clock,
      pacer: new RatePacer(resolved.rateLimit, clock),
      auth: authenticator,
      secrets,
      send: (req) => sendHttp({ ...req, dispatcher }),
      isClosed: () => this.closed,
      now: resolved.now,
      ...(resolved.logger !== undefined && { logger: resolved.logger }),
    });

    const users = new UsersResource(context);
    let me: Promise<UserInfo> | undefined;
    this.users = users;
    this.apiKeys = new ApiKeysResource({
      ctx: context,
      clock,
      retry: resolved.retry,
      now: resolved.now,
      whoAmI: (call) => {
        // One identity per client; a failed lookup is not cached.
        me ??= users.meIn(call).catch((e: unknown) => {
          me = undefined;
          throw e;
        });
        return me;
      },
      onKeyValue: (value) => secrets.add(value),
    });
    this.auth = {
      login: (o) => authenticator.login(begin("auth.login", o)),
      refresh: (o) => authenticator.refresh(begin("auth.refresh", o)),
    };
  }

  /** Closes the connection pool if this client created it. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDispatcher) await this.dispatcher.close();
  }
}

function makeAuthenticator(
  o: ResolvedOptions,
  secrets: SecretRegistry,
  context: ResourceContext,
  clock: Clock,
  begin: (operation: string) => Call,
): Authenticator {
  const auth = o.auth;
  if ("apiKey" in auth) {
    secrets.addFixed(auth.apiKey);
    return new ApiKeyAuthenticator(auth.apiKey);
  }
  if ("token" in auth) {
    secrets.addFixed(auth.token);
    return new StaticTokenAuthenticator(auth.token);
  }
  secrets.addFixed(auth.password);
  return new SessionAuthenticator({
    exchange: new PasswordExchange(context, auth),
    now: o.now,
    clock,
    backgroundCall: begin,
    onToken: (token) => secrets.add(token),
    ...(o.logger !== undefined && {
      log: (message: string) => {
        try {
          o.logger?.({ type: "auth", operation: "auth", method: "", path: "", attempt: 0, message });
        } catch {
          // A logger must never break a call.
        }
      },
    }),
  });
}
