import { DEFAULT_HOST, MissingCredentialsError, resolveSettings } from "../../../provider/pulumi/config";

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

  it.each([
    ["nothing", {}],
    ["a username without a password", { "palette:username": "u" }],
  ])("fails with %s, naming both ways to set credentials", (_label, values) => {
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
});
