/**
 * The ApiKey provider through the REAL @pulumi/pulumi dynamic-provider host (runner/provider-client.ts),
 * against the emulator, making the calls the engine makes for each Pulumi command. The serialized
 * provider is the `__provider` text ApiKey itself produced (captured under mocks); the host loads
 * dist/provider/impl.js through the loader's fallback (cwd = this repository), so `npm run build`
 * must have run.
 */
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { ProviderClient, ProviderInitError, secretConfig } from "../../../runner/provider-client";
import { UNKNOWN, type PropertyMap } from "../../../runner/wire-values";
import { PaletteClient } from "../../../sdk";
import { closedPort } from "../../helpers/closed-port";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";
import { programInputs, REPO, urn, type State } from "./support";

const ADMIN_KEY = "SentinelAdminKeyQ1w2E3r4T5y6U7i8";
const ALICE_KEY = "SentinelAliceKeyZ9x8C7v6B5n4M3l2";
const PASSWORD = "SentinelPasswordP0o9I8u7";
const DAY_MS = 86_400_000;

let emu: RunningEmulator;
let host: ProviderClient;
let sdk: PaletteClient;
const hosts: ProviderClient[] = [];
const errors: string[] = [];
const keyValues: string[] = [];

async function startHost(config: Parameters<ProviderClient["configure"]>[0], env: Record<string, string> = {}): Promise<ProviderClient> {
  const h = await ProviderClient.start({ cwd: REPO, env: { ...NO_ENV_CREDENTIALS, ...env } });
  hosts.push(h);
  await h.configure(config);
  return h;
}

/**
 * Captures what a user would read of every rejection (message, init-failure reasons) for the secret
 * scan, and returns the error. Init-failure `properties` are state, where the key belongs.
 */
async function failure(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!(e instanceof Error)) throw new Error("expected the call to fail");
  errors.push(e.message, ...(e instanceof ProviderInitError ? e.reasons : []));
  return e;
}

const userKeys = () => emu.keys().filter((k) => !k.seeded);
const emulated = (uid: string) => emu.keys().find((k) => k.uid === uid);

/** `pulumi up` of a new resource: check with empty olds, then create. */
async function upNew(name: string, program: PropertyMap): Promise<State> {
  const checked = await host.check(urn(name), {}, program);
  expect(checked.failures).toEqual([]);
  const created = await host.create(urn(name), checked.inputs);
  keyValues.push(String(created.properties.key));
  return { id: created.id, inputs: checked.inputs, outputs: created.properties };
}

/** `pulumi up` of an existing resource: check against old inputs, diff against old outputs. */
async function plan(name: string, state: State, program: PropertyMap) {
  const checked = await host.check(urn(name), state.inputs, program);
  expect(checked.failures).toEqual([]);
  const diff = await host.diff(state.id, urn(name), state.outputs, checked.inputs, state.inputs);
  return { checked: checked.inputs, diff };
}

/** `pulumi up` that must update in place; returns the new state. */
async function upInPlace(name: string, state: State, program: PropertyMap): Promise<State> {
  const { checked, diff } = await plan(name, state, program);
  expect(diff).toEqual({ changes: "some", replaces: [], deleteBeforeReplace: false, diffs: [] });
  const { properties } = await host.update(state.id, urn(name), state.outputs, checked, state.inputs);
  return { id: state.id, inputs: checked, outputs: properties };
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) {
    throw new Error("dist/provider/impl.js is missing: run `npm run build` before the engine tests");
  }
  emu = await startEmulator({ port: 0, adminKey: ADMIN_KEY, userKey: ALICE_KEY, password: PASSWORD });
  // Provider processes and this client share one IP, hence one emulated rate limit: let it retry 429s.
  sdk = new PaletteClient({ host: emu.url, auth: { apiKey: ADMIN_KEY } });
  host = await startHost({ "palette:host": emu.url, "palette:apiKey": secretConfig(ADMIN_KEY) });
});

afterAll(async () => {
  for (const h of hosts) await h.close();
  await sdk?.close();
  await emu?.close();
});

describe("ApiKey through the dynamic-provider host", () => {
  let ci: State;
  let ciProgram: PropertyMap;

  it("up: check fills the defaults and an autoname, create makes exactly one key", async () => {
    ciProgram = await programInputs("ci", { description: "CI pipeline" });
    ci = await upNew("ci", ciProgram);

    expect(ci.inputs).toMatchObject({ __logicalName: "ci", __autonamed: true, description: "CI pipeline", active: true, expiresIn: "30d" });
    expect(ci.inputs.name).toMatch(/^ci-[a-z0-9]{7}$/);
    expect(ci.outputs).toMatchObject({
      uid: ci.id,
      name: ci.inputs.name,
      description: "CI pipeline",
      expiresIn: "30d",
      expiresAt: ci.inputs.expiresAt,
      active: true,
      status: "active",
      userUid: emu.accounts.admin.uid,
      userName: `${emu.accounts.admin.firstName} ${emu.accounts.admin.lastName}`,
      userEmail: emu.accounts.admin.email,
      __provider: ciProgram.__provider,
    });
    expect(String(ci.outputs.key)).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(ci.outputs).not.toHaveProperty("__logicalName");
    expect(ci.outputs).not.toHaveProperty("__autonamed");

    expect(userKeys()).toHaveLength(1);
    const stored = emulated(ci.id);
    expect(stored).toMatchObject({ name: ci.inputs.name, description: "CI pipeline", ownerUid: emu.accounts.admin.uid, active: true });
    expect(stored?.expiresAt.toISOString()).toBe(ci.inputs.expiresAt);
    const in30Days = Date.now() + 30 * DAY_MS;
    expect(Math.abs(Date.parse(String(ci.inputs.expiresAt)) - in30Days)).toBeLessThan(2 * 60_000);
  });

  it("a second up with the same program proposes no changes, also 10 days later", async () => {
    const again = await plan("ci", ci, await programInputs("ci", { description: "CI pipeline" }));
    expect(again.checked).toEqual(ci.inputs);
    expect(again.diff).toEqual({ changes: "none", replaces: [], deleteBeforeReplace: false, diffs: [] });

    emu.clock.advance(10 * DAY_MS);
    const later = await plan("ci", ci, await programInputs("ci", { description: "CI pipeline" }));
    expect(later.checked.expiresAt).toBe(ci.inputs.expiresAt);
    expect(later.diff.changes).toBe("none");
  });

  it("a preview with unknown inputs passes check and shows a change", async () => {
    const { checked, diff } = await plan("ci", ci, { ...ciProgram, description: UNKNOWN });
    expect(checked.description).toBe(UNKNOWN);
    expect(diff).toEqual({ changes: "some", replaces: [], deleteBeforeReplace: false, diffs: [] });
  });

  describe("in-place edits keep the key and its value", () => {
    const edits: [string, Parameters<typeof programInputs>[1], (s: State) => void][] = [
      ["description", { description: "edited" }, (s) => expect(emulated(s.id)?.description).toBe("edited")],
      [
        "expiresIn",
        { description: "edited", expiresIn: "60d" },
        (s) => {
          expect(s.outputs.expiresIn).toBe("60d");
          expect(emulated(s.id)?.expiresAt.toISOString()).toBe(s.inputs.expiresAt);
          expect(Math.abs(Date.parse(String(s.inputs.expiresAt)) - (Date.now() + 60 * DAY_MS))).toBeLessThan(2 * 60_000);
        },
      ],
      [
        "active: false",
        { description: "edited", expiresIn: "60d", active: false },
        (s) => {
          expect(emulated(s.id)?.active).toBe(false);
          expect(s.outputs).toMatchObject({ active: false, status: "revoked" });
        },
      ],
      [
        "active: true",
        { description: "edited", expiresIn: "60d", active: true },
        (s) => {
          expect(emulated(s.id)?.active).toBe(true);
          expect(s.outputs).toMatchObject({ active: true, status: "active" });
        },
      ],
    ];

    it.each(edits)("%s", async (_label, args, verify) => {
      const before = ci;
      ciProgram = await programInputs("ci", args);
      ci = await upInPlace("ci", ci, ciProgram);
      verify(ci);
      expect(ci.id).toBe(before.id);
      expect(ci.outputs.key).toBe(before.outputs.key);
      expect(ci.outputs.__provider).toBe(ciProgram.__provider);
      expect(userKeys().map((k) => k.uid)).toEqual([ci.id]);
      const settled = await plan("ci", ci, ciProgram);
      expect(settled.diff.changes).toBe("none");
    });
  });

  it("an owner change replaces: fresh name, create the new key, delete the old one", async () => {
    const bob = emu.accounts.users.find((u) => u.email.startsWith("bob"));
    const alice = emu.accounts.users.find((u) => u.email.startsWith("alice"));
    if (bob === undefined || alice === undefined) throw new Error("seed users missing");
    const owned = await upNew("owned", await programInputs("owned", { user: { email: bob.email } }));
    expect(owned.outputs).toMatchObject({ userUid: bob.uid, userEmail: bob.email, user: { email: bob.email } });
    expect(emulated(owned.id)?.ownerUid).toBe(bob.uid);

    const program = await programInputs("owned", { user: { email: alice.email } });
    const { diff } = await plan("owned", owned, program);
    expect(diff).toEqual({ changes: "some", replaces: ["user"], deleteBeforeReplace: false, diffs: [] });

    // The engine's replace: check again with empty olds, create the new key, then delete the old one.
    const replacement = await host.check(urn("owned"), {}, program);
    expect(replacement.inputs.name).not.toBe(owned.inputs.name);
    const created = await host.create(urn("owned"), replacement.inputs);
    keyValues.push(String(created.properties.key));
    expect(emulated(created.id)?.ownerUid).toBe(alice.uid);
    expect(created.properties).toMatchObject({ userUid: alice.uid, user: { email: alice.email } });
    await host.delete(owned.id, urn("owned"), owned.outputs);
    expect(emulated(owned.id)).toBeUndefined();

    await host.delete(created.id, urn("owned"), created.properties);
    expect(userKeys().map((k) => k.uid)).toEqual([ci.id]);
  });

  describe("drift", () => {
    let drifty: State;
    let program: PropertyMap;

    it("refresh after an out-of-band revoke and rename shows exactly that, and up restores it in place", async () => {
      program = await programInputs("drifty", { name: "drift-key", description: "watched" });
      drifty = await upNew("drifty", program);
      await sdk.apiKeys.setActive(drifty.id, false);
      await sdk.apiKeys.update(drifty.id, { name: "renamed-out-of-band" });

      const refreshed = await host.read(drifty.id, urn("drifty"), drifty.outputs, drifty.inputs);
      expect(refreshed.id).toBe(drifty.id);
      const changedProps = Object.keys(refreshed.properties).filter(
        (k) => JSON.stringify(refreshed.properties[k]) !== JSON.stringify(drifty.outputs[k]),
      );
      expect(changedProps.sort()).toEqual(["active", "name", "status", "updatedAt"]);
      expect(refreshed.properties).toMatchObject({ name: "renamed-out-of-band", active: false, status: "revoked", key: drifty.outputs.key });
      const { __logicalName: _n, __provider: _p, ...oldInputs } = drifty.inputs;
      const { __provider: _q, ...newInputs } = refreshed.inputs;
      expect(newInputs).toEqual({ ...oldInputs, name: "renamed-out-of-band", active: false });

      drifty = { id: refreshed.id, inputs: refreshed.inputs, outputs: refreshed.properties };
      drifty = await upInPlace("drifty", drifty, program);
      expect(emulated(drifty.id)).toMatchObject({ name: "drift-key", active: true });
      expect(drifty.outputs.key).toBe(refreshed.properties.key);
    });

    it("refresh after an out-of-band delete reports the key gone (empty id)", async () => {
      await sdk.apiKeys.delete(drifty.id);
      const refreshed = await host.read(drifty.id, urn("drifty"), drifty.outputs, drifty.inputs);
      expect(refreshed.id).toBe("");
    });
  });

  it("a create that fails after the key exists reports id and properties, and that state can be deleted", async () => {
    emu.faults.add({ method: "PUT", path: /^\/v1\/apiKeys\/[^/]+\/state$/, times: Infinity, action: { kind: "status", status: 500 } });
    const program = await programInputs("half", { description: "half made", active: false });
    const checked = await host.check(urn("half"), {}, program);
    let error: Error;
    try {
      error = await failure(host.create(urn("half"), checked.inputs));
    } finally {
      emu.faults.clear();
    }
    expect(error).toBeInstanceOf(ProviderInitError);
    const init = error as ProviderInitError;
    expect(init.id).toMatch(/^[0-9a-f]{24}$/);
    expect(init.properties).toMatchObject({ uid: init.id, description: "half made", active: true, __provider: program.__provider });
    expect(String(init.properties.key)).toMatch(/^[A-Za-z0-9]{32}$/);
    keyValues.push(String(init.properties.key));
    expect(init.reasons.join("\n")).toMatch(/could not be revoked/);
    expect(init.message).toMatch(/pulumi up/);
    expect(emulated(init.id)).toMatchObject({ active: true });

    // The engine recorded the partial state; the next up (init errors) calls update, destroy calls delete.
    const retried = await host.update(init.id, urn("half"), init.properties, checked.inputs, checked.inputs);
    expect(retried.properties).toMatchObject({ active: false, key: init.properties.key });
    expect(emulated(init.id)?.active).toBe(false);
    await host.delete(init.id, urn("half"), init.properties);
    expect(emulated(init.id)).toBeUndefined();
  });

  it("read fails loudly on 401 (revoked credentials), never reporting the key gone", async () => {
    const alice = emu.accounts.users.find((u) => u.apiKey === ALICE_KEY);
    if (alice === undefined) throw new Error("alice's seeded key missing");
    const aliceHost = await startHost({ "palette:host": emu.url, "palette:apiKey": secretConfig(ALICE_KEY) });
    const own = await aliceHost.check(urn("alice-own"), {}, await programInputs("alice-own", {}));
    const created = await aliceHost.create(urn("alice-own"), own.inputs);
    keyValues.push(String(created.properties.key));
    expect(emulated(created.id)?.ownerUid).toBe(alice.uid);

    await sdk.apiKeys.setActive(alice.apiKeyUid, false);
    try {
      const e = await failure(aliceHost.read(created.id, urn("alice-own"), created.properties, own.inputs));
      expect(e.message).toMatch(/^Cannot read API key [0-9a-f]{24}: .*401/);
      expect(e.message).toMatch(/SPECTROCLOUD_APIKEY|palette:apiKey/);
      const d = await failure(aliceHost.delete(created.id, urn("alice-own"), created.properties));
      expect(d.message).toMatch(/^Cannot delete API key/);
      expect(emulated(created.id)).toBeDefined();
    } finally {
      await sdk.apiKeys.setActive(alice.apiKeyUid, true);
      await sdk.apiKeys.delete(created.id);
    }
  });

  it("without credentials, check still works and create says how to set them", async () => {
    const bare = await startHost({ "palette:host": emu.url });
    const checked = await bare.check(urn("bare"), {}, await programInputs("bare", {}));
    expect(checked.failures).toEqual([]);
    const e = await failure(bare.create(urn("bare"), checked.inputs));
    expect(e.message).toMatch(/palette:apiKey.*SPECTROCLOUD_APIKEY.*palette:username.*SPECTROCLOUD_PASSWORD/s);
    expect(e).not.toBeInstanceOf(ProviderInitError);
  });

  describe("a wrong palette:host fails the create at once, saying what to check", () => {
    async function createAt(host: string, name: string): Promise<Error> {
      const wrong = await startHost({ "palette:host": host, "palette:apiKey": secretConfig(ADMIN_KEY) });
      const checked = await wrong.check(urn(name), {}, await programInputs(name, {}));
      // The preview already stops here, on the setting to fix; the create below is an `up` without one.
      expect(checked.failures).toEqual([{ property: "palette:host", reason: expect.stringContaining("could not be reached") }]);
      return failure(wrong.create(urn(name), checked.inputs));
    }

    it("a closed port: connection refused, one attempt, palette:host named, no 'may have been created'", async () => {
      const port = await closedPort();
      const e = await createAt(`http://127.0.0.1:${port}`, "wrong-port");
      expect(e).not.toBeInstanceOf(ProviderInitError);
      expect(e.message).toMatch(
        // The first call of a create asks which tenant the credentials belong to (the tenant guard).
        new RegExp(`^Cannot create API key "wrong-port-[a-z0-9]{7}": .*users\\.me failed: GET /v1/users/info -> cannot connect to 127\\.0\\.0\\.1:${port} \\(connection refused\\)`),
      );
      expect(e.message).toContain("`palette:host`");
      // More than one attempt would read "(N attempts made)".
      expect(e.message).not.toMatch(/attempts made/);
      expect(e.message).not.toMatch(/may have been created|findByName/);
    });

    it("https:// to a plain-HTTP port: one connection for the check, one for the create, the message says to write http://", async () => {
      const sockets: net.Socket[] = [];
      const plain = net.createServer((socket) => {
        sockets.push(socket);
        socket.on("error", () => undefined); // the client hangs up mid-handshake
        socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
      });
      await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
      const port = (plain.address() as net.AddressInfo).port;
      try {
        const e = await createAt(`https://127.0.0.1:${port}`, "wrong-scheme");
        expect(e.message).toContain(`TLS handshake with 127.0.0.1:${port} failed`);
        expect(e.message).toContain(`write the host as http://127.0.0.1:${port}`);
        expect(e.message).toContain("`palette:host`");
        expect(e.message).not.toMatch(/may have been created|findByName/);
        expect(sockets).toHaveLength(2); // neither retried
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise<void>((resolve) => plain.close(() => resolve()));
      }
    });
  });

  it("an API key set under the project's namespace is named, with the key Pulumi reads", async () => {
    // What `pulumi config set --secret apiKey …` makes; the engine hands a provider plugin the stack
    // config as JSON in PULUMI_CONFIG (values encrypted or not, only the names matter here).
    const stack = { "palette:host": emu.url, "palette-demo:apiKey": ADMIN_KEY };
    const misconfigured = await startHost({ ...stack, "palette-demo:apiKey": secretConfig(ADMIN_KEY) }, { PULUMI_CONFIG: JSON.stringify(stack) });
    const checked = await misconfigured.check(urn("misplaced"), {}, await programInputs("misplaced", {}));
    const e = await failure(misconfigured.create(urn("misplaced"), checked.inputs));
    expect(e.message).toMatch(/^No Palette credentials: set an API key/);
    expect(e.message).toContain("`palette-demo:apiKey` is set: did you mean `palette:apiKey`?");
  });

  it("check failures come back per property through the host", async () => {
    const bad = await host.check(urn("bad"), {}, await programInputs("bad", { expiresIn: "0d", user: { uid: "u", email: "x@y.z" } as never }));
    expect(bad.failures.map((f) => f.property).sort()).toEqual(["expiresIn", "user"]);
  });

  it("destroy deletes the key; deleting again succeeds", async () => {
    await host.delete(ci.id, urn("ci"), ci.outputs);
    expect(userKeys()).toEqual([]);
    await host.delete(ci.id, urn("ci"), ci.outputs);
    expect(userKeys()).toEqual([]);
  });

  it("no secret reached the provider's output or any error", () => {
    const secrets = [ADMIN_KEY, ALICE_KEY, PASSWORD, ...keyValues];
    expect(keyValues.length).toBeGreaterThanOrEqual(5);
    for (const h of hosts) {
      for (const s of secrets) {
        expect(h.output.stdout).not.toContain(s);
        expect(h.output.stderr).not.toContain(s);
      }
    }
    const messages = errors.join("\n");
    expect(errors.length).toBeGreaterThanOrEqual(4);
    for (const s of secrets) expect(messages).not.toContain(s);
  });
});
