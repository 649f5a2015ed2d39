/**
 * The ephemeral resources a process opened and Terraform has not closed. Terraform 1.11 closes an
 * ephemeral resource in a graph node of its own, which it skips when something upstream failed (a
 * failed apply): the resource would then outlive the run. So the server closes whatever is still
 * open before the process exits (Terraform's Shutdown, SIGTERM, or Terraform gone), within a budget
 * that fits go-plugin's two seconds between Shutdown and a kill.
 */
export const CLOSE_BUDGET_MS = 1_500;

export class StillOpen {
  private readonly open = new Map<number, () => Promise<unknown>>();
  private next = 0;
  private closing: Promise<void> | undefined;

  /** Records an opened resource and how to close it; returns its token. */
  add(close: () => Promise<unknown>): number {
    const token = this.next++;
    this.open.set(token, close);
    return token;
  }

  remove(token: number): void {
    this.open.delete(token);
  }

  get size(): number {
    return this.open.size;
  }

  /** Closes everything still open, at most `budgetMs` long; failures are the log's (`onError`). Once per process. */
  closeAll(budgetMs: number = CLOSE_BUDGET_MS, onError: (e: unknown) => void = () => undefined): Promise<void> {
    this.closing ??= (async () => {
      const closes = [...this.open.values()].map((close) => close().catch(onError));
      this.open.clear();
      if (closes.length === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, budgetMs)));
      await Promise.race([Promise.all(closes).then(() => undefined), timeout]);
      clearTimeout(timer);
    })();
    return this.closing;
  }
}
