import { DEFAULT_CLI_PORT, parseArgs } from "../../../emulator/cli";

describe("parseArgs", () => {
  it("defaults to port 8080 with the rate limit on", () => {
    expect(parseArgs([])).toEqual({ port: DEFAULT_CLI_PORT, quiet: false, help: false });
  });

  const A = "A".repeat(32);
  const U = "U1".repeat(16);
  const T = "t9".repeat(16);

  it("reads every option in both --name value and --name=value forms", () => {
    expect(
      parseArgs([
        ...["--port", "0", "--host=0.0.0.0", "--admin-key", A, `--user-key=${U}`, "--password", "P", "--control-token", T],
        ...["--key-limit=50", "--state", "s.json", "--no-rate-limit", "--quiet"],
      ]),
    ).toEqual({
      port: 0,
      host: "0.0.0.0",
      adminKey: A,
      userKey: U,
      password: "P",
      controlToken: T,
      keyLimitPerUser: 50,
      statePath: "s.json",
      rateLimit: false,
      quiet: true,
      help: false,
    });
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
    expect(() => parseArgs(["--key-limit", "-1"])).toThrow(/--key-limit must be an integer >= 0/);
  });

  it("refuses keys and control tokens that are not 32 characters [A-Za-z0-9], without echoing them", () => {
    for (const [flag, bad] of [
      ["--admin-key", "short"],
      ["--user-key", "x".repeat(33)],
      ["--control-token", `${"a".repeat(31)}-`],
    ] as const) {
      let message = "";
      try {
        parseArgs([flag, bad]);
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(new RegExp(`^${flag} must be 32 characters \\[A-Za-z0-9\\] \\(got ${bad.length} characters`));
      expect(message).not.toContain(bad);
    }
  });
});
