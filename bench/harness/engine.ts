/**
 * A small engine-like loop over a {@link ProviderPort}: `up` and `destroy` of a stack of ApiKey
 * resources, making the calls the Pulumi engine makes and keeping state the way it does
 * (docs/reference/pulumi-dynamic.md §4): a create that fails with an id is recorded with init errors and the next
 * `up` calls update on it; a plain create failure records nothing; a failed update keeps the old
 * state; a replacement creates the new key first, marks the old one pending delete and deletes it;
 * pending deletes are retried at the start of the next `up`. Every provider call has a deadline.
 *
 * Differences from the real engine, on purpose: no dependency graph (resources are independent), a
 * replaced key is deleted right after its replacement is created rather than in a final delete pass,
 * and a failing resource does not stop the others (like `pulumi up --continue-on-error`).
 */
import { inspect } from "node:util";
import { PartialFailure, type ProviderPort } from "./ports";
import type { Props } from "./program";

const TYPE = "pulumi-nodejs:dynamic/palette:ApiKey";

export interface ResourceState {
  id: string;
  inputs: Props;
  outputs: Props;
  /** The last create/update failed after the key existed: the next `up` must call update. */
  initErrors: boolean;
}

export interface PendingDelete {
  name: string;
  id: string;
  outputs: Props;
}

export type Operation = "check" | "diff" | "create" | "update" | "read" | "delete";

export interface EngineStats {
  calls: Record<Operation, number>;
  failed: Record<Operation, number>;
  /** Failures that carried an id (recorded with init errors). */
  partial: number;
  /** Calls that passed their deadline. */
  hung: number;
  /** `up` runs, and those that ended with errors (each of which a user would re-run). */
  ups: number;
  failedUps: number;
  /** Longest single provider call, ms. */
  slowestCallMs: number;
}

export interface EngineOptions {
  port: ProviderPort;
  /** How many resources are worked on at once (`pulumi up --parallel`). @default 10 */
  parallel?: number;
  /** Deadline of one provider call; passing it counts as hung and fails the step. @default 60000 */
  callDeadlineMs?: number;
  project?: string;
  stack?: string;
}

/** Thrown for a provider call that passed its deadline. */
export class CallDeadlineError extends Error {
  override readonly name = "CallDeadlineError";
}

const zero = (): Record<Operation, number> => ({ check: 0, diff: 0, create: 0, update: 0, read: 0, delete: 0 });

export class MiniEngine {
  readonly resources = new Map<string, ResourceState>();
  readonly pendingDeletes: PendingDelete[] = [];
  readonly stats: EngineStats = { calls: zero(), failed: zero(), partial: 0, hung: 0, ups: 0, failedUps: 0, slowestCallMs: 0 };
  /** Every error a call produced, as thrown (for secret scans). */
  readonly errors: unknown[] = [];
  /** Every key value a create returned, also in partial failures. */
  readonly keyValues = new Set<string>();

  private readonly port: ProviderPort;
  private readonly parallel: number;
  private readonly deadlineMs: number;
  private readonly project: string;
  private readonly stack: string;

  constructor(o: EngineOptions) {
    this.port = o.port;
    this.parallel = o.parallel ?? 10;
    this.deadlineMs = o.callDeadlineMs ?? 60_000;
    this.project = o.project ?? "palette-reliability";
    this.stack = o.stack ?? "dev";
  }

  urn(name: string): string {
    return `urn:pulumi:${this.stack}::${this.project}::${TYPE}::${name}`;
  }

  /** One `pulumi up` of `program` (logical name -> program inputs). Resolves with the error messages (empty: success). */
  async up(program: ReadonlyMap<string, Props>): Promise<string[]> {
    this.stats.ups += 1;
    const errors: string[] = [];
    const attempt = async (what: string, run: () => Promise<void>): Promise<void> => {
      try {
        await run();
      } catch (e) {
        errors.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    await forEachLimited([...this.pendingDeletes], this.parallel, (p) => attempt(`delete ${p.name} (replaced)`, () => this.deletePending(p)));
    await forEachLimited([...program], this.parallel, ([name, news]) => attempt(name, () => this.step(name, news)));
    const gone = [...this.resources.keys()].filter((name) => !program.has(name));
    await forEachLimited(gone, this.parallel, (name) => attempt(`delete ${name}`, () => this.deleteResource(name)));
    if (errors.length > 0) this.stats.failedUps += 1;
    return errors;
  }

  /** `pulumi up` again while it fails, at most `maxRuns` times in all, as a user re-runs a pipeline. */
  async upUntilDone(program: ReadonlyMap<string, Props>, maxRuns: number): Promise<{ runs: number; errors: string[] }> {
    let errors: string[] = [];
    for (let run = 1; run <= maxRuns; run++) {
      errors = await this.up(program);
      if (errors.length === 0) return { runs: run, errors };
    }
    return { runs: maxRuns, errors };
  }

  /** `pulumi destroy`, re-run while it fails (at most `maxRuns` times). */
  async destroy(maxRuns: number): Promise<{ runs: number; errors: string[] }> {
    return this.upUntilDone(new Map(), maxRuns);
  }

  /** What a preview of `program` would change (names), without changing anything: check + diff only. */
  async pendingChanges(program: ReadonlyMap<string, Props>): Promise<string[]> {
    const changed: string[] = [];
    for (const [name, news] of program) {
      const prior = this.resources.get(name);
      if (prior === undefined || prior.initErrors) {
        changed.push(name);
        continue;
      }
      const checked = await this.call("check", () => this.port.check(this.urn(name), prior.inputs, news));
      const diff = await this.call("diff", () => this.port.diff(prior.id, this.urn(name), prior.outputs, checked.inputs));
      if (diff.changes || diff.replaces.length > 0) changed.push(name);
    }
    for (const name of this.resources.keys()) if (!program.has(name)) changed.push(name);
    return [...changed, ...this.pendingDeletes.map((p) => `${p.name} (pending delete)`)];
  }

  private async step(name: string, news: Props): Promise<void> {
    const urn = this.urn(name);
    const prior = this.resources.get(name);
    if (prior === undefined) {
      const checked = await this.checked(name, {}, news);
      return this.createInto(name, checked);
    }
    const checked = await this.checked(name, prior.inputs, news);
    const diff = await this.call("diff", () => this.port.diff(prior.id, urn, prior.outputs, checked));
    if (diff.replaces.length > 0) {
      // The engine checks the replacement again with empty olds (a fresh autoname).
      const fresh = await this.checked(name, {}, news);
      if (diff.deleteBeforeReplace) {
        await this.call("delete", () => this.port.delete(prior.id, urn, prior.outputs));
        this.resources.delete(name);
        return this.createInto(name, fresh);
      }
      await this.createInto(name, fresh, prior);
      return;
    }
    if (!diff.changes && !prior.initErrors) {
      this.resources.set(name, { ...prior, inputs: checked });
      return;
    }
    try {
      const outputs = await this.call("update", () => this.port.update(prior.id, urn, prior.outputs, checked, prior.inputs));
      this.resources.set(name, { id: prior.id, inputs: checked, outputs, initErrors: false });
    } catch (e) {
      if (e instanceof PartialFailure) this.resources.set(name, { id: e.id, inputs: checked, outputs: e.properties, initErrors: true });
      throw e;
    }
  }

  private async checked(name: string, olds: Props, news: Props): Promise<Props> {
    const r = await this.call("check", () => this.port.check(this.urn(name), olds, news));
    if (r.failures.length > 0) throw new Error(`check failed: ${r.failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
    return r.inputs;
  }

  /** Creates `name`; with `replacing`, the old resource becomes a pending delete once the new one exists, then is deleted. */
  private async createInto(name: string, inputs: Props, replacing?: ResourceState): Promise<void> {
    const record = (state: ResourceState): void => {
      this.remember(state.outputs);
      this.resources.set(name, state);
      if (replacing !== undefined) this.pendingDeletes.push({ name, id: replacing.id, outputs: replacing.outputs });
    };
    try {
      const created = await this.call("create", () => this.port.create(this.urn(name), inputs));
      record({ id: created.id, inputs, outputs: created.outputs, initErrors: false });
    } catch (e) {
      if (e instanceof PartialFailure) record({ id: e.id, inputs, outputs: e.properties, initErrors: true });
      throw e;
    }
    if (replacing !== undefined) {
      const pending = this.pendingDeletes.find((p) => p.id === replacing.id);
      if (pending !== undefined) await this.deletePending(pending);
    }
  }

  private async deletePending(p: PendingDelete): Promise<void> {
    await this.call("delete", () => this.port.delete(p.id, this.urn(p.name), p.outputs));
    const at = this.pendingDeletes.indexOf(p);
    if (at >= 0) this.pendingDeletes.splice(at, 1);
  }

  private async deleteResource(name: string): Promise<void> {
    const state = this.resources.get(name);
    if (state === undefined) return;
    await this.call("delete", () => this.port.delete(state.id, this.urn(name), state.outputs));
    this.resources.delete(name);
  }

  private remember(outputs: Props): void {
    if (typeof outputs.key === "string" && outputs.key !== "") this.keyValues.add(outputs.key);
  }

  /** Runs one provider call under the deadline, counting it. */
  private async call<T>(op: Operation, run: () => Promise<T>): Promise<T> {
    this.stats.calls[op] += 1;
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CallDeadlineError(`${op} passed its deadline of ${this.deadlineMs} ms`)), this.deadlineMs);
    });
    try {
      return await Promise.race([run(), deadline]);
    } catch (e) {
      this.stats.failed[op] += 1;
      if (e instanceof CallDeadlineError) this.stats.hung += 1;
      if (e instanceof PartialFailure) this.stats.partial += 1;
      this.errors.push(e);
      throw e;
    } finally {
      clearTimeout(timer);
      this.stats.slowestCallMs = Math.max(this.stats.slowestCallMs, Math.round(performance.now() - started));
    }
  }
}

/** Runs `fn` over `items`, at most `limit` at a time. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/**
 * What a user would read of an error: message, stack, init-failure reasons, `util.inspect` and JSON
 * (causes included), for secret scans. The `key` inside init-failure `properties` is left out: those
 * properties are state, where the key value belongs (the engine stores it as a secret).
 */
export function errorTexts(e: unknown): string[] {
  const view = errorView(e, 0);
  const texts = [inspect(view, { depth: 10 }), JSON.stringify(view)];
  if (e instanceof Error) texts.push(e.message, String(e.stack));
  return texts;
}

function errorView(e: unknown, depth: number): unknown {
  if (typeof e !== "object" || e === null || depth > 5) return e;
  const view: Record<string, unknown> = {};
  if (e instanceof Error) Object.assign(view, { name: e.name, message: e.message, stack: e.stack });
  for (const [k, v] of Object.entries(e)) view[k] = v;
  if (e instanceof Error && e.cause !== undefined) view.cause = errorView(e.cause, depth + 1);
  const props = view.properties;
  if (typeof props === "object" && props !== null && "key" in props) view.properties = { ...props, key: "[state]" };
  return view;
}
