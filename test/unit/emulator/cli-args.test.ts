import { DEFAULT_CLI_PORT, parseArgs } from "../../../emulator/cli";

describe("parseArgs", () => {
  it("defaults to port 8080 with the rate limit on", () => {
    expect(parseArgs([])).toEqual({ port: DEFAULT_CLI_PORT, quiet: false, help: false });
  });

  it("reads every option in both --name value and --name=value forms", () => {
    expect(
      parseArgs(["--port", "0", "--host=0.0.0.0", "--admin-key", "A", "--user-key=U", "--password", "P", "--state", "s.json", "--no-rate-limit", "--quiet"]),
    ).toEqual({ port: 0, host: "0.0.0.0", adminKey: "A", userKey: "U", password: "P", statePath: "s.json", rateLimit: false, quiet: true, help: false });
    expect(parseArgs(["-h"]).help).toBe(true);
  });

  it("refuses bad ports, missing values, values on flags and unknown options", () => {
    expect(() => parseArgs(["--port", "70000"])).toThrow(/--port/);
    expect(() => parseArgs(["--port", "-1"])).toThrow(/--port/);
    expect(() => parseArgs(["--admin-key"])).toThrow("--admin-key needs a value");
    expect(() => parseArgs(["--state", "--quiet"])).toThrow("--state needs a value");
    expect(() => parseArgs(["--no-rate-limit=1"])).toThrow(/takes no value/);
    expect(() => parseArgs(["--nope"])).toThrow("unknown option --nope");
    expect(() => parseArgs(["hunter2"])).toThrow("unexpected argument at position 1");
  });
});
