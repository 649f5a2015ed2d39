/**
 * Two tenants in one stack through the runner: the default provider of `palette` (the stack's
 * `palette:` config, tenant A) and an explicit `palette.Provider("tenant-b", ...)` with its own host
 * and credentials (tenant B), two emulators. Each key is made in its own tenant by its own plugin
 * instance; a change of the explicit provider's settings is its update (DiffConfig, then Configure
 * with the new arguments) and leaves the keys alone; destroy, which runs no program, loads each
 * provider from the state (its secret settings decrypted) and deletes each key in its tenant.
 */
import { startEmulator, type RunningEmulator } from "../../../emulator";
import * as palette from "../../../provider/native/sdk";
import { runProgram, type RunOptions, type RunResult } from "../../../runner/offline-engine";
import { checkpointResources, nativeProject, nativeRunOptions } from "./support";

const A_KEY = "TenantAAdminKeyQ1w2E3r4T5y6U7i8o9";
const B_KEY = "TenantBAdminKeyZ9x8C7v6B5n4M3l2k1";
const B_PASSWORD = "TenantBPasswordP0o9I8u7Y6";

let a: RunningEmulator;
let b: RunningEmulator;
let project: ReturnType<typeof nativeProject>;
const pluginOutput: string[] = [];
const printed: string[] = [];

/** Tenant B's credentials: its admin's API key, or the same admin by email and password. */
type BAuth = "apiKey" | "password";

const program = (auth: BAuth) => (): Record<string, unknown> => {
  const tenantB = new palette.Provider(
    "tenant-b",
    auth === "apiKey" ? { host: b.url, apiKey: B_KEY } : { host: b.url, username: b.accounts.admin.email, password: B_PASSWORD },
  );
  const own = new palette.ApiKey("own", { description: "tenant A", expiresIn: "30d" });
  const other = new palette.ApiKey("other", { description: "tenant B", expiresIn: "30d" }, { provider: tenantB });
  return { ownTenant: own.tenantUid, otherTenant: other.tenantUid };
};

const run = (operation: RunOptions["operation"], auth: BAuth): Promise<RunResult> =>
  runProgram({ ...nativeRunOptions(project, { host: a.url, apiKey: A_KEY, passphrase: "tenants passphrase" }, { printed, pluginOutput }), operation, program: program(auth) });

const made = (emu: RunningEmulator) => emu.keys().filter((k) => !k.seeded);

beforeAll(async () => {
  project = nativeProject("runner-tenants-");
  [a, b] = await Promise.all([
    startEmulator({ port: 0, adminKey: A_KEY }),
    startEmulator({ port: 0, adminKey: B_KEY, password: B_PASSWORD }),
  ]);
});
afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  project?.remove();
});

it("up: the explicit provider is a resource of its own; each key is made in its own tenant", async () => {
  const result = await run("up", "apiKey");
  expect(result.steps.map((s) => [s.op, s.type, s.name]).sort()).toEqual([
    ["create", "palette:index:ApiKey", "other"],
    ["create", "palette:index:ApiKey", "own"],
    ["create", "pulumi:providers:palette", "tenant-b"],
  ]);
  expect(made(a).map((k) => k.description)).toEqual(["tenant A"]);
  expect(made(b).map((k) => k.description)).toEqual(["tenant B"]);
  expect(result.outputs).toEqual({ ownTenant: a.tenant.uid, otherTenant: b.tenant.uid });
  // The provider's apiKey argument is shown and stored as a secret.
  expect(JSON.stringify(result.steps)).not.toContain(B_KEY);
  const resources = checkpointResources(project.stateFile);
  const tenantB = resources.find((r) => r.urn.endsWith("::pulumi:providers:palette::tenant-b"));
  expect(tenantB?.inputs).toMatchObject({ host: b.url, apiKey: { ciphertext: expect.any(String) } });
  expect(resources.find((r) => r.urn.endsWith("::other"))?.provider).toBe(`${tenantB?.urn}::${tenantB?.id}`);
  expect(resources.find((r) => r.urn.endsWith("::own"))?.provider).toMatch(/::pulumi:providers:palette::default_0_1_0::[0-9a-f-]{36}$/);
});

it("up: new settings for tenant-b are its update; the keys are the same", async () => {
  const before = made(b).map((k) => k.uid);
  const result = await run("up", "password");
  const step = result.steps.find((s) => s.name === "tenant-b");
  expect(step?.op).toBe("update");
  expect(step?.changes.map((c) => c.name).sort()).toEqual(["apiKey", "password", "username"]);
  expect(result.steps.filter((s) => s.type === "palette:index:ApiKey").map((s) => s.op)).toEqual(["same", "same"]);
  expect(made(b).map((k) => k.uid)).toEqual(before);
});

it("destroy: each provider is loaded from the state, each key deleted in its own tenant; no credential printed or out of a plugin", async () => {
  const result = await run("destroy", "password");
  expect(result.steps.map((s) => [s.op, s.name]).sort()).toEqual([
    ["delete", "other"],
    ["delete", "own"],
    ["delete", "tenant-b"],
  ]);
  expect([made(a), made(b)]).toEqual([[], []]);
  for (const secret of [A_KEY, B_KEY, B_PASSWORD]) {
    expect(printed.join("\n")).not.toContain(secret);
    expect(pluginOutput.join("\n")).not.toContain(secret);
  }
});
