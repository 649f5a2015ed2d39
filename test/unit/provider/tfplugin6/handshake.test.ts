import { handshakeLine, launchProblem, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from "../../../../provider/tfplugin6/plugin/handshake";

describe("go-plugin handshake", () => {
  test("the line has six fields and the certificate in base64 without padding", () => {
    for (const size of [300, 301, 302]) {
      const der = Buffer.alloc(size, 7);
      const line = handshakeLine("/tmp/x/plugin.sock", der);
      expect(line.endsWith("\n")).toBe(true);
      const fields = line.trimEnd().split("|");
      expect(fields.slice(0, 5)).toEqual(["1", "6", "unix", "/tmp/x/plugin.sock", "grpc"]);
      expect(fields[5]).not.toMatch(/=/);
      expect(Buffer.from(fields[5] ?? "", "base64")).toEqual(der);
    }
  });

  test("without TLS the certificate field is empty", () => {
    expect(handshakeLine("/s")).toBe("1|6|unix|/s|grpc|\n");
  });

  test("refuses to run without Terraform's magic cookie, with the provider's hint on a line of its own", () => {
    expect(launchProblem({}, "Lay it out with `toy terraform-mirror <dir>`.")).toMatch(/Terraform starts it.*\n.*terraform-mirror/);
    expect(launchProblem({})).toMatch(/^This is a Terraform provider plugin: Terraform starts it, it is not meant to be run directly\.$/);
    expect(launchProblem({ [MAGIC_COOKIE_KEY]: "nope" })).toBeDefined();
  });

  test("needs protocol 6 among the versions offered, in any order", () => {
    const env = { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE };
    expect(launchProblem(env)).toBeUndefined();
    expect(launchProblem({ ...env, PLUGIN_PROTOCOL_VERSIONS: "5,6" })).toBeUndefined();
    expect(launchProblem({ ...env, PLUGIN_PROTOCOL_VERSIONS: "6,5" })).toBeUndefined();
    expect(launchProblem({ ...env, PLUGIN_PROTOCOL_VERSIONS: "5" })).toMatch(/protocol 6/);
  });
});
