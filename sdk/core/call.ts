/** One SDK call (e.g. `apiKeys.create`): its name, cancellation and time budget, shared by all its requests. */
export interface Call {
  /** SDK method name, e.g. `"apiKeys.create"`, used in errors and logs. */
  readonly operation: string;
  readonly signal: AbortSignal | undefined;
  /** Clock milliseconds (see `Clock.nowMs`) after which nothing new is started. */
  readonly deadlineAt: number;
  readonly deadlineMs: number;
  /** Per-attempt budget. */
  readonly timeoutMs: number;
}

/** Starts a call now: per-call overrides win over the client's defaults. */
export function startCall(
  operation: string,
  nowMs: number,
  defaults: { readonly timeoutMs: number; readonly deadlineMs: number },
  options?: { readonly signal?: AbortSignal; readonly timeoutMs?: number; readonly deadlineMs?: number },
): Call {
  const deadlineMs = options?.deadlineMs ?? defaults.deadlineMs;
  return {
    operation,
    signal: options?.signal,
    deadlineAt: nowMs + deadlineMs,
    deadlineMs,
    timeoutMs: options?.timeoutMs ?? defaults.timeoutMs,
  };
}
