/**
 * The tenant guard and config precedence through the REAL dynamic-provider host, with two emulators
 * standing for two Palette tenants: a shell exporting tenant B's credentials must not retarget a stack
 * configured for tenant A (config wins), and credentials explicitly pointed at B must not read A's
 * keys as "gone" or touch them (the guard). Then two emulators started from copies of one state
 * file, a clone sharing the tenant uid: the same tenant at another host is taken only where the key
 * is found there.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { ProviderClient, secretConfig } from "../../../runner/provider-client";
import type { PropertyMap } from "../../../runner/wire-values";
import { startClones } from "../../helpers/emulator-clones";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";
import { programInputs, REPO, urn } from "./support";

let a: RunningEmulator;
let b: RunningEmulator;
const hosts: ProviderClient[] = [];

async function hostWith(config: Parameters<ProviderClient["configure"]>[0], env: Record<string, string | undefined>): Promise<ProviderClient> {
  const h = await ProviderClient.start({ cwd: REPO, env: { ...NO_ENV_CREDENTIALS, ...env } });
  hosts.push(h);
  await h.configure(config);
  return h;
}

const configFor = (emu: RunningEmulator) => ({ "palette:host": emu.url, "palette:apiKey": secretConfig(emu.accounts.admin.apiKey) });
const envFor = (emu: RunningEmulator) => ({ SPECTROCLOUD_HOST: emu.url, SPECTROCLOUD_APIKEY: emu.accounts.admin.apiKey });
const managed = (emu: RunningEmulator) => emu.keys().filter((k) => !k.seeded);

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) throw new Error("run `npm run build` first: the host loads dist/");
  [a, b] = await Promise.all([startEmulator({ port: 0 }), startEmulator({ port: 0 })]);
});
afterAll(async () => {
  for (const h of hosts) await h.close();
  await Promise.all([a?.close(), b?.close()]);
});

describe("a stack configured for tenant A, in a shell exporting tenant B", () => {
  let state: { id: string; inputs: PropertyMap; outputs: PropertyMap };

  beforeAll(async () => {
    const host = await hostWith(configFor(a), envFor(b));
    const program = await programInputs("ci", {});
    const checked = await host.check(urn("ci"), {}, program);
    const created = await host.create(urn("ci"), checked.inputs);
    state = { id: created.id, inputs: checked.inputs, outputs: created.properties };
  });

  it("creates in A (stack config wins over the environment) and records where the key lives", () => {
    expect(managed(a).map((k) => k.uid)).toEqual([state.id]);
    expect(managed(b)).toEqual([]);
    expect(state.outputs).toMatchObject({ host: a.url, tenantUid: a.tenant.uid });
  });

  it("refresh and delete from a host whose config points at B fail naming both tenants; nothing is gone or made", async () => {
    const elsewhere = await hostWith(configFor(b), {});
    const read = await elsewhere.read(state.id, urn("ci"), state.outputs, state.inputs).catch((e: unknown) => e as Error);
    expect(read).toBeInstanceOf(Error);
    expect((read as Error).message).toContain(`lives in tenant ${a.tenant.uid} at ${a.url}`);
    expect((read as Error).message).toContain(`belong to tenant ${b.tenant.uid} at ${b.url}`);
    const del = await elsewhere.delete(state.id, urn("ci"), state.outputs).catch((e: unknown) => e as Error);
    expect((del as Error).message).toMatch(/nothing was read, changed or deleted/);
    expect(managed(a).map((k) => k.uid)).toEqual([state.id]);
    expect(managed(b)).toEqual([]);
    expect(b.requests().filter((r) => r.path.startsWith("/v1/apiKeys"))).toEqual([]);
  });

  it("a key from state written before the record adopts tenant A on its first refresh", async () => {
    const { host: _h, tenantUid: _t, ...older } = state.outputs;
    const host = await hostWith(configFor(a), envFor(b));
    const read = await host.read(state.id, urn("ci"), older, state.inputs);
    expect(read.id).toBe(state.id);
    expect(read.properties).toMatchObject({ host: a.url, tenantUid: a.tenant.uid });
  });

  it("destroy through the stack's config deletes the key in A", async () => {
    const host = await hostWith(configFor(a), envFor(b));
    await host.delete(state.id, urn("ci"), state.outputs);
    expect(managed(a)).toEqual([]);
  });
});

describe("a clone of tenant A at another host (emulators from copies of one state file)", () => {
  let dir: string;
  let a2: RunningEmulator;
  let clone: RunningEmulator;
  let state: { id: string; inputs: PropertyMap; outputs: PropertyMap };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "tenant-clone-"));
    [a2, clone] = await startClones(dir);
    const host = await hostWith(configFor(a2), {});
    const checked = await host.check(urn("cloned"), {}, await programInputs("cloned", {}));
    const created = await host.create(urn("cloned"), checked.inputs);
    state = { id: created.id, inputs: checked.inputs, outputs: created.properties };
  });
  afterAll(async () => {
    await Promise.all([a2?.close(), clone?.close()]);
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("refresh and delete through the clone fail naming both hosts; the key is not gone, and stays in A", async () => {
    expect([clone.tenant.uid, clone.accounts.admin.apiKey]).toEqual([a2.tenant.uid, a2.accounts.admin.apiKey]);
    expect(state.outputs).toMatchObject({ host: a2.url, tenantUid: a2.tenant.uid });
    const elsewhere = await hostWith(configFor(clone), {});
    const refused = `was recorded at ${a2.url} in tenant ${a2.tenant.uid}; the credentials in use reach that tenant at ${clone.url}, but the key is not there`;
    const read = await elsewhere.read(state.id, urn("cloned"), state.outputs, state.inputs).catch((e: unknown) => e as Error);
    expect(read).toBeInstanceOf(Error);
    expect((read as Error).message).toContain(refused);
    expect((read as Error).message).toContain("`palette:host` in stack config");
    const del = await elsewhere.delete(state.id, urn("cloned"), state.outputs).catch((e: unknown) => e as Error);
    expect(del).toBeInstanceOf(Error);
    expect((del as Error).message).toContain(refused);
    expect(managed(a2).map((k) => k.uid)).toEqual([state.id]);
    expect(managed(clone)).toEqual([]);
  });

  it("through A, where the key was recorded, refresh finds it and delete deletes it", async () => {
    const host = await hostWith(configFor(a2), {});
    expect((await host.read(state.id, urn("cloned"), state.outputs, state.inputs)).id).toBe(state.id);
    await host.delete(state.id, urn("cloned"), state.outputs);
    expect(managed(a2)).toEqual([]);
  });
});
