/**
 * Renders steps, what the offline runner reports: one step per resource and operation, with changed
 * properties shown old -> new, every secret masked, as lines, counts and a summary. The engine
 * decides the steps (`step-generator.ts`); this only displays them. Pure functions only, so the
 * rendering is unit-tested.
 */
import { UNKNOWN, type PropertyMap } from "./wire-values";

/** Shown in place of any secret value. */
export const SECRET_MASK = "[secret]";
/** Shown in place of a value a preview cannot know yet. */
export const UNKNOWN_MASK = "[unknown]";

/** What happened (or, in a preview, would happen) to one resource. */
export type StepOp = "create" | "update" | "replace" | "delete" | "same" | "read" | "refresh-drift" | "import";

/** One changed top-level property; `old`/`new` are display values (secrets and unknowns masked), absent when the side has none. */
export interface PropertyChange {
  name: string;
  old?: unknown;
  new?: unknown;
}

/** One resource's step. */
export interface Step {
  urn: string;
  type: string;
  name: string;
  op: StepOp;
  /** The resource id after the step (unknown in a preview create; the old id for deletes). */
  id?: string;
  /** Changed properties: inputs for create/update/replace/delete, outputs for refresh drift. */
  changes: PropertyChange[];
  /** For replace: the properties the provider said force it. */
  replaces?: string[];
  /** Set when this step failed (message with secrets scrubbed). */
  error?: string;
}

/** Step counts per op. */
export type StepCounts = Record<StepOp, number>;

/** Display value of one property: masked when secret, `[unknown]` for Pulumi's unknown sentinel. */
export function displayValue(value: unknown, secret: boolean): unknown {
  if (value === undefined) return undefined;
  if (secret) return SECRET_MASK;
  return maskUnknowns(value);
}

/** `value` with Pulumi's unknown sentinel shown as `[unknown]` wherever it stands (stack outputs of a preview). */
export function maskUnknowns(value: unknown): unknown {
  if (value === UNKNOWN) return UNKNOWN_MASK;
  if (Array.isArray(value)) return value.map(maskUnknowns);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskUnknowns(v)]));
  }
  return value;
}

/**
 * Top-level properties that differ between `olds` and `news` (deep JSON comparison), with display
 * values. `__provider` (the serialized provider code) is reported by name only; other `__` names are a
 * provider's bookkeeping, which the Pulumi CLI does not display either (`IsInternalPropertyKey`).
 */
export function changedProperties(olds: PropertyMap, news: PropertyMap, secretOld: readonly string[], secretNew: readonly string[]): PropertyChange[] {
  const keys = [...new Set([...Object.keys(olds), ...Object.keys(news)])].sort();
  const changes: PropertyChange[] = [];
  for (const name of keys) {
    const o = olds[name];
    const n = news[name];
    if (JSON.stringify(o) === JSON.stringify(n)) continue;
    if (name.startsWith("__") && name !== "__provider") continue;
    if (name === "__provider") {
      changes.push({ name, ...(o !== undefined ? { old: "[provider code]" } : {}), ...(n !== undefined ? { new: "[provider code]" } : {}) });
      continue;
    }
    const change: PropertyChange = { name };
    if (o !== undefined) change.old = displayValue(o, secretOld.includes(name));
    if (n !== undefined) change.new = displayValue(n, secretNew.includes(name));
    changes.push(change);
  }
  return changes;
}

/** Counts steps per op. */
export function countSteps(steps: readonly Step[]): StepCounts {
  const counts: StepCounts = { create: 0, update: 0, replace: 0, delete: 0, same: 0, read: 0, "refresh-drift": 0, import: 0 };
  for (const s of steps) counts[s.op] += 1;
  return counts;
}

/**
 * One-line summary, `+create ~update -delete =same`, with `+-replace`, `>read`, `=>import` and the refresh part
 * only when they happened: e.g. `refresh: ~2 drifted -0 gone; +0 ~2 -0 =1`.
 */
export function summarize(steps: readonly Step[], refreshSteps?: readonly Step[]): string {
  const c = countSteps(steps);
  let line = `+${c.create} ~${c.update} -${c.delete} =${c.same}`;
  if (c.replace > 0) line += ` +-${c.replace}`;
  if (c.read > 0) line += ` >${c.read}`;
  if (c.import > 0) line += ` =>${c.import}`;
  if (refreshSteps) {
    const r = countSteps(refreshSteps);
    line = `refresh: ~${r["refresh-drift"]} drifted -${r.delete} gone; ${line}`;
  }
  return line;
}

const SYMBOL: Record<StepOp, string> = {
  create: "+",
  update: "~",
  replace: "+-",
  delete: "-",
  same: "=",
  read: ">",
  "refresh-drift": "~",
  import: "=>",
};

/** Renders a step as printable lines (values already masked). */
export function formatStep(step: Step): string[] {
  const head = `${SYMBOL[step.op].padEnd(2)} ${step.op.padEnd(13)} ${step.type} ${step.name}${step.id ? ` (id ${step.id})` : ""}`;
  const lines = [step.error ? `${head}  FAILED: ${step.error}` : head];
  if (step.replaces && step.replaces.length > 0) lines.push(`     replaced because of: ${step.replaces.join(", ")}`);
  for (const c of step.changes) {
    const from = "old" in c ? render(c.old) : "(none)";
    const to = "new" in c ? render(c.new) : "(none)";
    lines.push(step.op === "create" ? `     ${c.name}: ${to}` : step.op === "delete" ? `     ${c.name}: ${from}` : `     ${c.name}: ${from} -> ${to}`);
  }
  return lines;
}

function render(v: unknown): string {
  return typeof v === "string" && (v === SECRET_MASK || v === UNKNOWN_MASK) ? v : JSON.stringify(v);
}

/**
 * Replaces every occurrence of a known secret string in `text` with `[secret]`: the last line of
 * defence for error messages and provider output, which can quote values.
 */
export function scrub(text: string, secrets: Iterable<string>): string {
  let out = text;
  // Longest first, so a secret that contains another is masked whole.
  for (const s of [...secrets].filter((x) => x.length >= 4).sort((a, b) => b.length - a.length)) out = out.split(s).join(SECRET_MASK);
  return out;
}
