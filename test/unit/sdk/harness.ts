import { ApiKeyAuthenticator, SessionAuthenticator, StaticTokenAuthenticator, type Authenticator } from "../../../sdk/core/auth";
import { startCall, type Call } from "../../../sdk/core/call";
import { RatePacer, type RateLimit } from "../../../sdk/core/rate-limiter";
import { SecretRegistry } from "../../../sdk/core/redact";
import { RequestPipeline } from "../../../sdk/core/request";
import type { RetryPolicy } from "../../../sdk/core/retry-policy";
import type { PaletteLogEvent } from "../../../sdk/config";
import { TransportFailure, type HttpRequest, type HttpResponse } from "../../../sdk/http/transport";
import { ApiKeysResource } from "../../../sdk/resources/api-keys";
import { PasswordExchange } from "../../../sdk/resources/auth";
import type { ResourceContext } from "../../../sdk/resources/context";
import { UsersResource } from "../../../sdk/resources/users";
import { isPaletteError, type PaletteError, type PaletteResource } from "../../../sdk";
import { FakeClock } from "./fake-clock";

export type SentRequest = Omit<HttpRequest, "dispatcher">;
export type Handler = (req: SentRequest) => HttpResponse | TransportFailure | Promise<HttpResponse | TransportFailure>;

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: body === undefined ? "" : JSON.stringify(body),
});
export const noContent = (): HttpResponse => ({ status: 204, headers: {}, body: "" });
export const v1Error = (status: number, code: string, message = code, headers: Record<string, string> = {}): HttpResponse =>
  json(status, { code, message, ref: "ref-000000000000000000000001" }, headers);

export interface HarnessOptions {
  readonly handler: Handler;
  readonly auth?: { apiKey: string } | { token: string } | { username: string; password: string };
  readonly retry?: RetryPolicy | false;
  readonly rateLimit?: RateLimit | false;
  readonly projectUid?: string;
  readonly now?: () => Date;
  readonly timeoutMs?: number;
  readonly deadlineMs?: number;
  /** @default a new FakeClock */
  readonly clock?: FakeClock;
}

/** A pipeline and resources over an in-process handler and virtual time: no sockets, no waiting. */
export function harness(o: HarnessOptions) {
  const clock = o.clock ?? new FakeClock();
  const secrets = new SecretRegistry();
  const sent: SentRequest[] = [];
  const events: PaletteLogEvent[] = [];
  const defaults = { timeoutMs: o.timeoutMs ?? 1_000, deadlineMs: o.deadlineMs ?? 60_000 };
  const begin = (op: string, opts?: { signal?: AbortSignal; timeoutMs?: number; deadlineMs?: number }, resource?: PaletteResource): Call =>
    startCall(op, clock.nowMs(), defaults, opts, resource);
  const late: { pipeline?: RequestPipeline } = {};
  const ctx: ResourceContext = {
    get pipeline() {
      return late.pipeline!;
    },
    startCall: (resource, op, opts) => begin(op, opts, resource),
  };
  const now = o.now ?? (() => new Date("2025-01-01T00:00:00Z"));
  const auth = o.auth ?? { apiKey: "test-api-key-0000000000000000000" };
  let authenticator: Authenticator;
  if ("apiKey" in auth) {
    secrets.addFixed(auth.apiKey);
    authenticator = new ApiKeyAuthenticator(auth.apiKey);
  } else if ("token" in auth) {
    secrets.addFixed(auth.token);
    authenticator = new StaticTokenAuthenticator(auth.token);
  } else {
    secrets.addFixed(auth.password);
    authenticator = new SessionAuthenticator({
      exchange: new PasswordExchange(ctx, auth),
      now,
      clock,
      backgroundCall: (op) => begin(op),
      onToken: (t) => secrets.add(t),
    });
  }
  late.pipeline = new RequestPipeline({
    baseUrl: "https://palette.test",
    userAgent: "test",
    projectUid: o.projectUid,
    retry: o.retry ?? { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100 },
    clock,
    pacer: new RatePacer(o.rateLimit ?? false, clock),
    auth: authenticator,
    secrets,
    now,
    logger: (e) => events.push(e),
    send: async (req) => {
      sent.push(req);
      const r = await o.handler(req);
      if (r instanceof TransportFailure) throw r;
      return r;
    },
  });
  let me: Promise<{ userUid: string; tenantUid: string; orgName: string }> | undefined;
  const users = new UsersResource(ctx);
  const apiKeys = new ApiKeysResource({
    ctx,
    clock,
    retry: o.retry ?? { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 100 },
    now,
    whoAmI: (call) => (me ??= users.meIn(call)),
    onKeyValue: (v) => secrets.add(v),
  });
  return { clock, secrets, sent, events, pipeline: late.pipeline, begin, users, apiKeys, authenticator };
}

/** Request path without query. */
export const pathOf = (req: SentRequest): string => new URL(req.url).pathname;

/** The PaletteError `p` rejects with (anything else fails the test). */
export async function failure(p: Promise<unknown>): Promise<PaletteError> {
  const e: unknown = await p.then(() => undefined, (x: unknown) => x);
  if (!isPaletteError(e)) throw new Error(`expected a PaletteError, got ${String(e)}`);
  return e;
}
