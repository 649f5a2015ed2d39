/**
 * One request shared by everyone who asked for it before it went on the wire: a refresh of 500 keys
 * or a burst of creates needs one `GET /v1/apiKeys` list, not one request each. Never a stale answer:
 * whoever asks once a request is on its way waits for the next one, so every answer describes
 * Palette after the question was asked. At most one request is out at a time; the next batch goes
 * when it is answered, after a short quiet spell in which more callers may join.
 */

/** How long a new batch waits for more callers once nothing is in flight (a refresh's reads arrive over a few ms). */
export const GATHER_MS = 5;

export class SharedRequest<T> {
  /** The batch still taking callers: its request is not on the wire yet. */
  private gathering: { answer: Promise<T> } | undefined;
  /** The last batch's answer (settled or not): the next batch starts after it. */
  private previous: Promise<unknown> = Promise.resolve();

  constructor(
    /** Makes the request; calls `onSend` as each attempt goes on the wire. */
    private readonly fetch: (onSend: () => void) => Promise<T>,
    private readonly gatherMs: number = GATHER_MS,
  ) {}

  /** An answer taken after this call; shared with everyone who asked before it was sent. */
  get(): Promise<T> {
    return (this.gathering ?? this.openBatch()).answer;
  }

  private openBatch(): { answer: Promise<T> } {
    const after = this.previous;
    // `batch` is declared below; `close` runs only after at least one await, when it exists.
    const close = (): void => {
      if (this.gathering === batch) this.gathering = undefined;
    };
    const answer = (async () => {
      await after.catch(() => undefined);
      if (this.gatherMs > 0) await new Promise((resolve) => setTimeout(resolve, this.gatherMs));
      try {
        return await this.fetch(close);
      } finally {
        // Failed before anything was sent (a deadline while paced, a closed client): the next caller starts afresh.
        close();
      }
    })();
    const batch = { answer };
    // Every caller may have given up (aborted): a failure nobody awaits must not crash the process.
    answer.catch(() => undefined);
    this.previous = answer;
    this.gathering = batch;
    return batch;
  }
}
