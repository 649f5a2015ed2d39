/**
 * What every error of a request is built from, shared by response-errors.ts and transport-errors.ts:
 * the call's context (operation, request, auth, budgets, redaction), the facts that turn a bare
 * status into advice, and the one message format `<operation> failed: <METHOD> <path> -> <outcome>.
 * <what to do next>`. Also the errors the SDK raises from that context alone, with no answer and no
 * transport failure to read: parameters rejected before sending, and verdicts of its own.
 */
import { PaletteError, type PaletteErrorCode, type PaletteErrorInit, type PaletteIssue, type PaletteResource } from "../errors";

/** The credential the client sends: a 401 means something else for each. */
export type AuthKind = "apiKey" | "password" | "token";

/** Facts about the call that turn a bare status into advice. */
export interface ErrorHints {
  /** Create named an owner (`userUid`): a 403 then means "not a tenant admin". */
  readonly createForOtherUser?: boolean;
  /** The failing request is the login itself. */
  readonly login?: boolean;
}

/** One request of a call, as its errors describe it. */
export interface ErrorContext {
  readonly operation: string;
  /** What the call handles (its `Call.resource`): which advice fits a 404 or a 409. */
  readonly resource?: PaletteResource;
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

/** The fields every error of this request carries: the call, what it handles, the request, its attempts. */
export function requestFields(ctx: ErrorContext): Pick<PaletteErrorInit, "operation" | "resource" | "method" | "path" | "attempts"> {
  return {
    operation: ctx.operation,
    ...(ctx.resource !== undefined && { resource: ctx.resource }),
    method: ctx.method,
    path: ctx.path,
    attempts: ctx.attempts,
  };
}

/** `hint`, noting the attempts when the request was retried. */
export function attemptsNote(ctx: ErrorContext, hint: string): string {
  return ctx.attempts > 1 ? `${hint} (${ctx.attempts} attempts made)` : hint;
}

/** The message: what failed, how, and what to do next; redacted as a whole. */
export function compose(ctx: ErrorContext, outcome: string, hint: string): string {
  const head = `${ctx.operation} failed: ${ctx.method} ${ctx.path} -> ${outcome}`;
  return ctx.redact(hint === "" ? `${head}.` : `${head}. ${hint}`);
}

/** `s`, cut to a length a message can carry. */
export function shorten(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}

/** The error for parameters rejected before anything was sent. */
export function invalidParamsError(issues: readonly PaletteIssue[], ctx: ErrorContext): PaletteError {
  const summary = issues.map((i) => `${i.path === "" ? "(params)" : i.path} ${i.message}`).join("; ");
  return new PaletteError({
    code: "INVALID_REQUEST",
    message: compose(ctx, `invalid parameters: ${summary}`, "Fix the parameters; nothing was sent to Palette."),
    ...requestFields(ctx),
    attempts: 0,
    mayHaveReachedServer: false,
    issues: issues.map((i) => ({ path: ctx.redact(i.path), message: ctx.redact(i.message) })),
  });
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
    ...requestFields(ctx),
    ...(extra?.status !== undefined && { status: extra.status }),
    ...(extra?.mayHaveReachedServer !== undefined && { mayHaveReachedServer: extra.mayHaveReachedServer }),
  });
}
