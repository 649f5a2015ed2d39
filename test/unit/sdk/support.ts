/**
 * What the SDK's unit tests share: virtual time (FakeClock, TimelineClock), a harness that wires the
 * request pipeline and the resources to an in-process handler, and the error context the error-module
 * tests build their errors in.
 */
import { ApiKeyAuthenticator, SessionAuthenticator, StaticTokenAuthenticator, type Authenticator } from "../../../sdk/core/auth";
import { startCall, type Call } from "../../../sdk/core/call";
import type { Clock } from "../../../sdk/core/clock";
import type { ErrorContext } from "../../../sdk/core/error-context";
import { RatePacer, type RateLimit } from "../../../sdk/core/rate-limiter";
import { redactSecrets, SecretRegistry } from "../../../sdk/core/redact";
import { RequestPipeline } from "../../../sdk/core/request";
import type { RetryPolicy } from "../../../sdk/core/retry-policy";
import type { PaletteLogEvent } from "../../../sdk/config";
import { TransportFailure, type HttpRequest, type HttpResponse } from "../../../sdk/http/transport";
import { ApiKeysResource } from "../../../sdk/resources/api-keys";
import { PasswordExchange } from "../../../sdk/resources/auth";
import type { ResourceContext } from "../../../sdk/resources/context";
import { UsersResource } from "../../../sdk/resources/users";
import { isPaletteError, type PaletteError, type PaletteResource } from "../../../sdk";

/**
 * Virtual time for pipeline tests: `sleep(ms)` resolves at once and moves time to at least
 * `start + ms`, so concurrent sleepers see a consistent timeline and nothing really waits.
 */
export class FakeClock implements Clock {
  now = 1_000_000;
  readonly sleeps: number[] = [];
  constructor(private readonly randomValue = 0.5) {}
  nowMs(): number {
    return this.now;
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) throw signal.reason;
    const start = this.now;
    this.sleeps.push(ms);
    await Promise.resolve();
    // An abort may have happened while we yielded.
    if (aborted(signal)) throw signal?.reason;
    this.now = Math.max(this.now, start + ms);
  }
  random(): number {
    return this.randomValue;
  }
}

function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly wake: () => void;
}

/**
 * Virtual time that moves only in `run`: sleepers wake one at a time, in time order, each after
 * everything already runnable has run. Unlike `FakeClock` (where every sleep ends at once), what a
 * test reads from `nowMs()` is when a thing would really have happened, so it can check a schedule.
 */
export class TimelineClock extends FakeClock {
  private timers: Timer[] = [];
  private seq = 0;

  constructor() {
    super();
    this.now = 0;
  }

  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      const timer: Timer = {
        at: this.now + Math.max(0, ms),
        seq: (this.seq += 1),
        wake: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.timers.push(timer);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Drives time until `work` settles; fails if it waits on nothing this clock can wake. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.finally(() => {
      settled = true;
    });
    for (;;) {
      // setImmediate runs after every pending promise job: all that can run at `now` has run.
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return done;
      const next = this.timers.reduce<Timer | undefined>((a, t) => (a === undefined || t.at < a.at || (t.at === a.at && t.seq < a.seq) ? t : a), undefined);
      if (next === undefined) throw new Error("the work waits on something other than this clock");
      this.timers = this.timers.filter((t) => t !== next);
      this.now = next.at;
      next.wake();
    }
  }
}

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

/**
 * The error context of response-errors.test.ts and transport-errors.test.ts, which test the two halves
 * of what was one module: a GET of one API key (a call of the API-key resource) with an API key as
 * credential, redacting one known secret.
 */
export const SECRET = "QMOI1ZVKVIoW6LM6uXqSWFPsjmt0juvl";

export function ctx(over: Partial<ErrorContext> = {}): ErrorContext {
  return {
    operation: "apiKeys.get",
    resource: "API key",
    method: "GET",
    path: "/v1/apiKeys/66e844c44bab2337f20c7471",
    attempts: 1,
    auth: "apiKey",
    baseUrl: "https://api.spectrocloud.com",
    timeoutMs: 30_000,
    deadlineMs: 120_000,
    redact: (t) => redactSecrets(t, [SECRET]),
    ...over,
  };
}
