/**
 * Client configuration: the options a caller passes, their defaults, and their validation into the
 * fully resolved form the rest of the SDK uses.
 */
import { z } from "zod";
import type { Dispatcher } from "./http/transport";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./core/retry-policy";
import type { RateLimit } from "./core/rate-limiter";
import { SDK_VERSION } from "./version";

/** How the client proves who it is. */
export type PaletteAuth =
  /** An API key, sent in the `ApiKey` header. */
  | { readonly apiKey: string }
  /**
   * Email and password: `POST /v1/auth/authenticate` yields a JWT (sent raw in `Authorization`),
   * refreshed before its 15 minutes run out and renewed by logging in again after a 401.
   */
  | { readonly username: string; readonly password: string; readonly org?: string }
  /** A JWT obtained elsewhere; it cannot be renewed by the client. */
  | { readonly token: string };

/** One debug event; never holds a secret. */
export interface PaletteLogEvent {
  /** `request` before an attempt, `response` after it, `retry` before a backoff wait, `pace` after a rate-limit wait, `auth` for login/refresh. */
  readonly type: "request" | "response" | "retry" | "pace" | "auth";
  readonly operation: string;
  readonly method: string;
  /** Path without query; secrets replaced. */
  readonly path: string;
  /** 1-based attempt number of this request. */
  readonly attempt: number;
  readonly status?: number;
  readonly delayMs?: number;
  readonly durationMs?: number;
  /** Error code of a failed attempt. */
  readonly code?: string;
  readonly message?: string;
}

export interface PaletteClientOptions {
  /**
   * Palette API host: a bare host name (https implied) or a full URL.
   * @example "api.spectrocloud.com"
   * @example "http://127.0.0.1:8080"
   */
  readonly host: string;
  readonly auth: PaletteAuth;
  /** `ProjectUid` header for project-scoped paths; never sent to the tenant-scoped `/v1/apiKeys`, `/v1/users`, `/v1/auth`. */
  readonly projectUid?: string;
  /** Budget of one HTTP attempt. @default 30000 */
  readonly timeoutMs?: number;
  /** Budget of one SDK call, retries and waits included. @default 120000 */
  readonly deadlineMs?: number;
  /** Retry tuning, or `false` for a single attempt. @default { maxRetries: 4, baseDelayMs: 250, maxDelayMs: 8000 } */
  readonly retry?: Partial<RetryPolicy> | false;
  /**
   * Client-side pacing per Palette rate-limit prefix, shared by all calls of this client, or `false`.
   * @default { perSecond: 9, burst: 4 } (under Palette's 10/s, burst 5)
   */
  readonly rateLimit?: RateLimit | false;
  /** An undici Dispatcher to send through; the client closes only a dispatcher it created itself. */
  readonly dispatcher?: Dispatcher;
  /** @default "pulumi-palette-apikeys/<version> node/<version>" */
  readonly userAgent?: string;
  /** Receives debug events; secrets are redacted. Exceptions it throws are ignored. */
  readonly logger?: (event: PaletteLogEvent) => void;
  /** Wall clock for token-expiry decisions (tests move it). @default () => new Date() */
  readonly now?: () => Date;
}

/** Per-call overrides. */
export interface RequestOptions {
  /**
   * Cancels what the call has not sent yet: a wait in progress (pacing, back-off, a queued turn)
   * or a read fails at once with `ABORTED`. A write already handed to the transport is never
   * abandoned: it runs to its end, bounded by `timeoutMs` / `deadlineMs`, and a create whose POST
   * was answered finds its key and returns it, so no key is left unheld. No new write starts after
   * the cancel: a create whose POST got no usable answer (lost, 5xx, 429) is not sent again; the key
   * that attempt may have made is deleted and the create fails with `ABORTED`, saying so.
   */
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly deadlineMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_DEADLINE_MS = 120_000;
/**
 * 9/s keeps a tenth of Palette's 10/s (and one of its 5 burst tokens) for jitter that bunches requests
 * on their way; other clients of the same IP are what the adaptive pause after a 429 is for. At 8/s
 * an `up` of N new keys could not take less than N/8 s, a quarter over the N/10 s Palette allows.
 */
export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 9, burst: 4 };
export const DEFAULT_HOST = "api.spectrocloud.com";

/** Options after defaults and validation. */
export interface ResolvedOptions {
  readonly baseUrl: string;
  readonly auth: PaletteAuth;
  readonly projectUid: string | undefined;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly retry: RetryPolicy | false;
  readonly rateLimit: RateLimit | false;
  readonly dispatcher: Dispatcher | undefined;
  readonly userAgent: string;
  readonly logger: ((event: PaletteLogEvent) => void) | undefined;
  readonly now: () => Date;
}

/**
 * `"api.spectrocloud.com"` -> `"https://api.spectrocloud.com"`; full http(s) URLs are kept, without
 * a trailing slash, query or fragment. Throws `TypeError` for anything else.
 */
export function normalizeHost(host: string): string {
  const trimmed = host.trim();
  if (trimmed.length === 0) throw new TypeError("Palette host is empty: give a host name like api.spectrocloud.com or a URL.");
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TypeError(`Palette host ${JSON.stringify(trimmed)} is neither a host name nor a URL.`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new TypeError(`Palette host must use http or https, not ${url.protocol.replace(/:$/, "")}.`);
  if (url.username !== "" || url.password !== "")
    throw new TypeError("Palette host must not carry credentials; use the auth option.");
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

const positiveMs = z.number().int().positive().finite();
const nonEmpty = z.string().min(1, "must not be empty");

const AuthSchema = z.union([
  z.strictObject({ apiKey: nonEmpty }),
  z.strictObject({ username: nonEmpty, password: nonEmpty, org: z.string().optional() }),
  z.strictObject({ token: nonEmpty }),
]);

const OptionsSchema = z.strictObject({
  host: z.string(),
  auth: AuthSchema,
  projectUid: z.string().min(1).optional(),
  timeoutMs: positiveMs.optional(),
  deadlineMs: positiveMs.optional(),
  retry: z
    .union([
      z.literal(false),
      z.strictObject({
        maxRetries: z.number().int().min(0).max(100).optional(),
        baseDelayMs: z.number().min(0).finite().optional(),
        maxDelayMs: z.number().min(0).finite().optional(),
      }),
    ])
    .optional(),
  rateLimit: z
    .union([z.literal(false), z.strictObject({ perSecond: z.number().positive().finite(), burst: z.number().int().min(1) })])
    .optional(),
  dispatcher: z.custom<Dispatcher>((v) => typeof v === "object" && v !== null, "must be an undici Dispatcher").optional(),
  userAgent: z.string().min(1).optional(),
  logger: z.custom<(e: PaletteLogEvent) => void>((v) => typeof v === "function", "must be a function").optional(),
  now: z.custom<() => Date>((v) => typeof v === "function", "must be a function").optional(),
});

/** Validates options (unknown keys rejected) and fills defaults. Messages never echo values. */
export function resolveOptions(options: PaletteClientOptions): ResolvedOptions {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(options)"}: ${i.message}`);
    throw new TypeError(`Invalid PaletteClient options: ${problems.join("; ")}`);
  }
  const o = parsed.data;
  const retry: RetryPolicy | false =
    o.retry === false
      ? false
      : {
          maxRetries: o.retry?.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
          baseDelayMs: o.retry?.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
          maxDelayMs: o.retry?.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
        };
  return {
    baseUrl: normalizeHost(o.host),
    // The caller's object, not zod's copy, so nothing else holds the credentials.
    auth: options.auth,
    projectUid: o.projectUid,
    timeoutMs: o.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    deadlineMs: o.deadlineMs ?? DEFAULT_DEADLINE_MS,
    retry,
    rateLimit: o.rateLimit ?? DEFAULT_RATE_LIMIT,
    dispatcher: options.dispatcher,
    userAgent: o.userAgent ?? `pulumi-palette-apikeys/${SDK_VERSION} node/${process.versions.node}`,
    logger: options.logger,
    now: options.now ?? (() => new Date()),
  };
}
