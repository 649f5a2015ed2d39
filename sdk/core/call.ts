/**
 * Calls: one invocation of an SDK method is one call, whose requests share its name, what it handles,
 * its cancellation and its time budget.
 */
import type { PaletteResource } from "../errors";

/** One SDK call (e.g. `apiKeys.create`): its name, cancellation and time budget, shared by all its requests. */
export interface Call {
  /** SDK method name, e.g. `"apiKeys.create"`, used in errors and logs. */
  readonly operation: string;
  /** What the call handles, said by the resource module that started it: the noun its errors use. */
  readonly resource: PaletteResource | undefined;
  /**
   * The caller's signal until the call hands a write to the transport; undefined from then on (see
   * `commit`). Every wait of the call (pacing, back-off, shared answers) reads it afresh.
   */
  readonly signal: AbortSignal | undefined;
  /**
   * The caller's signal whether or not a write went out. Not for what is already sent (that runs to
   * its end): only to decide not to START another write, or to cut a wait before one (a create's
   * back-off before it would POST again), once the caller cancelled.
   */
  readonly callerSignal: AbortSignal | undefined;
  /** True once the caller's signal aborted, also after a write went out. */
  readonly cancelRequested: boolean;
  /** True once a write of this call was handed to the transport: a cancel can no longer mean "nothing was changed". */
  readonly committed: boolean;
  /**
   * Marks that a write of this call is about to go out. A write that may have reached Palette is
   * never abandoned: once the server may act on it, only the answer tells what Palette now holds (a
   * created key's value exists only there), so the rest of the call (the write itself, its retries,
   * a create's confirmation or lost-answer clean-up) runs to its end, bounded by the timeout and
   * deadline, whatever the caller's signal does.
   */
  commit(): void;
  /** Clock milliseconds (see `Clock.nowMs`) after which nothing new is started. */
  readonly deadlineAt: number;
  readonly deadlineMs: number;
  /** Per-attempt budget. */
  readonly timeoutMs: number;
}

class SdkCall implements Call {
  // ES private fields: a call compares (and prints) as its plain budget fields.
  #written = false;
  readonly #callerSignal: AbortSignal | undefined;

  constructor(
    readonly operation: string,
    callerSignal: AbortSignal | undefined,
    readonly deadlineAt: number,
    readonly deadlineMs: number,
    readonly timeoutMs: number,
    readonly resource: PaletteResource | undefined,
  ) {
    this.#callerSignal = callerSignal;
  }

  get signal(): AbortSignal | undefined {
    return this.#written ? undefined : this.#callerSignal;
  }

  get callerSignal(): AbortSignal | undefined {
    return this.#callerSignal;
  }

  get cancelRequested(): boolean {
    return this.#callerSignal?.aborted === true;
  }

  get committed(): boolean {
    return this.#written;
  }

  commit(): void {
    this.#written = true;
  }
}

/** Starts a call now: per-call overrides win over the client's defaults. */
export function startCall(
  operation: string,
  nowMs: number,
  defaults: { readonly timeoutMs: number; readonly deadlineMs: number },
  options?: { readonly signal?: AbortSignal; readonly timeoutMs?: number; readonly deadlineMs?: number },
  resource?: PaletteResource,
): Call {
  const deadlineMs = options?.deadlineMs ?? defaults.deadlineMs;
  return new SdkCall(operation, options?.signal, nowMs + deadlineMs, deadlineMs, options?.timeoutMs ?? defaults.timeoutMs, resource);
}
