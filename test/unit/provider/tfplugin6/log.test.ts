import { levelFromEnv, PluginLogger } from "../../../../provider/tfplugin6/plugin/log";

describe("plugin logger", () => {
  test("writes hclog JSON lines with a six-digit fractional timestamp", () => {
    const lines: string[] = [];
    new PluginLogger((l) => lines.push(l), "debug", "toy").debug("ReadResource", { type_name: "t", ms: 3 });
    const entry = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
    expect(entry).toMatchObject({ "@level": "debug", "@message": "ReadResource", "@module": "toy", type_name: "t", ms: 3 });
    expect(entry["@timestamp"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(lines[0]?.endsWith("}\n")).toBe(true);
  });

  test("drops lines below the level and scrubs redacted values, JSON-escaped ones included", () => {
    const lines: string[] = [];
    const log = new PluginLogger((l) => lines.push(l), "warn", "toy");
    log.redact('pa"ss');
    log.info("hidden");
    log.warn('token pa"ss here', { detail: 'pa"ss' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/pa\\?"ss/);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ "@message": "token <redacted> here", detail: "<redacted>" });
  });

  test("takes its level from TF_LOG_PROVIDER, then TF_LOG; errors only by default", () => {
    expect(levelFromEnv({})).toBe("error");
    expect(levelFromEnv({ TF_LOG: "DEBUG" })).toBe("debug");
    expect(levelFromEnv({ TF_LOG: "debug", TF_LOG_PROVIDER: "off" })).toBe("off");
    expect(levelFromEnv({ TF_LOG: "json" })).toBe("trace");
  });
});
