/**
 * What a preview catches through the REAL dynamic-provider host (check is all a preview calls):
 * with credentials configured, wrong credentials, an unreachable host and an owner email nobody has
 * fail on the config key or property to fix; without credentials, check still passes and sends
 * nothing to Palette.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { REJECTED_BEFORE } from "../../../provider/core/rejected-credentials";
import { ProviderClient, secretConfig } from "../../../runner/provider-client";
import { closedPort } from "../../helpers/closed-port";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";
import { programInputs, REPO, urn } from "./support";

let emu: RunningEmulator;
const hosts: ProviderClient[] = [];

async function hostWith(config: Parameters<ProviderClient["configure"]>[0]): Promise<ProviderClient> {
  const h = await ProviderClient.start({ cwd: REPO, env: NO_ENV_CREDENTIALS });
  hosts.push(h);
  await h.configure(config);
  return h;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) throw new Error("run `npm run build` first: the host loads dist/");
  emu = await startEmulator({ port: 0, rateLimit: false });
});
afterAll(async () => {
  for (const h of hosts) await h.close();
  await emu?.close();
});

describe("preview (check) with credentials configured", () => {
  it("passes for good credentials and a known owner, with one credentials check and one owner lookup for many resources", async () => {
    const host = await hostWith({ "palette:host": emu.url, "palette:apiKey": secretConfig(emu.accounts.admin.apiKey) });
    const before = emu.requests().length;
    for (const name of ["a", "b", "c"]) {
      const checked = await host.check(urn(name), {}, await programInputs(name, { user: { email: "alice@palette.local" } }));
      expect(checked.failures).toEqual([]);
    }
    const sent = emu.requests().slice(before).map((r) => `${r.method} ${r.path}`);
    expect(sent.filter((r) => r === "GET /v1/users/info")).toHaveLength(1);
    expect(sent.filter((r) => r.startsWith("GET /v1/apiKeys") || r.startsWith("POST /v1/apiKeys"))).toEqual([]);
  });

  it("fails on palette:apiKey when Palette rejects the key", async () => {
    const host = await hostWith({ "palette:host": emu.url, "palette:apiKey": secretConfig("NotAKeyNotAKeyNotAKeyNotAKey1234") });
    const { failures } = await host.check(urn("x"), {}, await programInputs("x", {}));
    expect(failures).toEqual([{ property: "palette:apiKey", reason: expect.stringMatching(/rejected the configured credentials.*401/) }]);
    expect(JSON.stringify(failures)).not.toContain("NotAKeyNotAKey");
  });

  it("says the rejection in full on the first resource only, the others refer to it, and asks Palette once", async () => {
    const host = await hostWith({ "palette:host": emu.url, "palette:apiKey": secretConfig("NotAKeyNotAKeyNotAKeyNotAKey1234") });
    const before = emu.requests().length;
    const failures: unknown[] = [];
    for (const name of ["a", "b", "c"]) failures.push((await host.check(urn(name), {}, await programInputs(name, {}))).failures);
    expect(failures).toEqual([
      [{ property: "palette:apiKey", reason: expect.stringMatching(/^Palette rejected the configured credentials: users\.me failed: .*401/) }],
      [{ property: "palette:apiKey", reason: REJECTED_BEFORE }],
      [{ property: "palette:apiKey", reason: REJECTED_BEFORE }],
    ]);
    expect(emu.requests().slice(before).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["GET /v1/users/info 401"]);
  });

  it("fails on palette:host when nothing answers there", async () => {
    const host = await hostWith({ "palette:host": `http://127.0.0.1:${await closedPort()}`, "palette:apiKey": secretConfig(emu.accounts.admin.apiKey) });
    const { failures } = await host.check(urn("x"), {}, await programInputs("x", {}));
    expect(failures).toEqual([{ property: "palette:host", reason: expect.stringMatching(/could not be reached/) }]);
  });

  it("fails on user.email when no user has that email", async () => {
    const host = await hostWith({ "palette:host": emu.url, "palette:apiKey": secretConfig(emu.accounts.admin.apiKey) });
    const { failures } = await host.check(urn("x"), {}, await programInputs("x", { user: { email: "nobody@palette.local" } }));
    expect(failures).toEqual([{ property: "user.email", reason: expect.stringContaining("no Palette user has the email nobody@palette.local") }]);
  });
});

describe("preview (check) without credentials", () => {
  it("checks the inputs only and sends nothing to Palette", async () => {
    const host = await hostWith({ "palette:host": emu.url });
    const before = emu.requests().length;
    const { failures } = await host.check(urn("x"), {}, await programInputs("x", { user: { email: "nobody@palette.local" } }));
    expect(failures).toEqual([]);
    expect(emu.requests().length).toBe(before);
  });
});

describe("preview (check) with a host the client cannot use", () => {
  it("fails on palette:host, naming what is wrong", async () => {
    const host = await hostWith({ "palette:host": "ftp://palette.example.com", "palette:apiKey": secretConfig(emu.accounts.admin.apiKey) });
    const { failures } = await host.check(urn("x"), {}, await programInputs("x", {}));
    expect(failures).toEqual([{ property: "palette:host", reason: expect.stringContaining("must use http or https") }]);
  });
});
