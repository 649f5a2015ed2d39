/**
 * Terraform's values (cty) as plain JavaScript: strings, numbers, booleans, arrays for lists, sets
 * and tuples, objects for maps and objects, `null`, and UNKNOWN for a value not known until apply.
 */

/**
 * A value Terraform does not know yet ("known after apply"). `Symbol.for`, so a resource module
 * loaded twice (a bundle beside the sources in a test) still compares equal.
 */
export const UNKNOWN: unique symbol = Symbol.for("tfplugin6.cty.unknown");

export type CtyValue = null | string | number | boolean | typeof UNKNOWN | CtyValue[] | { [k: string]: CtyValue };

export type CtyObject = { [k: string]: CtyValue };

/** A type constraint in Terraform's JSON spelling (`"string"`, `["list","string"]`, `["object",{…}]`). */
export type CtyType =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | ["list" | "set" | "map", CtyType]
  | ["object", Record<string, CtyType>];

export const isUnknown = (v: unknown): v is typeof UNKNOWN => v === UNKNOWN;

export const isCtyObject = (v: CtyValue | undefined): v is CtyObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);
