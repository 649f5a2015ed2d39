/**
 * Reading Terraform's decoded objects in the core's terms: cty nulls become "not set", cty unknowns
 * the core's PENDING. Pure.
 */
import { PENDING, type MaybePending } from "../core/rules";
import { UNKNOWN, type CtyObject, type CtyValue } from "../tfplugin6";

/** A string attribute: undefined when null, PENDING when unknown. */
export function stringAt(o: CtyObject | null | undefined, name: string): MaybePending<string> | undefined {
  const v: CtyValue | undefined = o?.[name];
  if (v === UNKNOWN) return PENDING;
  return typeof v === "string" ? v : undefined;
}

export function boolAt(o: CtyObject | null | undefined, name: string): MaybePending<boolean> | undefined {
  const v: CtyValue | undefined = o?.[name];
  if (v === UNKNOWN) return PENDING;
  return typeof v === "boolean" ? v : undefined;
}

/** A value known now (plan or state), or undefined. */
export function knownString(o: CtyObject | null | undefined, name: string): string | undefined {
  const v = stringAt(o, name);
  return v === PENDING ? undefined : v;
}

/** PENDING back to Terraform's unknown, undefined to null. */
export function toCty<T extends string | boolean>(v: MaybePending<T> | undefined): CtyValue {
  if (v === PENDING) return UNKNOWN;
  return v === undefined ? null : v;
}
