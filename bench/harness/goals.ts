/**
 * Issue 10's goals, one row each, gathered from the bench's sections into one summary table: what
 * was measured, its ratio to the goal's floor where the goal is a ratio, and whether it was met.
 */
export interface GoalRow {
  goal: string;
  measured: string;
  /** The figure the goal bounds, as a ratio (undefined for figures the goal only asks to print). */
  ratio?: number;
  /** Undefined for figures the goal only asks to print. */
  pass?: boolean;
}

export function goalRows(rows: readonly GoalRow[]): string[][] {
  return rows.map((r) => [r.goal, r.measured, r.ratio === undefined ? "-" : r.ratio.toFixed(2), r.pass === undefined ? "printed" : r.pass ? "pass" : "FAIL"]);
}
