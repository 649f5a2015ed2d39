/**
 * From a failed attempt to a `PaletteError` whose message says what happened and what to do next.
 * Pure: every input string passes through `redact` before it lands in the error.
 */
import { ErrorEnvelopeWire } from "../wire";
import { PaletteError, type ConnectFailureReason, type PaletteErrorCode, type PaletteIssue } from "../errors";

export type AuthKind = "apiKey" | "password" | "token";

/** Facts about the call that turn a bare status into advice. */
export interface ErrorHints {
  /** Create named an owner (`userUid`): a 403 then means "not a tenant admin". */
  readonly createForOtherUser?: boolean;
  /** The failing request is the login itself. */
  readonly login?: boolean;
}

export interface ErrorContext {
  readonly operation: string;
  readonly method: string;
  /** Path as shown to people: no query, secrets already replaced. */
  readonly path: string;
  readonly attempts: number;
  readonly auth: AuthKind;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly hints?: ErrorHints;
  readonly redact: (text: string) => string;
}

const MAX_TEXT = 300;

/**
 * Advice for a situation, and what is left of it when Palette's own message already gives it: a
 * hint that repeats the server reads as noise, and users stop reading both.
 */
interface Advice {
  readonly text: string;
  /** Matches a server message that already gives this advice; then only `rest` is said. */
  readonly saidBy?: RegExp;
  readonly rest?: string;
}

/** Palette-level error codes that deserve their own advice, whatever status carried them. */
const PALETTE_CODE_HINTS: Readonly<Record<string, Advice>> = {
  ResourceLimitExceeded: {
    text:
      "Palette allows 20 API keys per user by default: delete unused keys, or have a tenant admin raise the limit " +
      "(PATCH /v1/tenants/{tenantUid}/resourceLimits with kind apiKey, or Tenant Settings > Resource Limits in the Palette UI).",
    saidBy: /delete unused keys/i,
    rest: "In the Palette UI the limit is under Tenant Settings > Resource Limits.",
  },
  InvalidExpiry: { text: "Give the key an expiry in the future." },
  ApiKeyExpired: { text: "An expired API key cannot be re-activated: create a new key instead." },
};

const ONLY_ADMINS_FOR_OTHERS: Advice = { text: "Only tenant admins may create keys for other users.", saidBy: /only tenant admins/i, rest: "" };

/** A taken key name: the fact and both ways out, minus what Palette's message already says. */
function keyNameTaken(said: string | undefined): string {
  if (said === undefined || !/already exists/i.test(said))
    return "An API key with this name already exists for this user: choose another name, or delete the existing key.";
  return /another name/i.test(said) ? "Alternatively, delete the existing key." : "Choose another name, or delete the existing key.";
}

/** The advice, or what the server's message leaves of it. */
function unlessSaid(advice: Advice, env: Envelope): string {
  return advice.saidBy !== undefined && env.paletteMessage !== undefined && advice.saidBy.test(env.paletteMessage)
    ? (advice.rest ?? "")
    : advice.text;
}

/** The error code for an HTTP status Palette answered with. */
export function codeForStatus(status: number): PaletteErrorCode {
  if (status === 401) return "UNAUTHENTICATED";
  if (status === 403) return "FORBIDDEN";
  if (status === 404) return "NOT_FOUND";
  if (status === 409) return "CONFLICT";
  if (status === 429) return "RATE_LIMITED";
  if (status >= 500) return "SERVER";
  if (status >= 400) return "INVALID_REQUEST";
  // A redirect or other non-2xx we never asked for: the host is probably not the Palette API.
  return "RESPONSE_INVALID";
}

interface Envelope {
  readonly paletteCode?: string | number;
  readonly paletteMessage?: string;
  readonly ref?: string;
  readonly details?: unknown;
}

/** Reads a `V1Error` body; a non-JSON body (proxy pages) becomes a short message. */
export function parseErrorBody(body: string, redact: (t: string) => string): Envelope {
  const text = body.trim();
  if (text.length === 0) return {};
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { paletteMessage: shorten(redact(text.replace(/\s+/g, " "))) };
  }
  const parsed = ErrorEnvelopeWire.safeParse(json);
  if (!parsed.success) return { paletteMessage: shorten(redact(text.replace(/\s+/g, " "))) };
  const e = parsed.data;
  return {
    ...(e.code !== undefined && e.code !== "" && { paletteCode: typeof e.code === "string" ? redact(e.code) : e.code }),
    ...(e.message !== undefined && e.message !== "" && { paletteMessage: redact(e.message) }),
    ...(e.ref !== undefined && e.ref !== "" && { ref: redact(e.ref) }),
    ...(e.details !== undefined && e.details !== null && { details: redactValue(e.details, redact) }),
  };
}

/** The error for an answer with a non-2xx status. */
export function errorFromResponse(
  status: number,
  body: string,
  retryAfterMs: number | undefined,
  ctx: ErrorContext,
): PaletteError {
  const envelope = parseErrorBody(body, ctx.redact);
  const code = codeForStatus(status);
  const outcome = [
    String(status),
    envelope.paletteCode !== undefined ? ` ${String(envelope.paletteCode)}` : "",
    envelope.paletteMessage !== undefined ? `: ${trimPeriod(envelope.paletteMessage)}` : "",
  ].join("");
  return new PaletteError({
    code,
    message: compose(ctx, outcome, hintFor(code, status, envelope, ctx)),
    operation: ctx.operation,
    method: ctx.method,
    path: ctx.path,
    attempts: ctx.attempts,
    status,
    ...envelope,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
}

/** What is known about whether a failed request got anywhere. */
export interface TransportDetail {
  /** Set when no connection came up. */
  readonly connect?: ConnectFailureReason;
  /** @default true when an attempt was made and `connect` is unset */
  readonly mayHaveReachedServer?: boolean;
  /** A cancel only: a write of the call had been sent before it (see `Call.committed`). */
  readonly afterWrite?: boolean;
}

/** The error for an attempt that got no answer. `causeCode` is e.g. `ECONNRESET`. */
export function errorFromTransport(
  kind: "timeout" | "connection" | "aborted" | "deadline",
  causeCode: string,
  ctx: ErrorContext,
  cause?: Error,
  detail: TransportDetail = {},
): PaletteError {
  const code: PaletteErrorCode = kind === "connection" ? "CONNECTION" : kind === "aborted" ? "ABORTED" : "TIMEOUT";
  let outcome: string;
  let hint: string;
  if (detail.connect !== undefined && (kind === "connection" || kind === "timeout")) {
    ({ outcome, hint } = connectFailureText(detail.connect, causeCode, ctx, cause));
  } else if (kind === "aborted") {
    ({ outcome, hint } = cancelledText(detail.mayHaveReachedServer ?? ctx.attempts > 0, detail.afterWrite === true, causeCode));
  } else {
    outcome =
      kind === "timeout"
        ? `no answer within ${ctx.timeoutMs} ms`
        : kind === "deadline"
          ? `deadline of ${ctx.deadlineMs} ms reached`
          : `connection failed (${causeCode})`;
    hint =
      kind === "connection"
        ? `Check that ${ctx.baseUrl} is the Palette API host and reachable from here (network, proxy, TLS).`
        : `Check that ${ctx.baseUrl} is reachable, or raise timeoutMs (per attempt) / deadlineMs (whole call, retries included).`;
  }
  return new PaletteError({
    code,
    message: compose(ctx, outcome, attemptsNote(ctx, hint)),
    operation: ctx.operation,
    method: ctx.method,
    path: ctx.path,
    attempts: ctx.attempts,
    mayHaveReachedServer: detail.mayHaveReachedServer ?? (ctx.attempts > 0 && detail.connect === undefined),
    ...(detail.connect !== undefined && { connectFailure: detail.connect }),
    ...(cause !== undefined && { cause: sanitizeCause(cause, ctx.redact) }),
  });
}

/**
 * What a cancel stopped. Before any write went out: nothing was sent, or only a read (nothing was
 * changed). After a write: that write was not abandoned (see `Call.commit`); the cancel only kept
 * the call from sending another one after it failed without a usable answer (`causeCode`). What that
 * failed write left is for the caller to add (a create says whether its lost key was deleted).
 */
function cancelledText(reached: boolean, afterWrite: boolean, causeCode: string): { outcome: string; hint: string } {
  if (afterWrite)
    return {
      outcome: "cancelled after the request was sent, so it was not tried again",
      hint:
        `The caller cancelled the call through its AbortSignal; the request already sent got no usable answer (${causeCode}), ` +
        "and sending it again would make a change the caller no longer asked for.",
    };
  return reached
    ? { outcome: "cancelled during a read; nothing was changed", hint: "The caller cancelled the call through its AbortSignal; run it again to read." }
    : { outcome: "cancelled; nothing was sent", hint: "The caller cancelled the call through its AbortSignal before the request went out; Palette was not changed by it." };
}

/** `host:port` of the API base, the port always shown: a wrong port is a usual mistake. */
function targetOf(baseUrl: string): { target: string; hostname: string; https: boolean } {
  const url = new URL(baseUrl);
  const https = url.protocol === "https:";
  return { target: `${url.hostname}:${url.port !== "" ? url.port : https ? "443" : "80"}`, hostname: url.hostname, https };
}

/** Outcome and advice for a connection that never came up: what failed, and what to check. */
function connectFailureText(
  reason: ConnectFailureReason,
  causeCode: string,
  ctx: ErrorContext,
  cause: Error | undefined,
): { outcome: string; hint: string } {
  const { target, hostname, https } = targetOf(ctx.baseUrl);
  const nothingSent = "nothing was sent to Palette";
  switch (reason) {
    case "refused":
      return { outcome: `cannot connect to ${target} (connection refused)`, hint: `Check the Palette host and port: nothing listens there; ${nothingSent}.` };
    case "unreachable":
      return {
        outcome: `cannot connect to ${target} (${causeCode}: no route to the host)`,
        hint: `Check the Palette host, and the network path from here (VPN, proxy, firewall); ${nothingSent}.`,
      };
    case "dns":
      return { outcome: `cannot resolve the host name ${hostname} (${causeCode})`, hint: `Check the Palette host name; ${nothingSent}.` };
    case "dns-temporary":
      return {
        outcome: `cannot resolve the host name ${hostname} (${causeCode}: the DNS resolver failed)`,
        hint: `Check DNS on this machine, or try again; ${nothingSent}.`,
      };
    case "tls":
      return https
        ? {
            outcome: `TLS handshake with ${target} failed (${causeCode})`,
            hint: `The server at ${target} does not speak HTTPS: if it is plain HTTP, write the host as http://${target}; ${nothingSent}.`,
          }
        : { outcome: `TLS handshake with ${target} failed (${causeCode})`, hint: `Check the Palette host and port; ${nothingSent}.` };
    case "certificate": {
      const why = cause !== undefined && cause.message !== "" ? `: ${ctx.redact(shorten(cause.message))}` : "";
      return {
        outcome: `the TLS certificate of ${target} is not trusted (${causeCode}${why})`,
        hint:
          `If Palette uses a private certificate authority, point NODE_EXTRA_CA_CERTS at its certificate; ` +
          `if the names differ, use the host name the certificate was issued for; ${nothingSent}.`,
      };
    }
    case "timeout":
      return {
        outcome: `cannot connect to ${target} (no answer to the connection attempt)`,
        hint: `Check the Palette host and port, and that no firewall or proxy drops the connection; ${nothingSent}.`,
      };
    case "other":
      return { outcome: `cannot connect to ${target} (${causeCode})`, hint: `Check the Palette host and port; ${nothingSent}.` };
  }
}

/** The error for a 2xx answer whose body does not match the schema. */
export function responseInvalidError(
  status: number,
  issues: readonly PaletteIssue[],
  ctx: ErrorContext,
): PaletteError {
  const summary = issues
    .slice(0, 3)
    .map((i) => `${i.path === "" ? "(body)" : i.path}: ${i.message}`)
    .join("; ");
  return new PaletteError({
    code: "RESPONSE_INVALID",
    message: compose(
      ctx,
      `${status} with an unexpected body (${summary}${issues.length > 3 ? `; +${issues.length - 3} more` : ""})`,
      "Palette answered in a shape this SDK does not know; the API may have changed: please report it with this message.",
    ),
    operation: ctx.operation,
    method: ctx.method,
    path: ctx.path,
    attempts: ctx.attempts,
    status,
    issues: issues.map((i) => ({ path: ctx.redact(i.path), message: ctx.redact(i.message) })),
  });
}

/** The error for parameters rejected before anything was sent. */
export function invalidParamsError(issues: readonly PaletteIssue[], ctx: ErrorContext): PaletteError {
  const summary = issues.map((i) => `${i.path === "" ? "(params)" : i.path} ${i.message}`).join("; ");
  return new PaletteError({
    code: "INVALID_REQUEST",
    message: compose(ctx, `invalid parameters: ${summary}`, "Fix the parameters; nothing was sent to Palette."),
    operation: ctx.operation,
    method: ctx.method,
    path: ctx.path,
    attempts: 0,
    mayHaveReachedServer: false,
    issues: issues.map((i) => ({ path: ctx.redact(i.path), message: ctx.redact(i.message) })),
  });
}

function hintFor(code: PaletteErrorCode, status: number, env: Envelope, ctx: ErrorContext): string {
  const byPaletteCode = typeof env.paletteCode === "string" ? PALETTE_CODE_HINTS[env.paletteCode] : undefined;
  if (byPaletteCode !== undefined) return unlessSaid(byPaletteCode, env);
  const isApiKeys = ctx.operation.startsWith("apiKeys.");
  switch (code) {
    case "UNAUTHENTICATED":
      if (ctx.auth === "apiKey") return "The API key is missing, revoked or expired: check the key the client was given.";
      if (ctx.auth === "password")
        return ctx.hints?.login === true
          ? "The email, password or org is wrong, or the account is locked: check the username and password the client was given."
          : "Palette rejected the session even after logging in again: check that the account is still active.";
      return "The authorization token is invalid or expired (tokens last 15 minutes): get a new one, or configure an API key or username/password so the client can renew it.";
    case "FORBIDDEN":
      if (ctx.hints?.createForOtherUser === true) return unlessSaid(ONLY_ADMINS_FOR_OTHERS, env);
      return "The caller lacks the permission: plain users may only see and change their own API keys, and only tenant admins may list or read other users.";
    case "NOT_FOUND":
      if (typeof env.paletteCode === "number")
        return "Palette does not know this endpoint: check that the host points to the Palette API (e.g. api.spectrocloud.com).";
      // POST /v1/apiKeys names no key, only an owner: its 404 is about the user (UserNotFound).
      if (env.paletteCode === "UserNotFound" || (ctx.operation === "apiKeys.create" && ctx.method === "POST"))
        return isApiKeys ? "The key's owner is not a user of this tenant: check the user uid it names." : "No such user in this tenant.";
      return isApiKeys
        ? "No API key with this uid exists in the tenant (it may have been deleted)."
        : "No such user in this tenant.";
    case "CONFLICT":
      return isApiKeys ? keyNameTaken(env.paletteMessage) : "The resource already exists or was changed concurrently.";
    case "RATE_LIMITED":
      return attemptsNote(
        ctx,
        "Palette allows about 10 requests/s per IP on this path: lower the parallelism (e.g. pulumi up --parallel) and keep the client's rateLimit pacing on.",
      );
    case "SERVER":
      return attemptsNote(
        ctx,
        `Palette failed on its side: try again later${env.ref !== undefined ? `, and quote ref ${env.ref} to Spectro Cloud support if it persists` : ""}.`,
      );
    case "RESPONSE_INVALID":
      return `Palette answered with an unexpected status ${status}: check that the host points to the Palette API itself.`;
    case "INVALID_REQUEST":
      if (status === 405)
        return "Palette does not allow this method here: check that the host points to the Palette API.";
      return "Palette rejected the request as invalid; see the message and details.";
    default:
      return "";
  }
}

function attemptsNote(ctx: ErrorContext, hint: string): string {
  return ctx.attempts > 1 ? `${hint} (${ctx.attempts} attempts made)` : hint;
}

function compose(ctx: ErrorContext, outcome: string, hint: string): string {
  const head = `${ctx.operation} failed: ${ctx.method} ${ctx.path} -> ${outcome}`;
  return ctx.redact(hint === "" ? `${head}.` : `${head}. ${hint}`);
}

function trimPeriod(s: string): string {
  return s.replace(/[.\s]+$/, "");
}

function shorten(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}

/** Redacts every string inside a JSON value (error `details`). */
function redactValue(value: unknown, redact: (t: string) => string): unknown {
  try {
    return JSON.parse(redact(JSON.stringify(value))) as unknown;
  } catch {
    return undefined;
  }
}

/** A stand-in for a low-level cause: its name, code and redacted message, nothing else it held. */
function sanitizeCause(cause: Error, redact: (t: string) => string): Error {
  const clean = new Error(redact(cause.message));
  clean.name = cause.name;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(clean, { code });
  clean.stack = `${clean.name}: ${clean.message}`;
  return clean;
}

/** An error the SDK decides on itself (e.g. "no user with this email"), in the standard message format. */
export function sdkError(
  code: PaletteErrorCode,
  outcome: string,
  hint: string,
  ctx: ErrorContext,
  extra?: { readonly status?: number; readonly mayHaveReachedServer?: boolean },
): PaletteError {
  return new PaletteError({
    code,
    message: compose(ctx, outcome, hint),
    operation: ctx.operation,
    method: ctx.method,
    path: ctx.path,
    attempts: ctx.attempts,
    ...(extra?.status !== undefined && { status: extra.status }),
    ...(extra?.mayHaveReachedServer !== undefined && { mayHaveReachedServer: extra.mayHaveReachedServer }),
  });
}
