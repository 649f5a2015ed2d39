/**
 * What one run knows while it runs, as the engine's deployment and its snapshot manager keep it
 * (pkg/resource/deploy/deployment.go, pkg/backend/snapshot.go): the stack as it was loaded, the new
 * stack as its steps complete, what was registered, replaced, deleted or failed, the steps in flight,
 * the steps and errors to report, whether the run is halting. The step generator, the steps and the
 * cancellation all work on this one object, so it is the only place a run's state is kept.
 *
 * It also writes the checkpoint: after every step, as the engine's snapshot manager does, the stack
 * as it stands (what this run recorded, the old entries no step has touched yet, the old halves of
 * replacements still to delete), so a runner killed mid-run still knows what it created; and at the
 * end, the new stack with its outputs.
 */
import { randomUUID } from "node:crypto";
import { dependencyOrder } from "./dependency-order";
import type { PassphraseCrypter } from "./passphrase-crypter";
import { countSteps, formatStep, maskUnknowns, summarize, SECRET_MASK, type Step } from "./render-steps";
import type { RunOptions, RunResult } from "./run-api";
import { SecretValues } from "./secrets";
import { emptyState, loadState, saveState, type ResourceState, type StackState } from "./state-file";
import type { PropertyMap } from "./wire-values";

export class RunState {
  readonly o: RunOptions;
  readonly passphrase: string | undefined;
  readonly preview: boolean;
  /** Every plain secret value seen so far: each printed line is scrubbed of them. */
  readonly secrets = new SecretValues();
  /** The stack as loaded (the refresh pass replaces it with what it read). */
  old: StackState;
  /** Resources of the new state, in the order their steps completed. */
  readonly next: ResourceState[] = [];
  /** URNs registered in this run, and the old URNs they took over through aliases. */
  readonly registered = new Set<string>();
  /** Old URN -> the URN that took it over through an alias. */
  readonly aliasedTo = new Map<string, string>();
  /** Old halves of create-before-delete replacements, deleted after the program. */
  readonly replaced: ResourceState[] = [];
  /** Entries of the old state (or old halves) that this run deleted or dropped. */
  readonly deleted = new Set<ResourceState>();
  /** URNs whose step failed or was refused (with `continueOnError`, their dependents are refused too). */
  readonly failed = new Set<string>();
  readonly refreshSteps: Step[] = [];
  readonly steps: Step[] = [];
  readonly errors: string[] = [];
  /** Errors the program logged; they count only when no step failed (else they are its echo). */
  readonly programErrors: string[] = [];
  /** The root stack's outputs as the runtime registered them (secrets marked by the runtime). */
  stackOutputs: { values: PropertyMap; secretKeys: string[] } | undefined;
  /** The stack outputs the run ends with, and the names of the secret ones. */
  outputs: Record<string, unknown> = {};
  secretOutputNames: string[] = [];
  /** Set by a cancel: no new step starts. */
  cancelled = false;
  /** Settles when the run halts: a failed step (never with `continueOnError`) or a cancel. */
  readonly halted: Promise<void>;
  private onHalt: () => void = () => undefined;
  /** Steps in flight, by the name of their resource: awaited before the deletes, named if abandoned. */
  private readonly inflight = new Map<Promise<unknown>, string>();
  /** The default provider's id: the old one, or a new one for a new stack. */
  private providerId: string = randomUUID();
  private crypter: PassphraseCrypter | undefined;
  private isLoaded = false;

  constructor(o: RunOptions) {
    this.halted = new Promise((resolve) => (this.onHalt = resolve));
    this.o = o;
    this.passphrase = o.passphrase ?? process.env.PULUMI_CONFIG_PASSPHRASE;
    this.preview = o.operation === "preview";
    this.old = emptyState(o.project, o.stack);
  }

  /** Set once the old state is loaded: from then on the state file can be written. */
  get loaded(): boolean {
    return this.isLoaded;
  }

  /** Reads the stack from the state file, and the secret values it holds. */
  load(): void {
    const loaded = loadState(this.o.stateFile, this.o.project, this.o.stack, this.passphrase);
    this.old = this.withoutStalePendingDeletes(loaded.state);
    this.isLoaded = true;
    if (this.old.providerId) this.providerId = this.old.providerId;
    this.crypter = loaded.crypter;
    for (const r of this.old.resources) this.secrets.addResource(r);
  }

  /**
   * Claims `urn` for this run (a second registration is an error) and returns its old entry, found
   * by URN or by one of `aliases`; an old URN taken over through an alias is remembered.
   */
  claim(urn: string, aliases: readonly string[]): ResourceState | undefined {
    if (this.registered.has(urn)) throw new Error(`duplicate resource URN ${urn}`);
    const { resources } = this.old;
    const old = resources.find((r) => r.urn === urn && !r.pendingDelete) ?? resources.find((r) => aliases.includes(r.urn) && !r.pendingDelete);
    this.registered.add(urn);
    if (old) {
      this.registered.add(old.urn);
      if (old.urn !== urn) this.aliasedTo.set(old.urn, urn);
    }
    return old;
  }

  /** Halts the run: the program is stopped once the steps in flight have settled. */
  stop(): void {
    this.onHalt();
  }

  /** `step`, counted in flight (by its resource's name) until it settles. */
  async track<T>(name: string, step: Promise<T>): Promise<T> {
    this.inflight.set(step, name);
    try {
      return await step;
    } finally {
      this.inflight.delete(step);
    }
  }

  /** The names of the resources whose steps are in flight. */
  inflightNames(): string[] {
    return [...this.inflight.values()];
  }

  async settleInflight(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight.keys()]);
  }

  /** Records a step in `list` and prints it, masked. */
  record(list: Step[], step: Step): void {
    list.push(step);
    for (const line of formatStep(step)) this.say(line);
  }

  /** Records a failure (scrubbed) once and returns its message. */
  fail(e: unknown, prefix = ""): string {
    const raw = e instanceof Error ? e.message : String(e);
    const message = this.secrets.scrub(raw.includes(prefix) ? raw : `${prefix}${raw}`);
    if (!this.errors.some((m) => message.includes(m) || m.includes(message))) {
      this.errors.push(message);
      this.o.log?.(`error: ${message}`);
    }
    return message;
  }

  /** Prints a line through `log`, scrubbed of every secret value seen so far. */
  say(line: string): void {
    this.o.log?.(this.secrets.scrub(line));
  }

  /** A line the user must see (a cancel, an abandon): through `log`, or on stderr without one. */
  notice(line: string): void {
    const text = this.secrets.scrub(line);
    if (this.o.log !== undefined) this.o.log(text);
    else process.stderr.write(`${text}\n`);
  }

  /**
   * The stack as it stands now: what this run recorded, the old entries no step has replaced or
   * deleted yet (pending deletes included), and the old halves of replacements still to delete.
   */
  snapshot(): ResourceState[] {
    const inNext = new Set(this.next);
    const present = new Set(this.next.map((r) => r.urn));
    const isPresent = (urn: string): boolean => present.has(urn) || present.has(this.aliasedTo.get(urn) ?? "");
    const untouched = (r: ResourceState): boolean => !this.deleted.has(r) && !inNext.has(r);
    return [
      ...this.next,
      ...this.old.resources.filter((r) => untouched(r) && (r.pendingDelete === true || !isPresent(r.urn))),
      ...this.replaced.filter(untouched),
    ];
  }

  /**
   * Writes the state as it stands after a step, as the engine checkpoints after every step, so a
   * runner killed mid-run still knows what it created. The stack outputs stay the old ones until the
   * run ends.
   */
  checkpoint(): void {
    if (this.preview || this.o.operation === "refresh") return;
    this.write({ resources: dependencyOrder(this.snapshot()), outputs: this.old.outputs, secretOutputs: this.old.secretOutputs });
  }

  /** Writes the state the run ends with (a refresh keeps the old stack outputs). */
  save(): void {
    const refresh = this.o.operation === "refresh";
    this.write({
      resources: dependencyOrder(this.next),
      outputs: refresh ? this.old.outputs : this.outputs,
      secretOutputs: refresh ? this.old.secretOutputs : this.secretOutputNames,
    });
  }

  /** The stack outputs the runtime registered become the run's. */
  takeStackOutputs(): void {
    const { values, secretKeys } = this.stackOutputs ?? { values: {}, secretKeys: [] };
    this.outputs = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
    this.secretOutputNames = secretKeys.filter((k) => k in this.outputs);
  }

  /** A failed update keeps the previous stack outputs, as Pulumi does. */
  keepOldOutputs(): void {
    [this.outputs, this.secretOutputNames] = [this.old.outputs, this.old.secretOutputs];
  }

  /** What the run did, every value masked. */
  result(): RunResult {
    const outputs: Record<string, unknown> = {};
    const source = this.o.operation === "refresh" ? this.old.outputs : this.outputs;
    const secret = this.o.operation === "refresh" ? this.old.secretOutputs : this.secretOutputNames;
    for (const [k, v] of Object.entries(source)) outputs[k] = secret.includes(k) ? SECRET_MASK : maskUnknowns(v);
    const refreshed = this.o.operation === "refresh" || this.o.refresh === true;
    return {
      operation: this.o.operation,
      project: this.o.project,
      stack: this.o.stack,
      refreshSteps: this.refreshSteps,
      steps: this.steps,
      counts: countSteps(this.steps),
      summary: summarize(this.steps, refreshed ? this.refreshSteps : undefined),
      outputs,
      secretOutputs: [...secret],
      errors: [...this.errors],
    };
  }

  private write(state: Pick<StackState, "resources" | "outputs" | "secretOutputs">): void {
    const stack: StackState = { project: this.o.project, stack: this.o.stack, ...state, providerId: this.providerId };
    this.crypter = saveState(this.o.stateFile, stack, this.passphrase, this.crypter);
  }

  /**
   * Drops pending deletes whose id a live entry of the same type holds. Only an earlier version of
   * this runner wrote that (it marked the old resource pending delete before the replacement
   * existed, and kept it live too when the create failed); deleting it would delete the live
   * resource. The engine has no such rule because it never writes such a state.
   */
  private withoutStalePendingDeletes(state: StackState): StackState {
    const live = new Set(state.resources.filter((r) => !r.pendingDelete && !r.pendingReplacement).map((r) => `${r.type}\0${r.id}`));
    const resources = state.resources.filter((r) => {
      if (!r.pendingDelete || !live.has(`${r.type}\0${r.id}`)) return true;
      this.o.log?.(`warning: dropped a stale pending delete of ${r.type} ${r.name} (id ${r.id}): the same id is live in the state, so it is not deleted`);
      return false;
    });
    return { ...state, resources };
  }
}
