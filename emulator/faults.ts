/**
 * Fault injection: status codes, latency (before or after the handler commits), dropped connections
 * and lost responses, per method and path, so the SDK's retries and the providers' no-orphan rules
 * are tested against the failures a real network and server produce.
 */
import type { FaultAction, FaultInjector, FaultRule } from "./options";

interface RuleState {
  readonly method: string | undefined;
  readonly path: string | RegExp | undefined;
  readonly times: number;
  readonly skip: number;
  readonly rate: number | undefined;
  readonly actions: readonly FaultAction[];
  seen: number;
  faulted: number;
}

const KINDS: readonly FaultAction["kind"][] = ["status", "latency", "drop", "lostResponse"];

/** Scripted faults: rules checked in order, the first matching one decides, rates drawn from a seeded PRNG. */
export class Faults implements FaultInjector {
  private rules: RuleState[] = [];
  private random: () => number;
  private matched = 0;
  private byKind = zeroByKind();

  constructor(private readonly seed: number) {
    this.random = mulberry32(seed);
  }

  get stats(): FaultInjector["stats"] {
    return { matched: this.matched, byKind: { ...this.byKind } };
  }

  add(rule: FaultRule): void {
    this.rules.push(validRule(rule));
  }

  clear(): void {
    this.rules = [];
    this.matched = 0;
    this.byKind = zeroByKind();
    this.random = mulberry32(this.seed);
  }

  /** The fault to apply to this request, if any; counts it. */
  pick(method: string, path: string): FaultAction | undefined {
    for (const rule of this.rules) {
      if (!matches(rule, method, path) || rule.faulted >= rule.times) continue;
      rule.seen += 1;
      if (rule.seen <= rule.skip) return undefined;
      if (rule.rate !== undefined && this.random() >= rule.rate) return undefined;
      const action = rule.actions.length === 1 ? rule.actions[0] : rule.actions[Math.floor(this.random() * rule.actions.length)];
      if (action === undefined) return undefined;
      rule.faulted += 1;
      this.matched += 1;
      this.byKind[action.kind] += 1;
      return action;
    }
    return undefined;
  }
}

function matches(rule: RuleState, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method !== method.toUpperCase()) return false;
  if (rule.path === undefined) return true;
  return typeof rule.path === "string" ? rule.path === path : rule.path.test(path);
}

function validRule(rule: FaultRule): RuleState {
  const actions = ([] as FaultAction[]).concat(rule.action);
  if (actions.length === 0) throw new RangeError("fault action list must not be empty");
  for (const action of actions) validAction(action);
  if (rule.rate !== undefined && !(rule.rate >= 0 && rule.rate <= 1)) throw new RangeError("fault rate must be within 0..1");
  const times = rule.times ?? (rule.rate !== undefined ? Infinity : 1);
  if (!(times >= 0)) throw new RangeError("fault times must be >= 0");
  const skip = rule.skip ?? 0;
  if (!(Number.isInteger(skip) && skip >= 0)) throw new RangeError("fault skip must be an integer >= 0");
  return {
    method: rule.method?.toUpperCase(),
    // A copy without g/y, whose lastIndex would otherwise make test() alternate between calls.
    path: rule.path instanceof RegExp ? new RegExp(rule.path.source, rule.path.flags.replace(/[gy]/g, "")) : rule.path,
    times,
    skip,
    rate: rule.rate,
    actions: actions.map((a) => ({ ...a })),
    seen: 0,
    faulted: 0,
  };
}

function validAction(action: FaultAction): void {
  if (!KINDS.includes(action.kind)) throw new RangeError(`fault action kind must be one of ${KINDS.join(", ")}`);
  if (action.kind === "status" && !(Number.isInteger(action.status) && action.status >= 100 && action.status <= 599)) {
    throw new RangeError("fault status must be an integer HTTP status (100-599)");
  }
  if (action.kind === "status" && action.retryAfterSeconds !== undefined && !(action.retryAfterSeconds >= 0)) {
    throw new RangeError("fault retryAfterSeconds must be >= 0");
  }
  if (action.kind === "latency" && !(Number.isFinite(action.ms) && action.ms >= 0)) {
    throw new RangeError("fault latency ms must be a finite number >= 0");
  }
}

function zeroByKind(): Record<FaultAction["kind"], number> {
  return { status: 0, latency: 0, drop: 0, lostResponse: 0 };
}

/** mulberry32: a tiny, well-mixed 32-bit PRNG, so a seed reproduces the same fault sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
