/**
 * Ctrl-C, as the engine and the Pulumi CLI answer it. A cancel (the caller's `signal`, or with
 * `cancelOnSignals` the first SIGINT/SIGTERM) is the engine's cancellation context: the run fails, so
 * no new step starts; the provider is sent `Cancel`; the steps in flight run to their end and are
 * saved. A second signal is the CLI's second Ctrl-C: the state is saved as it stands, the provider
 * host and the program are killed, and the process exits with 128 + the signal's number.
 *
 * Apart from the steps because it is process-wide (signal handlers, `process.exit`) where the rest
 * of a run is not, and because it must work before the run has loaded anything.
 */
import * as os from "node:os";
import { endChildren } from "./child-processes";
import type { RunState } from "./run-state";

/** The reason a SIGINT/SIGTERM handler aborts a run with: the cancel then names the signal. */
export class Interrupted extends Error {
  constructor(readonly signalName: NodeJS.Signals) {
    super(`${signalName} received`);
    this.name = "Interrupted";
  }
}

/**
 * SIGINT/SIGTERM handlers while they are installed: the first signal aborts `controller` (the run
 * cancels), a later one calls `again` (the run stops at once), as the Pulumi CLI's second Ctrl-C.
 */
export function onInterrupt(controller: AbortController, again: (name: NodeJS.Signals) => void): { remove(): void } {
  const handler = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) again(name);
    else controller.abort(new Interrupted(name));
  };
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM"];
  for (const name of signals) process.on(name, handler);
  return { remove: () => signals.forEach((name) => process.off(name, handler)) };
}

/** One run's cancel, once its provider is started. */
export class Cancellation {
  /** The failure the cancel recorded: completed once the steps in flight have ended and are saved. */
  private failure: string | undefined;

  constructor(
    private readonly state: RunState,
    /** The run's providers (`ProviderRegistry`): each started one is sent `Cancel`. */
    private readonly provider: { cancel(): Promise<void> },
  ) {}

  /**
   * The engine's answer to Ctrl-C (its cancellation context): the run fails, so no new step
   * starts; the provider is told; the steps in flight go on, and the run saves their results.
   */
  cancel(): void {
    const { state } = this;
    if (state.cancelled) return;
    state.cancelled = true;
    const reason: unknown = state.o.signal?.reason;
    const by = reason instanceof Interrupted ? reason.signalName : undefined;
    const op = state.o.operation;
    const names = state.inflightNames();
    const waiting = names.length === 0 ? "no step is in flight" : `waiting for the ${names.length} step(s) in flight to end (${names.join(", ")})`;
    const again = by === undefined ? "" : `; ${by} again stops at once, and what they make is then not recorded`;
    state.notice(`${by === undefined ? "cancel requested" : `${by} received`}: cancelling the ${op}: no new step starts, ${waiting}${again}`);
    this.failure = state.fail(new Error(`${op} cancelled${by === undefined ? "" : ` (${by})`}: no step was started after the cancel`));
    this.provider.cancel().catch(() => undefined);
    state.stop();
  }

  /** After a cancel, once the steps in flight have ended and the state is saved: the cancel's failure says so. */
  complete(): void {
    const { state } = this;
    const i = this.failure === undefined ? -1 : state.errors.indexOf(this.failure);
    if (i < 0) return;
    const saved = state.preview || state.o.operation === "refresh" ? "" : ", and what they made is in the state file";
    state.errors[i] = `${this.failure}; the steps in flight then ran to their end${saved}`;
    state.o.log?.(`   ${state.errors[i]}`);
  }
}

/**
 * A second SIGINT/SIGTERM, as the Pulumi CLI's second Ctrl-C: stop now. The state is saved as it
 * stands (what the steps in flight make is not in it), the provider host and the program are
 * killed, and this process exits with 128 + the signal's number.
 */
export function abandon(state: RunState, name: NodeJS.Signals): never {
  const names = state.inflightNames();
  const what =
    names.length === 0
      ? "no step was in flight"
      : `without waiting for the ${names.length} step(s) in flight (${names.join(", ")}); the state file keeps what was recorded before. ` +
        "A key those steps created may be in Palette without being in the state (its value is lost): find it with `npx palette-apikeys audit` and delete it";
  state.notice(`${name} received again: stopping at once, ${what}`);
  if (state.loaded) {
    try {
      state.checkpoint();
    } catch (e) {
      state.notice(`the state could not be saved: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  endChildren();
  process.exit(128 + (os.constants.signals[name] ?? 0));
}
