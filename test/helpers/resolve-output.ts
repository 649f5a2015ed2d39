/**
 * For tests that check what a program's Outputs hold after a run (a value, whether it is secret or
 * known): the engine itself never needs to resolve an Output, so this lives with the tests.
 */
import * as pulumi from "@pulumi/pulumi";

/** A resolved Output: its value (or `undefined` when unknown), and whether it is secret / known. */
export interface ResolvedOutput {
  value: unknown;
  secret: boolean;
  known: boolean;
}

/** Resolves any value that may hold Outputs, keeping secretness and knowness. */
export async function resolveOutput(value: unknown): Promise<ResolvedOutput> {
  const out = pulumi.output(value);
  // `promise(withUnknowns)` is the Output internal that Pulumi's own stack-output code relies on.
  const resolved = await (out as unknown as { promise(withUnknowns: boolean): Promise<unknown> }).promise(true);
  const known = !containsUnknown(resolved);
  return { value: known ? resolved : undefined, secret: await pulumi.isSecret(out), known };
}

function containsUnknown(v: unknown): boolean {
  if (pulumi.isUnknown(v)) return true;
  if (Array.isArray(v)) return v.some(containsUnknown);
  if (v !== null && typeof v === "object") return Object.values(v).some(containsUnknown);
  return false;
}
