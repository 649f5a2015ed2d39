import { attributePath, toProtoDiagnostic } from "../../../../provider/tfplugin6/protocol/diagnostics";
import { pluginServices } from "../../../../provider/tfplugin6/protocol/services";

const wire = (message: object): string => {
  const method = pluginServices().provider.ValidateResourceConfig;
  if (method === undefined) throw new Error("no method");
  return method.responseSerialize({ diagnostics: [message] }).toString("hex");
};

describe("diagnostics", () => {
  test("paths map attribute names, map keys and list indexes to their step kinds", () => {
    expect(attributePath(["rules", { index: 0 }, "tags", { key: "team" }])).toEqual({
      steps: [{ attribute_name: "rules" }, { element_key_int: 0 }, { attribute_name: "tags" }, { element_key_string: "team" }],
    });
  });

  test("severity, summary, detail and path take their tfplugin6 field numbers on the wire", () => {
    const d = toProtoDiagnostic({ severity: "warning", summary: "S", detail: "D", attribute: ["a", { index: 0 }, { key: "k" }] });
    // Response.diagnostics (1) { severity (1) = 2, summary (2), detail (3), attribute (4) { steps (1) { name (1) } { int (3) = 0 } { key (2) } } }
    expect(wire(d)).toBe("0a18" + "0802" + "120153" + "1a0144" + "220e" + "0a030a0161" + "0a021800" + "0a0312016b");
  });

  test("errors are severity 1 and an empty path is left out", () => {
    expect(toProtoDiagnostic({ severity: "error", summary: "x", attribute: [] })).toEqual({ severity: 1, summary: "x" });
  });
});
