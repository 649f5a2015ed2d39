/**
 * StopProvider's effect: every call in flight sees its signal abort; calls that start afterwards
 * get a fresh signal (Terraform may go on using the process, e.g. to Shutdown it cleanly).
 */
export class Cancellation {
  private controller = new AbortController();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  stop(): void {
    const stopped = this.controller;
    this.controller = new AbortController();
    stopped.abort(new DOMException("Terraform called StopProvider", "AbortError"));
  }
}
