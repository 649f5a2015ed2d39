/**
 * Permissions through the provider (the real dynamic-provider host): the emulator refuses what
 * Palette forbids, and the provider says so clearly, never mistaking a refusal for "gone". Plus what no
 * one can do at all: reassign a key, read a key value after create, authenticate with a revoked or
 * expired key or an expired JWT.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator, type SeedAccount } from "../../emulator";
import { ProviderClient, ProviderInitError, secretConfig } from "../../runner/provider-client";
import { MiniEngine } from "../../bench/harness/engine";
import { authenticate } from "../../bench/harness/invariants";
import { hostPort } from "../../bench/harness/ports";
import { programInputs, providerText, type KeyArgs, type Props } from "../../bench/harness/program";
import { ADMIN_KEY, ALICE_KEY, NO_ENV_CREDENTIALS, PASSWORD, REPO, adminJwt, leaks, rawRequest } from "./support";

const TYPE = "pulumi-nodejs:dynamic/palette:ApiKey";
const urn = (name: string): string => `urn:pulumi:dev::palette-reliability::${TYPE}::${name}`;

let emu: RunningEmulator;
let admin: ProviderClient;
let alice: ProviderClient;
let bob: SeedAccount;
const hosts: ProviderClient[] = [];
const messages: string[] = [];
const values: string[] = [];

async function startHost(config: Record<string, string | { secret: string }>): Promise<ProviderClient> {
  const h = await ProviderClient.start({ cwd: REPO, env: NO_ENV_CREDENTIALS, callTimeoutMs: 60_000 });
  hosts.push(h);
  await h.configure({ "palette:host": emu.url, ...config });
  return h;
}

/** check + create of a new key; returns id and outputs. */
async function create(host: ProviderClient, name: string, args: KeyArgs): Promise<{ id: string; outputs: Props; inputs: Props }> {
  const checked = await host.check(urn(name), {}, programInputs(name, args, await providerText()));
  expect(checked.failures).toEqual([]);
  const created = await host.create(urn(name), checked.inputs);
  values.push(String(created.properties.key));
  return { id: created.id, outputs: created.properties, inputs: checked.inputs };
}

/** The rejection of `p`, recorded for the secret scan. */
async function refusal(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(e instanceof Error)) throw new Error("expected the call to be refused");
  messages.push(e.message);
  return e;
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) throw new Error("run `npm run build` first: the host loads dist/");
  emu = await startEmulator({ adminKey: ADMIN_KEY, userKey: ALICE_KEY, password: PASSWORD, rateLimit: false });
  const found = emu.accounts.users.find((u) => u.email.startsWith("bob"));
  if (found === undefined) throw new Error("the emulator seeds bob");
  bob = found;
  [admin, alice] = await Promise.all([
    startHost({ "palette:apiKey": secretConfig(ADMIN_KEY) }),
    startHost({ "palette:apiKey": secretConfig(ALICE_KEY) }),
  ]);
});

afterAll(async () => {
  await Promise.all(hosts.map((h) => h.close()));
  await emu?.close();
});

const userKeys = () => emu.keys().filter((k) => !k.seeded);

describe("a plain user", () => {
  it("cannot create a key for someone else, by uid or by email; nothing is made", async () => {
    const checked = await alice.check(urn("for-bob"), {}, programInputs("for-bob", { user: { uid: bob.uid } }, await providerText()));
    const byUid = await refusal(alice.create(urn("for-bob"), checked.inputs));
    expect(byUid).not.toBeInstanceOf(ProviderInitError);
    expect(byUid.message).toMatch(
      new RegExp(`^Cannot create API key "for-bob-[a-z0-9]{7}" for user ${bob.uid} \\(user\\.uid\\): apiKeys\\.create failed: POST /v1/apiKeys -> 403 `),
    );
    expect(byUid.message.match(/only tenant admins may create (API )?keys for other users/gi)).toHaveLength(1);

    const checkedEmail = await alice.check(urn("for-bob"), {}, programInputs("for-bob", { user: { email: bob.email } }, await providerText()));
    const byEmail = await refusal(alice.create(urn("for-bob"), checkedEmail.inputs));
    expect(byEmail.message).toMatch(/^Cannot create API key "for-bob-[a-z0-9]{7}": looking up owner bob@palette\.local \(user\.email\) failed: .* 403 /);
    expect(byEmail.message).toMatch(/only tenant admins may list/);
    expect(userKeys()).toEqual([]);
  });

  it("cannot read, update or delete another user's key in its state, and the refusal never reads as 'gone'", async () => {
    const theirs = await create(admin, "admins", { description: "admin's own" });
    const before = emu.keys().find((k) => k.uid === theirs.id);

    const read = await refusal(alice.read(theirs.id, urn("admins"), theirs.outputs, theirs.inputs));
    expect(read.message).toMatch(new RegExp(`^Cannot read API key ${theirs.id}: apiKeys\\.get failed: GET /v1/apiKeys/${theirs.id} -> 403 `));
    expect(read.message).toMatch(/plain users may only see and change their own API keys/);

    const news = { ...theirs.inputs, description: "hijacked", active: false };
    const update = await refusal(alice.update(theirs.id, urn("admins"), theirs.outputs, news, theirs.inputs));
    expect(update).not.toBeInstanceOf(ProviderInitError);
    expect(update.message).toMatch(new RegExp(`^Cannot update API key "${String(theirs.outputs.name)}" \\(${theirs.id}\\): revoke it failed: .* 403 `));

    const del = await refusal(alice.delete(theirs.id, urn("admins"), theirs.outputs));
    expect(del.message).toMatch(new RegExp(`^Cannot delete API key ${theirs.id}: apiKeys\\.delete failed: DELETE /v1/apiKeys/${theirs.id} -> 403 `));

    expect(emu.keys().find((k) => k.uid === theirs.id)).toEqual(before);
    await admin.delete(theirs.id, urn("admins"), theirs.outputs);
  });
});

describe("nobody", () => {
  it("changes a key's owner in place: the provider replaces it (new key for the new owner, then delete), never a PUT", async () => {
    const engine = new MiniEngine({ port: hostPort(admin) });
    const provider = await providerText();
    const [first] = emu.accounts.users;
    const v1 = new Map([["owned", programInputs("owned", { description: "moves", user: { email: first?.email ?? "" } }, provider)]]);
    expect(await engine.up(v1)).toEqual([]);
    const old = engine.resources.get("owned");
    const from = emu.requests().length;

    const v2 = new Map([["owned", programInputs("owned", { description: "moves", user: { email: bob.email } }, provider)]]);
    expect(await engine.up(v2)).toEqual([]);
    const now = engine.resources.get("owned");
    values.push(...engine.keyValues);
    const writes = emu
      .requests()
      .slice(from)
      .filter((r) => r.method !== "GET")
      .map((r) => `${r.method} ${r.path.replace(old?.id ?? "?", "{old}")}`);
    // Look up the new owner, create the new key, then delete the old one; no PUT at all.
    expect(writes).toEqual(["POST /v1/users/summary", "POST /v1/apiKeys", "DELETE /v1/apiKeys/{old}"]);
    expect(now?.id).not.toBe(old?.id);
    expect(userKeys().map((k) => [k.uid, k.ownerUid])).toEqual([[now?.id, bob.uid]]);
    expect((await engine.destroy(2)).errors).toEqual([]);

    // And Palette itself refuses a PUT that names another owner.
    const mine = await create(admin, "mine", {});
    const put = await rawRequest(
      emu.port,
      "PUT",
      `/v1/apiKeys/${mine.id}`,
      { ApiKey: ADMIN_KEY, "Content-Type": "application/json" },
      JSON.stringify({ metadata: { name: mine.outputs.name }, spec: { expiry: mine.outputs.expiresAt, userUid: bob.uid } }),
    );
    expect(put.status).toBe(400);
    expect(JSON.parse(put.body).message).toMatch(/cannot be reassigned/);
    expect(emu.keys().find((k) => k.uid === mine.id)?.ownerUid).toBe(emu.accounts.admin.uid);
    await admin.delete(mine.id, urn("mine"), mine.outputs);
  });

  it("reads a key value after create: no API path returns it, and a refresh of a state without it yields none", async () => {
    const made = await create(admin, "secret-holder", { description: "value shown once" });
    const value = String(made.outputs.key);
    const paths = ["/v1/apiKeys", `/v1/apiKeys/${made.id}`, "/v1/users/info", "/v1/users", `/v1/users/${emu.accounts.admin.uid}`, "/v1/users/meta"];
    for (const p of paths) {
      const res = await rawRequest(emu.port, "GET", p, { ApiKey: ADMIN_KEY });
      expect({ p, status: res.status }).toEqual({ p, status: 200 });
      expect(res.body).not.toContain(value);
    }
    const { key: _key, ...withoutKey } = made.outputs;
    const refreshed = await admin.read(made.id, urn("secret-holder"), withoutKey, made.inputs);
    expect(refreshed.id).toBe(made.id);
    expect(refreshed.properties).not.toHaveProperty("key");
    await admin.delete(made.id, urn("secret-holder"), made.outputs);
  });
});

describe("authentication", () => {
  it("a revoked key's value is refused until it is re-activated", async () => {
    const made = await create(admin, "toggled", {});
    const value = String(made.outputs.key);
    expect(await authenticate(emu.url, value)).toBe(emu.accounts.admin.uid);
    const revoked = await admin.update(made.id, urn("toggled"), made.outputs, { ...made.inputs, active: false }, made.inputs);
    expect(revoked.properties).toMatchObject({ active: false, status: "revoked" });
    expect(await authenticate(emu.url, value)).toBe("refused");
    const res = await rawRequest(emu.port, "GET", "/v1/users/info", { ApiKey: value });
    expect([res.status, JSON.parse(res.body).message]).toEqual([401, expect.stringMatching(/revoked/)]);
    await admin.update(made.id, urn("toggled"), revoked.properties, made.inputs, made.inputs);
    expect(await authenticate(emu.url, value)).toBe(emu.accounts.admin.uid);
    await admin.delete(made.id, urn("toggled"), made.outputs);
  });

  // These move the emulator's clock forward: they run last.
  it("an expired key's value is refused, also as the provider's own credentials, with a message that says what to fix", async () => {
    const made = await create(admin, "short-lived", { expiresIn: "1h" });
    const value = String(made.outputs.key);
    expect(await authenticate(emu.url, value)).toBe(emu.accounts.admin.uid);
    emu.clock.advance(2 * 3_600_000);
    expect(await authenticate(emu.url, value)).toBe("refused");
    const res = await rawRequest(emu.port, "GET", "/v1/users/info", { ApiKey: value });
    expect([res.status, JSON.parse(res.body).message]).toEqual([401, expect.stringMatching(/expired/)]);

    const expiredHost = await startHost({ "palette:apiKey": secretConfig(value) });
    const checked = await expiredHost.check(urn("nope"), {}, programInputs("nope", {}, await providerText()));
    // A preview's check says it on the setting to fix; a create after it (the engine would stop) refers to it.
    expect(checked.failures).toEqual([{ property: "palette:apiKey", reason: expect.stringMatching(/401 .*expired.*The API key is missing, revoked or expired/) }]);
    messages.push(...checked.failures.map((f) => f.reason));
    expect((await refusal(expiredHost.create(urn("nope"), checked.inputs))).message).toMatch(/: Palette rejected the credentials \(another error of this run gives the details\)$/);
    // Where the create is the first to meet the key, the SDK says what is wrong with it and the provider adds where Pulumi takes it from.
    const e = await refusal((await startHost({ "palette:apiKey": secretConfig(value) })).create(urn("nope"), checked.inputs));
    expect(e.message).toMatch(/401 .*expired.*The API key is missing, revoked or expired.*`palette:apiKey`.*SPECTROCLOUD_APIKEY/);
    await admin.delete(made.id, urn("short-lived"), made.outputs);
  });

  it("an expired JWT is refused; the provider's password login gets a new one by itself", async () => {
    const token = await adminJwt(emu);
    expect((await rawRequest(emu.port, "GET", "/v1/users/info", { Authorization: token })).status).toBe(200);

    const viaPassword = await startHost({ "palette:username": emu.accounts.admin.email, "palette:password": secretConfig(PASSWORD) });
    const before = await create(viaPassword, "jwt-before", {});
    emu.clock.advance(16 * 60_000);
    const expired = await rawRequest(emu.port, "GET", "/v1/users/info", { Authorization: token });
    expect([expired.status, JSON.parse(expired.body).message]).toEqual([401, expect.stringMatching(/token expired/)]);
    const after = await create(viaPassword, "jwt-after", {});
    expect(after.outputs.userUid).toBe(emu.accounts.admin.uid);
    const logins = emu.requests().filter((r) => r.path === "/v1/auth/authenticate" && r.status === 200);
    expect(logins.length).toBeGreaterThanOrEqual(3);
    await viaPassword.delete(before.id, urn("jwt-before"), before.outputs);
    await viaPassword.delete(after.id, urn("jwt-after"), after.outputs);
  });
});

it("no refusal, and nothing a provider host printed, holds a secret or a JWT", () => {
  expect(messages.length).toBe(8);
  const texts: Record<string, string> = { refusals: messages.join("\n") };
  hosts.forEach((h, i) => {
    texts[`host ${i} stdout`] = h.output.stdout;
    texts[`host ${i} stderr`] = h.output.stderr;
  });
  expect(leaks(texts, [ADMIN_KEY, ALICE_KEY, PASSWORD, ...values])).toEqual([]);
});
