import { readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveOptions } from "../../../sdk/config";
import { startCall } from "../../../sdk/core/call";
import { isTenantScoped } from "../../../sdk/core/request";
import { normalizeHost, SDK_VERSION, type PaletteClientOptions } from "../../../sdk";

describe("normalizeHost", () => {
  test.each([
    ["api.spectrocloud.com", "https://api.spectrocloud.com"],
    ["  api.spectrocloud.com/  ", "https://api.spectrocloud.com"],
    ["palette.example.com:8443", "https://palette.example.com:8443"],
    ["http://127.0.0.1:8080", "http://127.0.0.1:8080"],
    ["http://127.0.0.1:8080/", "http://127.0.0.1:8080"],
    ["HTTPS://Palette.Example.com/base/", "https://palette.example.com/base"],
    ["https://api.spectrocloud.com/?x=1#y", "https://api.spectrocloud.com"],
  ])("%p -> %p", (input, expected) => {
    expect(normalizeHost(input)).toBe(expected);
  });

  test.each(["", "   ", "ftp://x.example.com", "http://user:pw@host", "https://"])("rejects %p", (input) => {
    expect(() => normalizeHost(input)).toThrow(TypeError);
  });

  test("never echoes credentials given in the URL", () => {
    expect(() => normalizeHost("https://me:hunter2@host")).toThrow(/^(?!.*hunter2)/);
  });
});

describe("resolveOptions", () => {
  const base: PaletteClientOptions = { host: "api.spectrocloud.com", auth: { apiKey: "k" } };

  test("fills the documented defaults", () => {
    const r = resolveOptions(base);
    expect(r).toMatchObject({
      baseUrl: "https://api.spectrocloud.com",
      timeoutMs: 30_000,
      deadlineMs: 120_000,
      retry: { maxRetries: 4, baseDelayMs: 250, maxDelayMs: 8_000 },
      rateLimit: { perSecond: 9, burst: 4 },
      projectUid: undefined,
      dispatcher: undefined,
    });
    expect(r.userAgent).toBe(`pulumi-palette-apikeys/${SDK_VERSION} node/${process.versions.node}`);
    expect(r.now()).toBeInstanceOf(Date);
  });

  test("merges a partial retry policy and keeps false", () => {
    expect(resolveOptions({ ...base, retry: { baseDelayMs: 1 } }).retry).toEqual({ maxRetries: 4, baseDelayMs: 1, maxDelayMs: 8_000 });
    expect(resolveOptions({ ...base, retry: false, rateLimit: false })).toMatchObject({ retry: false, rateLimit: false });
  });

  test("rejects unknown keys and bad values, naming them but never echoing values", () => {
    const bad = { ...base, auth: { apiKey: "" }, timeoutMs: -1, colour: "blue" } as unknown as PaletteClientOptions;
    expect(() => resolveOptions(bad)).toThrow(TypeError);
    expect(() => resolveOptions(bad)).toThrow(/timeoutMs/);
    expect(() => resolveOptions(bad)).toThrow(/colour|Unrecognized/);
    const secret = { ...base, auth: { username: "a@b", password: "s3cr3t-pw", extra: "s3cr3t-pw" } } as unknown as PaletteClientOptions;
    expect(() => resolveOptions(secret)).toThrow(/^(?![\s\S]*s3cr3t-pw)/);
  });

  test("accepts each auth shape", () => {
    expect(() => resolveOptions({ ...base, auth: { username: "a@b", password: "p", org: "o" } })).not.toThrow();
    expect(() => resolveOptions({ ...base, auth: { token: "t" } })).not.toThrow();
  });

  test("SDK_VERSION matches package.json", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, "../../../package.json"), "utf8")) as { version: string };
    expect(SDK_VERSION).toBe(pkg.version);
  });
});

describe("startCall", () => {
  test("per-call options override client defaults", () => {
    const c = startCall("op", 1_000, { timeoutMs: 30_000, deadlineMs: 120_000 }, { timeoutMs: 5, deadlineMs: 50 });
    expect(c).toEqual({ operation: "op", signal: undefined, deadlineAt: 1_050, deadlineMs: 50, timeoutMs: 5 });
    expect(startCall("op", 0, { timeoutMs: 7, deadlineMs: 9 })).toMatchObject({ deadlineAt: 9, timeoutMs: 7 });
  });
});

describe("isTenantScoped", () => {
  test.each([
    ["/v1/apiKeys", true],
    ["/v1/apiKeys/abc/state", true],
    ["/v1/users/info", true],
    ["/v1/auth/authenticate", true],
    ["/v1/spectroclusters", false],
    ["/v1/apiKeysX", false],
  ])("%s -> %p", (path, expected) => {
    expect(isTenantScoped(path)).toBe(expected);
  });
});
