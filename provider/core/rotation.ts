/**
 * Rotation before expiry: when a key is due (now inside `rotateBefore` of its expiry), what the
 * preview says about it, which input combinations cannot rotate, and the bookkeeping of previous
 * keys kept alive for a grace period (`keepPrevious`). Pure: the clock is a parameter.
 */
import { DEFAULT_EXPIRES_IN, instantOf, parseExpiresIn } from "./expiry";
import { PENDING, type FieldNames, type MaybePending, type RuleFailure } from "./rules";

/** What a program asked for about rotation, beside the rest of its inputs. */
export interface RotationInput {
  rotateBefore?: MaybePending<string> | undefined;
  keepPrevious?: MaybePending<string> | undefined;
  /** True when the program chose the key's name itself. */
  explicitName: boolean;
  /** The program's relative expiry, when it set one. */
  expiresIn?: MaybePending<string> | undefined;
  /** True when the program set an absolute expiry. */
  expiresAtGiven: boolean;
}

const durationOf = (text: string): number | undefined => {
  const parsed = parseExpiresIn(text);
  return parsed.ok ? parsed.value : undefined;
};

/**
 * The combinations that cannot rotate, each reported on one property and naming both. `freshName`
 * says, in the engine's words, how to get a new name per key. Formats are assumed checked.
 */
export function rotationProblems(input: RotationInput, names: FieldNames, freshName: string): RuleFailure[] {
  const failures: RuleFailure[] = [];
  const { rotateBefore, keepPrevious } = input;
  if (keepPrevious !== undefined && rotateBefore === undefined) {
    failures.push({ field: "keepPrevious", reason: `keeps the key a rotation replaced, so it needs ${names.rotateBefore} too` });
  }
  if (rotateBefore === undefined || rotateBefore === PENDING) return failures;
  if (input.explicitName) {
    failures.push({
      field: "rotateBefore",
      reason: `${names.name} and ${names.rotateBefore} cannot be combined: names are unique per owner, so each rotated key needs a new name (${freshName})`,
    });
  }
  if (input.expiresAtGiven) {
    failures.push({
      field: "rotateBefore",
      reason: `${names.expiresAt} and ${names.rotateBefore} cannot be combined: every rotated key would get the same fixed expiry; use ${names.expiresIn} (e.g. "30d") instead`,
    });
  }
  const before = durationOf(rotateBefore);
  const expiresIn = input.expiresIn ?? (input.expiresAtGiven ? undefined : DEFAULT_EXPIRES_IN);
  const lifetime = typeof expiresIn === "string" ? durationOf(expiresIn) : undefined;
  if (before !== undefined && lifetime !== undefined && before >= lifetime) {
    failures.push({
      field: "rotateBefore",
      reason: `"${rotateBefore}" must be shorter than ${names.expiresIn} ("${String(expiresIn)}"), or every new key would be due for rotation at once`,
    });
  }
  const keep = typeof keepPrevious === "string" ? durationOf(keepPrevious) : undefined;
  if (before !== undefined && keep !== undefined && keep > before) {
    failures.push({
      field: "keepPrevious",
      reason: `"${String(keepPrevious)}" is longer than ${names.rotateBefore} ("${rotateBefore}"): a rotated key expires at most that long after its rotation, so keep it at most "${rotateBefore}"`,
    });
  }
  return failures;
}

/** When a key expiring at `expiresAt` becomes due for rotation; undefined when either is not known. */
export function rotatesAt(expiresAt: unknown, rotateBefore: unknown): Date | undefined {
  const at = instantOf(expiresAt);
  const before = typeof rotateBefore === "string" ? durationOf(rotateBefore) : undefined;
  return at !== undefined && before !== undefined ? new Date(at.getTime() - before) : undefined;
}

/** A rotation that is due: what the preview says about it. */
export interface RotationDue {
  expiresAt: string;
  rotateBefore: string;
}

/** Due once now is at or past `expiresAt - rotateBefore`; never for an unknown expiry or window. */
export function rotationDue(expiresAt: MaybePending<string> | undefined, rotateBefore: MaybePending<string> | undefined, now: Date): RotationDue | undefined {
  if (expiresAt === undefined || expiresAt === PENDING || rotateBefore === undefined || rotateBefore === PENDING) return undefined;
  const at = rotatesAt(expiresAt, rotateBefore);
  return at !== undefined && at.getTime() <= now.getTime() ? { expiresAt, rotateBefore } : undefined;
}

/** "rotation due: expires 2026-12-29, rotateBefore 7d": why the key is replaced, as the preview shows it. */
export function rotationReason(due: RotationDue, names: FieldNames): string {
  const day = instantOf(due.expiresAt)?.toISOString().slice(0, 10) ?? due.expiresAt;
  return `rotation due: expires ${day}, ${names.rotateBefore} ${due.rotateBefore}`;
}

/** A key a rotation replaced, kept alive until `deleteAfter` and then deleted by the key that replaced it. */
export interface PreviousKey {
  uid: string;
  name: string;
  /** ISO 8601 instant. */
  deleteAfter: string;
}

/** The previous keys recorded in loosely typed state; malformed entries are dropped. */
export function previousKeysOf(value: unknown): PreviousKey[] {
  if (!Array.isArray(value)) return [];
  const keys: PreviousKey[] = [];
  for (const v of value as unknown[]) {
    if (typeof v !== "object" || v === null) continue;
    const { uid, name, deleteAfter } = v as Record<string, unknown>;
    if (typeof uid === "string" && uid !== "" && typeof deleteAfter === "string" && instantOf(deleteAfter) !== undefined) {
      keys.push({ uid, name: typeof name === "string" ? name : "", deleteAfter });
    }
  }
  return keys;
}

/** The previous keys whose grace period has ended. */
export const previousKeysDue = (keys: readonly PreviousKey[], now: Date): PreviousKey[] =>
  keys.filter((k) => instantOf(k.deleteAfter)!.getTime() <= now.getTime());

/** The previous keys split at `now`: those still in their grace period, and those due for deletion. */
export function splitPreviousKeys(keys: readonly PreviousKey[], now: Date): { kept: PreviousKey[]; due: PreviousKey[] } {
  const due = previousKeysDue(keys, now);
  return { kept: keys.filter((k) => !due.includes(k)), due };
}

/**
 * The entry for a key being rotated out: kept `keepPrevious` from now, but never past its own
 * expiry (an expired key serves nobody and only clutters the tenant).
 */
export function retire(key: { uid: string; name: string; expiresAt?: unknown }, keepPrevious: string, now: Date): PreviousKey {
  const keep = durationOf(keepPrevious) ?? 0;
  const expires = instantOf(key.expiresAt)?.getTime() ?? Number.POSITIVE_INFINITY;
  return { uid: key.uid, name: key.name, deleteAfter: new Date(Math.min(now.getTime() + keep, expires)).toISOString() };
}
