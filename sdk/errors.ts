/**
 * The SDK's one error type. Every failure of a client call is a `PaletteError` with a stable `code`;
 * callers branch on `code` (or `isNotFound`), never on message text or `instanceof` alone, because
 * jest module registries and Pulumi's serialized provider may load a second copy of this module.
 */

/** What went wrong, stable across versions. */
export type PaletteErrorCode =
  | "NOT_FOUND"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "CONFLICT"
  | "RATE_LIMITED"
  | "INVALID_REQUEST"
  | "SERVER"
  | "TIMEOUT"
  | "CONNECTION"
  | "RESPONSE_INVALID"
  | "ABORTED";

/**
 * Why no connection to Palette was established (so the request never reached it): `refused`,
 * `unreachable`, `dns`, `dns-temporary`, `tls` (handshake), `certificate`, `timeout` (connect), `other`.
 */
export type ConnectFailureReason = "refused" | "unreachable" | "dns" | "dns-temporary" | "tls" | "certificate" | "timeout" | "other";

/**
 * What a failed call handles, as its messages name it: each resource module of the client says it
 * for its calls (`"API key"` for `apiKeys.*`, `"user"` for `users.*`); `auth.*` calls handle none.
 */
export type PaletteResource = "API key" | "user";

/** One schema problem, for `INVALID_REQUEST` raised before sending and for `RESPONSE_INVALID`. */
export interface PaletteIssue {
  /** Dotted path into the body, e.g. `items.0.metadata.uid`; "" for the root. */
  readonly path: string;
  readonly message: string;
}

/** Everything a `PaletteError` carries; every string must already be redacted. */
export interface PaletteErrorInit {
  readonly code: PaletteErrorCode;
  readonly message: string;
  readonly operation: string;
  readonly resource?: PaletteResource;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;
  readonly status?: number;
  readonly paletteCode?: string | number;
  readonly paletteMessage?: string;
  readonly ref?: string;
  readonly details?: unknown;
  readonly retryAfterMs?: number;
  readonly issues?: readonly PaletteIssue[];
  /** @default attempts > 0 */
  readonly mayHaveReachedServer?: boolean;
  readonly connectFailure?: ConnectFailureReason;
  readonly orphanedKeyName?: string;
  readonly cause?: Error;
}

const kPaletteError = Symbol.for("pulumi-palette-apikeys.PaletteError");

/**
 * Thrown by every `PaletteClient` method when the call fails: an error answer from Palette, a
 * transport failure, an answer of the wrong shape, a request rejected before sending, or a cancel.
 *
 * `message` reads `<operation> failed: <METHOD> <path> -> <outcome>. <what to do next>`. No field
 * ever holds a credential or key value.
 */
export class PaletteError extends Error {
  readonly [kPaletteError] = true;
  readonly code: PaletteErrorCode;
  /** HTTP status, when Palette answered. */
  readonly status?: number;
  /** `V1Error.code`, e.g. `"ResourceNotFound"`; framework errors use numbers. */
  readonly paletteCode?: string | number;
  /** `V1Error.message`, redacted. */
  readonly paletteMessage?: string;
  /** `V1Error.ref`, worth quoting to Spectro Cloud support. */
  readonly ref?: string;
  /** `V1Error.details` (e.g. the offending fields of a 400), redacted. */
  readonly details?: unknown;
  readonly method: string;
  /** Request path without query string. */
  readonly path: string;
  /** The SDK method that failed, e.g. `"apiKeys.create"`. */
  readonly operation: string;
  /**
   * What that method handles, e.g. `"API key"` (also for the requests it makes about something else,
   * like the caller's identity during a create); unset for `auth.*`.
   */
  readonly resource?: PaletteResource;
  /** What Palette's `Retry-After` asked for, on 429/503. */
  readonly retryAfterMs?: number;
  /** HTTP attempts made for the failing request (1 when it was not retried). */
  readonly attempts: number;
  /** Schema problems, for `RESPONSE_INVALID` and client-side `INVALID_REQUEST`. */
  readonly issues?: readonly PaletteIssue[];
  /**
   * False when the SDK knows the failing request never reached Palette (no connection came up, or
   * it was rejected before sending), so it cannot have changed anything; true when Palette answered
   * or may have received it.
   */
  readonly mayHaveReachedServer: boolean;
  /** Why the connection never came up, on `CONNECTION`/`TIMEOUT` errors where it did not. */
  readonly connectFailure?: ConnectFailureReason;
  /**
   * Set by `apiKeys.create` when a key of this name may exist in Palette although the caller did not
   * get it back (a lost answer whose clean-up could not run, or a key created but not confirmed).
   * Its value is lost: find it with `apiKeys.findByName` and delete it.
   */
  readonly orphanedKeyName?: string;

  constructor(init: PaletteErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "PaletteError";
    this.code = init.code;
    this.operation = init.operation;
    this.method = init.method;
    this.path = init.path;
    this.attempts = init.attempts;
    this.mayHaveReachedServer = init.mayHaveReachedServer ?? init.attempts > 0;
    if (init.resource !== undefined) this.resource = init.resource;
    if (init.connectFailure !== undefined) this.connectFailure = init.connectFailure;
    if (init.orphanedKeyName !== undefined) this.orphanedKeyName = init.orphanedKeyName;
    if (init.status !== undefined) this.status = init.status;
    if (init.paletteCode !== undefined) this.paletteCode = init.paletteCode;
    if (init.paletteMessage !== undefined) this.paletteMessage = init.paletteMessage;
    if (init.ref !== undefined) this.ref = init.ref;
    if (init.details !== undefined) this.details = init.details;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.issues !== undefined) this.issues = init.issues;
  }

  /** A structured, secret-free view (what `JSON.stringify` prints). */
  toJSON(): Record<string, unknown> {
    // The same fields `withContext` copies, minus the cause (a copy of it travels on its own).
    const { cause: _cause, ...fields } = this.toInit();
    return { name: this.name, ...fields };
  }

  /** A copy with another message and operation, for errors re-raised by a higher-level step. */
  withContext(operation: string, message: string, extra?: Pick<PaletteErrorInit, "orphanedKeyName">): PaletteError {
    return new PaletteError({ ...this.toInit(), ...extra, operation, message });
  }

  private toInit(): PaletteErrorInit {
    const cause = this.cause instanceof Error ? this.cause : undefined;
    return {
      code: this.code,
      message: this.message,
      operation: this.operation,
      method: this.method,
      path: this.path,
      attempts: this.attempts,
      mayHaveReachedServer: this.mayHaveReachedServer,
      ...(this.resource !== undefined && { resource: this.resource }),
      ...(this.connectFailure !== undefined && { connectFailure: this.connectFailure }),
      ...(this.orphanedKeyName !== undefined && { orphanedKeyName: this.orphanedKeyName }),
      ...(this.status !== undefined && { status: this.status }),
      ...(this.paletteCode !== undefined && { paletteCode: this.paletteCode }),
      ...(this.paletteMessage !== undefined && { paletteMessage: this.paletteMessage }),
      ...(this.ref !== undefined && { ref: this.ref }),
      ...(this.details !== undefined && { details: this.details }),
      ...(this.retryAfterMs !== undefined && { retryAfterMs: this.retryAfterMs }),
      ...(this.issues !== undefined && { issues: this.issues }),
      ...(cause !== undefined && { cause }),
    };
  }
}

/** True for a `PaletteError` from any copy of this module (brand check, not `instanceof`). */
export function isPaletteError(e: unknown): e is PaletteError {
  return typeof e === "object" && e !== null && (e as { [kPaletteError]?: unknown })[kPaletteError] === true;
}

/** True when `e` is a `PaletteError` with code `NOT_FOUND`. */
export function isNotFound(e: unknown): e is PaletteError {
  return isPaletteError(e) && e.code === "NOT_FOUND";
}
