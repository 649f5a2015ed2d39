/** Diagnostics and attribute paths in their tfplugin6 form. */
import type { Diagnostic, PathStep } from "../definition";
import { SEVERITY, type Tf } from "./tfplugin6";

export function attributePath(steps: readonly PathStep[]): Tf<"AttributePath"> {
  return {
    steps: steps.map((s) =>
      typeof s === "string" ? { attribute_name: s } : "key" in s ? { element_key_string: s.key } : { element_key_int: s.index },
    ),
  };
}

export function toProtoDiagnostic(d: Diagnostic): Tf<"Diagnostic"> {
  return {
    severity: SEVERITY[d.severity],
    summary: d.summary,
    ...(d.detail !== undefined ? { detail: d.detail } : {}),
    ...(d.attribute !== undefined && d.attribute.length > 0 ? { attribute: attributePath(d.attribute) } : {}),
  };
}

export const errorDiagnostic = (summary: string, detail?: string): Diagnostic => ({
  severity: "error",
  summary,
  ...(detail !== undefined ? { detail } : {}),
});
