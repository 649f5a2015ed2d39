/**
 * The request pipeline: one `send` is one logical request of a call, made of attempts. Each attempt
 * is paced, authenticated, bounded in time and mapped to a domain value or a `PaletteError`;
 * retries follow the pure policy in `retry-policy.ts`.
 */
import { HEADER_PROJECT_UID, rateLimitPrefix } from "../wire";
import { PaletteError, type PaletteIssue } from "../errors";
import { TransportFailure, type HttpMethod, type HttpRequest, type HttpResponse } from "../http/transport";
import type { PaletteLogEvent } from "../config";
import type { Authenticator } from "./auth";
import type { Call } from "./call";
import { WaitInterrupted, type Clock } from "./clock";
import { invalidParamsError, sdkError, type ErrorContext, type ErrorHints } from "./error-context";
import { errorFromResponse, responseInvalidError } from "./response-errors";
import { errorFromTransport } from "./transport-errors";
import { DEFAULT_PAUSE_MS, type PaceSlot, type RatePacer } from "./rate-limiter";
import { parseRetryAfter } from "./retry-after";
import { backoffDelayMs, DEFAULT_RETRY_POLICY, shouldRetry, type AttemptOutcome, type RetryPolicy } from "./retry-policy";
import type { SecretRegistry } from "./redact";
import type { ParseSchema, SchemaError } from "./schema";

/** One logical request. */
export interface RequestSpec<T> {
  readonly method: HttpMethod;
  readonly path: string;
  /** What errors and logs show instead of `path` (when the path holds a secret). */
  readonly displayPath?: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Already validated against its strict wire schema (see `validateBody`). */
  readonly body?: unknown;
  /** Parses a 2xx body into the result; absent when the answer has no body we need (204). */
  readonly response?: ParseSchema<T>;
  /**
   * `retry`: retried per policy (idempotent or side-effect-free requests).
   * `once`: at most one attempt that may reach Palette (a connect that never came up is retried like
   * any request, since nothing was sent); the caller decides what an ambiguous failure means (create).
   */
  readonly mode: "retry" | "once";
  /** Sends credentials (false for login and refresh). @default true */
  readonly authenticated?: boolean;
  /** A 404 after an earlier attempt that may have been applied counts as success (DELETE). */
  readonly notFoundAfterAmbiguousIsSuccess?: boolean;
  readonly hints?: ErrorHints;
  /**
   * Called as each attempt goes on the wire (after pacing and authentication): a caller sharing the
   * answer with others knows from then on that it describes Palette after that moment.
   */
  readonly onSend?: () => void;
  /**
   * Whether Palette may change anything on this request: then, once handed to the transport, the
   * call commits (see `Call.commit`) and the caller's signal no longer stops it. @default true for
   * every method but GET (a search sent as POST sets false: aborting it loses nothing)
   */
  readonly changesPalette?: boolean;
}

export interface PipelineDeps {
  readonly baseUrl: string;
  readonly userAgent: string;
  readonly projectUid: string | undefined;
  readonly retry: RetryPolicy | false;
  readonly clock: Clock;
  readonly pacer: RatePacer;
  readonly auth: Authenticator;
  readonly secrets: SecretRegistry;
  readonly send: (req: Omit<HttpRequest, "dispatcher">) => Promise<HttpResponse>;
  readonly now: () => Date;
  readonly logger?: (event: PaletteLogEvent) => void;
  /** True once the client is closed: nothing more is sent. */
  readonly isClosed?: () => boolean;
}

/** Tenant-scoped prefixes: Palette rejects or ignores a project scope there, so `ProjectUid` is never sent. */
export function isTenantScoped(path: string): boolean {
  return rateLimitPrefix(path) !== undefined;
}

/** zod issues as `PaletteIssue`s (paths dotted). zod messages never contain the input value. */
export function toIssues(error: SchemaError): PaletteIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
}

export class RequestPipeline {
  constructor(readonly deps: PipelineDeps) {}

  /** The error context of a request of `call`, for errors raised outside `send` (e.g. by resources). */
  context(call: Call, method: string, path: string, attempts: number, hints?: ErrorHints): ErrorContext {
    return {
      operation: call.operation,
      ...(call.resource !== undefined && { resource: call.resource }),
      method,
      path: this.deps.secrets.redact(path),
      attempts,
      auth: this.deps.auth.kind,
      baseUrl: this.deps.baseUrl,
      timeoutMs: call.timeoutMs,
      deadlineMs: call.deadlineMs,
      ...(hints !== undefined && { hints }),
      redact: (t) => this.deps.secrets.redact(t),
    };
  }

  /** Checks a request body against its strict wire schema; throws `INVALID_REQUEST` before sending. */
  validateBody<T>(call: Call, method: HttpMethod, path: string, schema: ParseSchema<T>, body: unknown): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw invalidParamsError(toIssues(parsed.error), this.context(call, method, path, 0));
    return parsed.data;
  }

  async send<T = void>(call: Call, spec: RequestSpec<T>): Promise<T> {
    const { clock, auth, retry } = this.deps;
    const shownPath = spec.displayPath ?? spec.path;
    const ctx = (attempts: number): ErrorContext => this.context(call, spec.method, shownPath, attempts, spec.hints);
    let attempts = 0;
    let retries = 0;
    let renewed = false;
    let ambiguousBefore = false;
    // Whether any attempt so far may have reached Palette: only connects that never came up did not.
    let reached = false;
    const interrupted = (e: WaitInterrupted, attempts: number): PaletteError =>
      errorFromTransport(e.reason, e.reason, ctx(attempts), undefined, { mayHaveReachedServer: reached });
    const cancelled = (attempts: number): PaletteError => errorFromTransport("aborted", "ABORTED", ctx(attempts), undefined, { mayHaveReachedServer: reached });
    const changesPalette = spec.changesPalette ?? spec.method !== "GET";
    for (;;) {
      if (cancelledBy(call)) throw cancelled(attempts);
      if (clock.nowMs() >= call.deadlineAt) throw errorFromTransport("deadline", "DEADLINE", ctx(attempts), undefined, { mayHaveReachedServer: reached });
      if (this.deps.isClosed?.() === true)
        throw sdkError("CONNECTION", "client is closed", "Create a new PaletteClient; this one was closed.", ctx(attempts), { mayHaveReachedServer: reached });

      let headers: Record<string, string>;
      let credential: string | undefined;
      let slot: PaceSlot;
      try {
        slot = await this.deps.pacer.acquire(spec.path, call.signal, call.deadlineAt);
        if (slot.waitedMs > 0) this.log({ type: "pace", operation: call.operation, method: spec.method, path: shownPath, attempt: attempts + 1, delayMs: slot.waitedMs });
        headers = this.baseHeaders(spec);
        if (spec.authenticated !== false) {
          const creds = await auth.credentials(call);
          Object.assign(headers, creds.headers);
          credential = creds.credential;
        }
      } catch (e) {
        if (e instanceof WaitInterrupted) throw interrupted(e, attempts);
        throw e;
      }

      // The signal may have fired while pacing or authentication resolved: nothing is on the wire yet.
      if (cancelledBy(call)) throw cancelled(attempts);
      if (changesPalette) call.commit();
      attempts += 1;
      const started = clock.nowMs();
      const attemptTimeout = Math.max(1, Math.min(call.timeoutMs, call.deadlineAt - started));
      this.log({ type: "request", operation: call.operation, method: spec.method, path: shownPath, attempt: attempts });

      let outcome: AttemptOutcome;
      let failure: PaletteError;
      let retryAfterMs: number | undefined;
      /** Set when a 429 paused this request's prefix for the whole client. */
      let pausedMs: number | undefined;
      try {
        spec.onSend?.();
        const res = await this.deps.send({
          url: this.url(spec),
          method: spec.method,
          headers,
          ...(spec.body !== undefined && { body: JSON.stringify(spec.body) }),
          timeoutMs: attemptTimeout,
          ...(call.signal !== undefined && { signal: call.signal }),
        });
        reached = true;
        this.log({ type: "response", operation: call.operation, method: spec.method, path: shownPath, attempt: attempts, status: res.status, durationMs: Math.round(clock.nowMs() - started) });
        retryAfterMs = parseRetryAfter(res.headers["retry-after"], this.deps.now());
        if (res.status !== 429) slot.answered();
        else {
          const pause = pauseAfter429(retryAfterMs, retry);
          if (slot.rateLimited(pause)) pausedMs = pause;
        }

        // The error context (redaction included) is built only for an error: most answers need none.
        if (res.status >= 200 && res.status < 300) return this.parse(res, spec, () => ctx(attempts));
        if (res.status === 404 && spec.notFoundAfterAmbiguousIsSuccess === true && ambiguousBefore)
          return undefined as T;
        if (res.status === 401 && credential !== undefined && !renewed) {
          renewed = true;
          try {
            if (await auth.renewAfterUnauthorized(credential, call)) continue;
          } catch (e) {
            if (e instanceof WaitInterrupted) throw interrupted(e, attempts);
            throw e;
          }
        }
        failure = errorFromResponse(res.status, res.body, retryAfterMs, ctx(attempts));
        outcome = { kind: "status", status: res.status };
        if (res.status >= 500 || res.status === 429) ambiguousBefore = ambiguousBefore || res.status >= 500;
      } catch (e) {
        if (!(e instanceof TransportFailure)) throw e;
        if (e.connect === undefined) reached = true;
        if (e.kind === "aborted") throw errorFromTransport("aborted", e.causeCode, ctx(attempts), e, { mayHaveReachedServer: reached });
        const detail = { mayHaveReachedServer: reached, ...(e.connect !== undefined && { connect: e.connect }) };
        failure = errorFromTransport(e.kind, e.causeCode, ctx(attempts), asError(e.cause) ?? e, detail);
        outcome = e.connect !== undefined ? { kind: "connect", reason: e.connect } : { kind: e.kind };
        ambiguousBefore = ambiguousBefore || e.connect === undefined;
        this.log({ type: "response", operation: call.operation, method: spec.method, path: shownPath, attempt: attempts, code: failure.code, message: `${e.kind} (${e.causeCode})`, durationMs: Math.round(clock.nowMs() - started) });
      }

      // "once" means at most one attempt that may reach Palette: a connect that never came up sent nothing.
      if ((spec.mode === "once" && outcome.kind !== "connect") || retry === false || !shouldRetry(retries, outcome, retry)) throw failure;
      const delay = pausedMs ?? backoffDelayMs(retries, retry, () => clock.random(), retryAfterMs);
      if (clock.nowMs() + delay >= call.deadlineAt) throw failure;
      this.log({ type: "retry", operation: call.operation, method: spec.method, path: shownPath, attempt: attempts, delayMs: delay, code: failure.code, ...(failure.status !== undefined && { status: failure.status }) });
      retries += 1;
      // A paced prefix is paused for every call of the client: the retry waits its turn in `acquire`.
      if (pausedMs !== undefined) continue;
      try {
        await clock.sleep(delay, call.signal);
      } catch {
        throw cancelled(attempts);
      }
    }
  }

  private baseHeaders(spec: RequestSpec<unknown>): Record<string, string> {
    const headers: Record<string, string> = { accept: "application/json", "user-agent": this.deps.userAgent };
    if (spec.body !== undefined) headers["content-type"] = "application/json";
    if (this.deps.projectUid !== undefined && !isTenantScoped(spec.path)) headers[HEADER_PROJECT_UID] = this.deps.projectUid;
    return headers;
  }

  private url(spec: RequestSpec<unknown>): string {
    const url = new URL(`${this.deps.baseUrl}${spec.path}`);
    for (const [k, v] of Object.entries(spec.query ?? {})) url.searchParams.set(k, v);
    return url.toString();
  }

  private parse<T>(res: HttpResponse, spec: RequestSpec<T>, ctx: () => ErrorContext): T {
    if (spec.response === undefined) return undefined as T;
    let json: unknown;
    try {
      json = JSON.parse(res.body);
    } catch {
      throw responseInvalidError(res.status, [{ path: "", message: "body is not JSON" }], ctx());
    }
    const parsed = spec.response.safeParse(json);
    if (!parsed.success) throw responseInvalidError(res.status, toIssues(parsed.error), ctx());
    return parsed.data;
  }

  private log(event: PaletteLogEvent): void {
    const logger = this.deps.logger;
    if (logger === undefined) return;
    const clean: PaletteLogEvent = {
      ...event,
      path: this.deps.secrets.redact(event.path),
      ...(event.message !== undefined && { message: this.deps.secrets.redact(event.message) }),
    };
    try {
      logger(clean);
    } catch {
      // A logger must never break a call.
    }
  }
}

/** How long a 429 pauses its prefix: what `Retry-After` asks, capped like a retry's wait. */
function pauseAfter429(retryAfterMs: number | undefined, retry: RetryPolicy | false): number {
  return Math.min(retryAfterMs ?? DEFAULT_PAUSE_MS, (retry === false ? DEFAULT_RETRY_POLICY : retry).maxDelayMs);
}

/** A function, not an inline test: the signal is read afresh after each await (it may abort, or the call commit). */
function cancelledBy(call: Call): boolean {
  return call.signal?.aborted === true;
}

function asError(v: unknown): Error | undefined {
  return v instanceof Error ? v : undefined;
}
