/**
 * Errors from a response: an answer with a non-2xx status (its code, Palette's `V1Error` envelope,
 * and advice for the status and Palette's own error codes), and a 2xx whose body does not match the
 * schema. Pure: every input string passes through `redact` before it lands in the error.
 */
import { ErrorEnvelopeWire } from "../wire";
import { PaletteError, type PaletteErrorCode, type PaletteIssue } from "../errors";
import { attemptsNote, compose, requestFields, shorten, type ErrorContext } from "./error-context";

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
    ...requestFields(ctx),
    status,
    ...envelope,
    ...(retryAfterMs !== undefined && { retryAfterMs }),
  });
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
    ...requestFields(ctx),
    status,
    issues: issues.map((i) => ({ path: ctx.redact(i.path), message: ctx.redact(i.message) })),
  });
}

function hintFor(code: PaletteErrorCode, status: number, env: Envelope, ctx: ErrorContext): string {
  const byPaletteCode = typeof env.paletteCode === "string" ? PALETTE_CODE_HINTS[env.paletteCode] : undefined;
  if (byPaletteCode !== undefined) return unlessSaid(byPaletteCode, env);
  const isApiKeys = ctx.resource === "API key";
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
      // POST /v1/apiKeys (an API key call's only POST, the create) names no key, only an owner: its
      // 404 is about the user (UserNotFound).
      if (env.paletteCode === "UserNotFound" || (isApiKeys && ctx.method === "POST"))
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

function trimPeriod(s: string): string {
  return s.replace(/[.\s]+$/, "");
}

/** Redacts every string inside a JSON value (error `details`). */
function redactValue(value: unknown, redact: (t: string) => string): unknown {
  try {
    return JSON.parse(redact(JSON.stringify(value))) as unknown;
  } catch {
    return undefined;
  }
}

