/**
 * One request shared by everyone who asked for it before it went on the wire: a refresh of 500 keys
 * or a burst of creates needs one `GET /v1/apiKeys` list, not one request each. Never a stale answer:
 * whoever asks once a request is on its way waits for the next one, so every answer describes
 * Palette after the question was asked. At most one request is out at a time; the next batch goes
 * when it is answered, after a short quiet spell in which more callers may join, but only when callers
 * come in crowds: a lone caller (a plan of one key, an engine working one resource at a time) is
 * sent at once, so sharing costs sequential work nothing.
 */

/**
 * How long a batch waits, once nothing is in flight, for the next caller before it is sent: the
 * engine's reads of a refresh reach the provider one by one, some ms apart, while it works on the
 * earlier ones. Each caller who joins restarts the wait, up to `MAX_GATHER_MS` in all.
 */
export const GATHER_MS = 50;
export const MAX_GATHER_MS = 2_000;
/** A batch of several callers answered this recently means more are likely on their way. */
export const CROWD_MEMORY_MS = 1_000;

class Batch<T> {
  callers = 0;
  readonly answer: Promise<T>;
  /** `run` sees the batch it answers: it reads `callers` after its first await, once they have joined. */
  constructor(run: (batch: Batch<T>) => Promise<T>) {
    this.answer = run(this);
  }
}

export class SharedRequest<T> {
  /** The batch still taking callers: its request is not on the wire yet. */
  private gathering: Batch<T> | undefined;
  /** When the last batch of more than one caller was answered. */
  private crowdSeenAt = Number.NEGATIVE_INFINITY;
  /** The last batch's answer (settled or not): the next batch starts after it. */
  private previous: Promise<unknown> = Promise.resolve();

  constructor(
    /** Makes the request; calls `onSend` as each attempt goes on the wire. */
    private readonly fetch: (onSend: () => void) => Promise<T>,
    private readonly gatherMs: number = GATHER_MS,
    private readonly maxGatherMs: number = MAX_GATHER_MS,
  ) {}

  /** An answer taken after this call; shared with everyone who asked before it was sent. */
  get(): Promise<T> {
    const batch = this.gathering ?? this.openBatch();
    batch.callers += 1;
    return batch.answer;
  }

  /** Waits while callers keep arriving (each within `gatherMs` of the last), at most `maxGatherMs`. */
  private async gather(batch: Batch<T>): Promise<void> {
    const until = Date.now() + this.maxGatherMs;
    for (let seen = -1; seen !== batch.callers && Date.now() < until; ) {
      seen = batch.callers;
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.gatherMs, Math.max(0, until - Date.now()))));
    }
  }

  /** Whether to wait for more callers: some joined while the previous batch was out, or a crowd was just here. */
  private crowded(batch: Batch<T>): boolean {
    return batch.callers > 1 || Date.now() - this.crowdSeenAt < CROWD_MEMORY_MS;
  }

  private openBatch(): Batch<T> {
    const after = this.previous;
    const batch = new Batch<T>(async (self) => {
      // Not yet in flight: runs only after the await below, once `this.gathering` is this batch.
      const close = (): void => {
        if (this.gathering === self) this.gathering = undefined;
      };
      await after.catch(() => undefined);
      if (this.gatherMs > 0 && this.crowded(self)) await this.gather(self);
      try {
        return await this.fetch(close);
      } finally {
        if (self.callers > 1) this.crowdSeenAt = Date.now();
        // Failed before anything was sent (a deadline while paced, a closed client): the next caller starts afresh.
        close();
      }
    });
    // Every caller may have given up (aborted): a failure nobody awaits must not crash the process.
    batch.answer.catch(() => undefined);
    this.previous = batch.answer;
    this.gathering = batch;
    return batch;
  }
}
