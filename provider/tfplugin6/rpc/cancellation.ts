/**
 * StopProvider's effect (and SIGTERM's): every call in flight sees its signal abort; calls that
 * start afterwards get a fresh signal (Terraform may go on using the process, e.g. to Shutdown it
 * cleanly). What an abort stops is the provider's choice; the safe one is only what was not sent,
 * so that a write already sent finishes and its result reaches Terraform, which records it.
 */
export class Cancellation {
  private controller = new AbortController();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  stop(reason: string): void {
    const stopped = this.controller;
    this.controller = new AbortController();
    stopped.abort(new DOMException(reason, "AbortError"));
  }
}
