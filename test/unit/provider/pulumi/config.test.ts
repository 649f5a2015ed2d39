import { DEFAULT_HOST, MissingCredentialsError, resolveSettings } from "../../../../provider/pulumi/config";

const config = (values: Record<string, string>) => (key: string) => values[key];

describe("provider configuration", () => {
  it("reads stack config", () => {
    const s = resolveSettings(config({ "palette:host": "http://127.0.0.1:8080", "palette:apiKey": "k1", "palette:projectUid": "p1" }), {});
    expect(s).toEqual({ host: "http://127.0.0.1:8080", auth: { apiKey: "k1" }, projectUid: "p1" });
  });

  it("lets stack config win over the environment, which is the fallback", () => {
    const env = { SPECTROCLOUD_HOST: "b.example", SPECTROCLOUD_APIKEY: "k2", SPECTROCLOUD_PROJECT_UID: "p2" };
    const s = resolveSettings(config({ "palette:host": "a.example", "palette:apiKey": "k1", "palette:projectUid": "p1" }), env);
    expect(s).toEqual({ host: "a.example", auth: { apiKey: "k1" }, projectUid: "p1" });
    expect(resolveSettings(config({}), env)).toEqual({ host: "b.example", auth: { apiKey: "k2" }, projectUid: "p2" });
  });

  it("defaults the host and accepts a username and password", () => {
    const s = resolveSettings(config({ "palette:username": "bob@palette.local" }), { SPECTROCLOUD_PASSWORD: "pw" });
    expect(s).toEqual({ host: DEFAULT_HOST, auth: { username: "bob@palette.local", password: "pw" } });
  });

  it("prefers an API key over a password, and ignores blank values", () => {
    const s = resolveSettings(config({ "palette:apiKey": "k", "palette:username": "u", "palette:password": "p" }), { SPECTROCLOUD_APIKEY: "  " });
    expect(s.auth).toEqual({ apiKey: "k" });
  });

  it("takes a username and password from stack config over an API key the environment still holds (maybe another tenant's)", () => {
    const env = { SPECTROCLOUD_APIKEY: "tenant-a-key", SPECTROCLOUD_PASSWORD: "pw-from-env" };
    expect(resolveSettings(config({ "palette:username": "bob@b.example", "palette:password": "pw" }), env).auth).toEqual({ username: "bob@b.example", password: "pw" });
    // The other half of the pair may still come from the environment; the environment's API key never joins in.
    expect(resolveSettings(config({ "palette:username": "bob@b.example" }), env).auth).toEqual({ username: "bob@b.example", password: "pw-from-env" });
    expect(() => resolveSettings(config({ "palette:username": "bob@b.example" }), { SPECTROCLOUD_APIKEY: "tenant-a-key" })).toThrow(MissingCredentialsError);
    // Both in the environment: the API key wins, as in one place.
    expect(resolveSettings(config({}), { ...env, SPECTROCLOUD_USERNAME: "u" }).auth).toEqual({ apiKey: "tenant-a-key" });
  });

  it.each([["nothing", {}]])("fails with %s, naming both ways to set credentials", (_label, values) => {
    let error: unknown;
    try {
      resolveSettings(config(values), { SPECTROCLOUD_HOST: "h" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingCredentialsError);
    const message = (error as Error).message;
    for (const way of ["palette:apiKey", "SPECTROCLOUD_APIKEY", "palette:username", "palette:password", "SPECTROCLOUD_USERNAME", "SPECTROCLOUD_PASSWORD"]) {
      expect(message).toContain(way);
    }
  });

  const missing = (values: Record<string, string>, env: Record<string, string> = {}): MissingCredentialsError => {
    try {
      resolveSettings(config(values), env);
    } catch (e) {
      if (e instanceof MissingCredentialsError) return e;
      throw e;
    }
    throw new Error("expected MissingCredentialsError");
  };

  it.each([
    ["palette:username", { "palette:username": "u" }, {}, "a username is set but no password", "pulumi config set --secret palette:password", "SPECTROCLOUD_PASSWORD"],
    ["SPECTROCLOUD_USERNAME", {}, { SPECTROCLOUD_USERNAME: "u" }, "a username is set but no password", "pulumi config set --secret palette:password", "SPECTROCLOUD_PASSWORD"],
    ["palette:password", { "palette:password": "p" }, {}, "a password is set but no username", "pulumi config set palette:username", "SPECTROCLOUD_USERNAME"],
    ["SPECTROCLOUD_PASSWORD", {}, { SPECTROCLOUD_PASSWORD: "p" }, "a password is set but no username", "pulumi config set palette:username", "SPECTROCLOUD_USERNAME"],
  ])("with only %s set, says which one is missing", (_label, values, env, what, command, variable) => {
    const { message } = missing(values, env);
    expect(message).toMatch(new RegExp(`^No Palette credentials: ${what}: set it with`));
    expect(message).toContain(command);
    expect(message).toContain(variable);
    expect(message).toContain("palette:apiKey");
  });

  it("names settings set under another namespace (the project's, a wrong case), never their values", () => {
    const PULUMI_CONFIG = JSON.stringify({
      "palette-demo:apiKey": "SentinelMisplacedKey0123456789ab",
      "palette-demo:config:host": "http://127.0.0.1:8080",
      "palette:apikey": "SentinelWrongCaseKey0123456789ab",
      "palette:projectUid": "p1",
      "aws:region": "eu-west-1",
    });
    const { message } = missing({}, { PULUMI_CONFIG });
    expect(message).toContain("`palette-demo:apiKey` is set: did you mean `palette:apiKey`?");
    expect(message).toContain("`palette-demo:host` is set: did you mean `palette:host`?");
    expect(message).toContain("`palette:apikey` is set: did you mean `palette:apiKey`?");
    expect(message).not.toContain("palette:projectUid");
    expect(message).not.toContain("aws:region");
    expect(message).not.toMatch(/Sentinel|127\.0\.0\.1/);
  });

  it("ignores a PULUMI_CONFIG it cannot read", () => {
    expect(missing({}, { PULUMI_CONFIG: "{not json" }).message).toMatch(/^No Palette credentials: set an API key/);
    expect(missing({}, { PULUMI_CONFIG: "[1,2]" }).message).not.toContain("did you mean");
  });
});
