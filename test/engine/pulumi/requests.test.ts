/**
 * How many requests each provider operation makes, counted in the emulator's request log, through
 * the REAL dynamic-provider host (runner/provider-client.ts): a refresh shares one list taken after its
 * reads were asked, a create is a POST and a share of a list, an edit a GET and a PUT, a revoke, a
 * re-activation and a delete one request each. `npm run build` must have run.
 */
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { REJECTED_BEFORE } from "../../../provider/core/rejected-credentials";
import { PULUMI_HINTS } from "../../../provider/pulumi/impl";
import { ProviderClient, secretConfig } from "../../../runner/provider-client";
import { PaletteClient } from "../../../sdk";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";
import { programInputs, REPO, urn, type State } from "./support";

const ADMIN_KEY = "SentinelAdminKeyR3q8W2e7T1y6U5i4";
const ALICE_KEY = "SentinelAliceKeyP9o8I7u6Y5t4R3e2";

let emu: RunningEmulator;
let host: ProviderClient;
let sdk: PaletteClient;
const hosts: ProviderClient[] = [];

async function startHost(apiKey: string): Promise<ProviderClient> {
  const h = await ProviderClient.start({ cwd: REPO, env: { ...NO_ENV_CREDENTIALS } });
  hosts.push(h);
  await h.configure({ "palette:host": emu.url, "palette:apiKey": secretConfig(apiKey) });
  return h;
}

/** The requests `run` made, as "METHOD path" with uids as {uid}, in order. */
async function requestsOf<T>(run: () => Promise<T>): Promise<{ result: T; requests: string[] }> {
  const before = emu.requests().length;
  const result = await run();
  const requests = emu
    .requests()
    .slice(before)
    .map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{24}/g, "{uid}")}`);
  return { result, requests };
}

async function upNew(name: string, args: Parameters<typeof programInputs>[1] = {}, on: ProviderClient = host): Promise<State> {
  const checked = await on.check(urn(name), {}, await programInputs(name, args));
  expect(checked.failures).toEqual([]);
  const created = await on.create(urn(name), checked.inputs);
  return { id: created.id, inputs: checked.inputs, outputs: created.properties };
}

/** `pulumi up` of an existing resource to `args`: check, then update; returns the new state and its requests. */
async function upInPlace(name: string, state: State, args: Parameters<typeof programInputs>[1]) {
  const checked = await host.check(urn(name), state.inputs, await programInputs(name, args));
  const { result, requests } = await requestsOf(() => host.update(state.id, urn(name), state.outputs, checked.inputs, state.inputs));
  return { state: { id: state.id, inputs: checked.inputs, outputs: result.properties }, requests };
}

const read = (s: State, on: ProviderClient = host) => on.read(s.id, urn(String(s.inputs.__logicalName)), s.outputs, s.inputs);

beforeAll(async () => {
  // No emulated rate limit: the counts are the point here (the SDK in the host still paces itself).
  emu = await startEmulator({ port: 0, adminKey: ADMIN_KEY, userKey: ALICE_KEY, rateLimit: false, keyLimitPerUser: 100 });
  sdk = new PaletteClient({ host: emu.url, auth: { apiKey: ADMIN_KEY }, rateLimit: false });
  host = await startHost(ADMIN_KEY);
});

afterAll(async () => {
  for (const h of hosts) await h.close();
  await sdk?.close();
  await emu?.close();
});

describe("requests per operation through the dynamic-provider host", () => {
  it("create: a POST and a list; who the caller is and the owner's email are asked once per process", async () => {
    const first = await requestsOf(() => upNew("first", { description: "one" }));
    expect(first.requests.filter((r) => r.startsWith("POST") || r.includes("apiKeys"))).toEqual(["POST /v1/apiKeys", "GET /v1/apiKeys"]);
    expect(first.requests.filter((r) => r.includes("/v1/users")).sort()).toEqual(["GET /v1/users/info", "GET /v1/users/{uid}"]);
    expect(first.result.outputs).toMatchObject({ uid: first.result.id, description: "one", userEmail: emu.accounts.admin.email });
    expect(emu.keys().find((k) => k.uid === first.result.id)?.name).toBe(first.result.outputs.name);

    const second = await requestsOf(() => upNew("second"));
    expect(second.requests).toEqual(["POST /v1/apiKeys", "GET /v1/apiKeys"]);
    expect(second.result.outputs).toMatchObject({ userEmail: emu.accounts.admin.email });
  });

  it("concurrent creates share the lists that find their keys, and each gets its own key", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `burst${i}`);
    const { result, requests } = await requestsOf(() => Promise.all(names.map((n) => upNew(n))));
    expect(requests.filter((r) => r === "POST /v1/apiKeys")).toHaveLength(8);
    expect(requests.filter((r) => r === "GET /v1/apiKeys").length).toBeLessThanOrEqual(3);
    expect(requests.filter((r) => r !== "POST /v1/apiKeys" && r !== "GET /v1/apiKeys")).toEqual([]);
    for (const made of result) expect(emu.keys().find((k) => k.uid === made.id)?.name).toBe(made.outputs.name);
    expect(new Set(result.map((r) => r.id)).size).toBe(8);
  });

  it("an edit of any of name, description and expiry is a GET and a PUT; revoke, re-activate and delete one request each", async () => {
    let key = await upNew("edited", { description: "before" });
    const rename = await upInPlace("edited", key, { name: "edited-renamed", description: "before" });
    expect(rename.requests).toEqual(["GET /v1/apiKeys/{uid}", "PUT /v1/apiKeys/{uid}"]);
    const both = await upInPlace("edited", rename.state, { name: "edited-renamed", description: "after", expiresIn: "60d" });
    expect(both.requests).toEqual(["GET /v1/apiKeys/{uid}", "PUT /v1/apiKeys/{uid}"]);
    key = both.state;
    expect(key.outputs).toMatchObject({ name: "edited-renamed", description: "after", expiresIn: "60d", expiresAt: key.inputs.expiresAt });
    expect(emu.keys().find((k) => k.uid === key.id)).toMatchObject({ name: "edited-renamed", description: "after" });
    expect(emu.keys().find((k) => k.uid === key.id)?.expiresAt.toISOString()).toBe(key.inputs.expiresAt);

    const revoke = await upInPlace("edited", key, { name: "edited-renamed", description: "after", expiresIn: "60d", active: false });
    expect(revoke.requests).toEqual(["PUT /v1/apiKeys/{uid}/state"]);
    expect(revoke.state.outputs).toMatchObject({ active: false, status: "revoked", key: key.outputs.key });
    expect(emu.keys().find((k) => k.uid === key.id)?.active).toBe(false);

    const reactivate = await upInPlace("edited", revoke.state, { name: "edited-renamed", description: "after", expiresIn: "60d" });
    expect(reactivate.requests).toEqual(["PUT /v1/apiKeys/{uid}/state"]);
    expect(reactivate.state.outputs).toMatchObject({ active: true, status: "active" });
    expect(emu.keys().find((k) => k.uid === key.id)?.active).toBe(true);

    const deleted = await requestsOf(() => host.delete(key.id, urn("edited"), reactivate.state.outputs));
    expect(deleted.requests).toEqual(["DELETE /v1/apiKeys/{uid}"]);
  });

  it("an edit keeps a field the program does not change as Palette holds it: an out-of-band edit since the last refresh survives", async () => {
    const key = await upNew("kept", { description: "from the program" });
    // Out of band, after the last refresh: the engine's state still holds the old description.
    await sdk.apiKeys.update(key.id, { description: "edited in the console" });
    await upInPlace("kept", key, { name: "kept-renamed", description: "from the program" });
    expect(emu.keys().find((k) => k.uid === key.id)).toMatchObject({ name: "kept-renamed", description: "edited in the console" });
  });

  it("an edit keeps a field under ignoreChanges as Palette holds it, whatever the program says", async () => {
    const key = await upNew("ignoring", { description: "original" });
    await sdk.apiKeys.update(key.id, { description: "edited in the console" });
    // ignoreChanges: ["description"]: the engine sends the old input as the new one, whatever the program says.
    const checked = await host.check(urn("ignoring"), key.inputs, await programInputs("ignoring", { name: "ignoring-renamed", description: "ignored" }));
    const news = { ...checked.inputs, description: key.inputs.description };
    await host.update(key.id, urn("ignoring"), key.outputs, news, key.inputs);
    expect(emu.keys().find((k) => k.uid === key.id)).toMatchObject({ name: "ignoring-renamed", description: "edited in the console" });
  });

  it("refresh: concurrent reads share one list, with no request per key", async () => {
    const keys = await Promise.all(Array.from({ length: 12 }, (_, i) => upNew(`fleet${i}`, { description: `d${i}` })));
    await sdk.apiKeys.update(keys[3]!.id, { description: "drifted" });
    const { result, requests } = await requestsOf(() => Promise.all(keys.map((k) => read(k))));
    // One list, or two when the machine is so busy that the reads reach the provider far apart.
    expect(requests.length).toBeLessThanOrEqual(2);
    expect(new Set(requests)).toEqual(new Set(["GET /v1/apiKeys"]));
    expect(result.map((r) => r.id)).toEqual(keys.map((k) => k.id));
    expect(result.map((r) => r.properties.description)).toEqual(keys.map((_, i) => (i === 3 ? "drifted" : `d${i}`)));
  });

  it("a read asked while a list is in flight waits for the next list: an edit made meanwhile is seen", async () => {
    const [a, b] = await Promise.all([upNew("stale-a"), upNew("stale-b")]);
    // The first list is answered 1.5 s after Palette took it; b is renamed in between.
    emu.faults.add({ method: "GET", path: "/v1/apiKeys", times: 1, action: { kind: "latency", ms: 1_500, afterHandling: true } });
    const readA = read(a!);
    while (emu.faults.stats.matched === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await sdk.apiKeys.update(b!.id, { name: "renamed-meanwhile" });
    const readB = await read(b!);
    expect(readB.properties.name).toBe("renamed-meanwhile");
    expect((await readA).properties.name).toBe(a!.outputs.name);
    emu.faults.clear();
  });

  it("refresh with a wrong key: one rejected request, the explanation once, a one-line reference for the other keys", async () => {
    const keys = await Promise.all(["wrong-a", "wrong-b", "wrong-c"].map((n) => upNew(n)));
    const wrong = await startHost("NotTheKeyNotTheKeyNotTheKey12345");
    const before = emu.requests().length;
    const messages: string[] = [];
    for (const k of keys) messages.push(await read(k, wrong).then(() => "read", (e: Error) => e.message));
    expect(emu.requests().slice(before).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["GET /v1/users/info 401"]);
    expect(messages[0]).toMatch(/^Cannot read API key [0-9a-f]{24}: .*401/);
    expect(messages.filter((m) => m.includes(PULUMI_HINTS.credentials))).toEqual([messages[0]]);
    expect(messages.slice(1)).toEqual(keys.slice(1).map((k) => `Cannot read API key ${k.id}: asking Palette which tenant the credentials belong to failed: ${REJECTED_BEFORE}`));
    expect(messages.join("\n")).not.toContain("NotTheKeyNotTheKey");
    // The right key, in another process as after fixing the stack config, reads them all.
    expect((await Promise.all(keys.map((k) => read(k)))).map((r) => r.id)).toEqual(keys.map((k) => k.id));
  });

  it("a key missing from the list is asked for by uid: gone only on its 404, never for lack of permission", async () => {
    const [gone, adminOwned] = await Promise.all([upNew("gone"), upNew("admin-owned")]);
    await sdk.apiKeys.delete(gone!.id);
    const refreshed = await requestsOf(() => read(gone!));
    expect(refreshed.requests).toEqual(["GET /v1/apiKeys", "GET /v1/apiKeys/{uid}"]);
    expect(refreshed.result.id).toBe("");

    // A plain user's list holds only her keys: the admin's key is missing from it, and a GET says 403.
    const alice = await startHost(ALICE_KEY);
    const { host: _h, tenantUid: _t, ...unrecorded } = adminOwned!.outputs;
    const denied = await requestsOf(() => read({ ...adminOwned!, outputs: unrecorded }, alice).then(() => "read", (e: Error) => e.message));
    expect(denied.requests.filter((r) => r.includes("apiKeys"))).toEqual(["GET /v1/apiKeys", "GET /v1/apiKeys/{uid}"]);
    expect(denied.result).toMatch(/Cannot read API key .*forbidden/i);
    expect(emu.keys().some((k) => k.uid === adminOwned!.id)).toBe(true);
  });
});
