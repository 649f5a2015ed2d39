/**
 * TypeScript programs on the native resource `palette:index:ApiKey` through the offline runner, which
 * starts the real `pulumi-resource-palette` as the engine does (found through `Pulumi.yaml`
 * `plugins.providers`, the default provider configured with the stack's `palette:` keys), against
 * the emulator: create (and the `getUser` function), an in-place edit with a revoke and an owner
 * change (a replacement), drift undone by `up --refresh`, the `import` option, destroy. Secrets: the
 * key the plugin returns stays secret in the result, the checkpoint and every line printed, and no
 * credential or key value reaches the plugin's stdout or stderr.
 */
import * as fs from "node:fs";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import * as palette from "../../../provider/native/sdk";
import { runProgram, type RunOptions, type RunResult } from "../../../runner/offline-engine";
import { loadState } from "../../../runner/state-file";
import { PaletteClient } from "../../../sdk";
import { checkpointResources, NATIVE_PROJECT, NATIVE_STACK, nativeProject, nativeRunOptions } from "./support";

const ADMIN_KEY = "NativeRunnerAdminQ1w2E3r4T5y6U7i8";
const ALICE_KEY = "NativeRunnerAliceZ9x8C7v6B5n4M3l2";
const PASSPHRASE = "native runner passphrase";

let emu: RunningEmulator;
let sdk: PaletteClient;
let project: ReturnType<typeof nativeProject>;
const printed: string[] = [];
const pluginOutput: string[] = [];
const userKeys = () => emu.keys().filter((k) => !k.seeded);

interface Shape {
  ciDescription: string;
  ciActive: boolean;
  aliceOwner: "alice" | "admin";
  importUid?: string;
}

/** The program: two keys of the default provider, a function call, and optionally an imported key. */
const program = (shape: Shape) => async (): Promise<Record<string, unknown>> => {
  const alice = emu.accounts.users.find((u) => u.apiKey === ALICE_KEY)?.email ?? "missing";
  const ci = new palette.ApiKey("ci", { description: shape.ciDescription, expiresIn: "30d", active: shape.ciActive });
  const owned = new palette.ApiKey("owned", { name: "owned-key", user: { email: shape.aliceOwner === "alice" ? alice : emu.accounts.admin.email } });
  const found = await palette.getUser({ email: alice });
  if (shape.importUid !== undefined) {
    // The values the key has, as the provider lists them: an import of exactly what exists.
    const listed = (await palette.getApiKeys()).keys.find((k) => k.uid === shape.importUid);
    if (listed?.expiresAt === undefined) throw new Error(`getApiKeys did not list ${shape.importUid} with its expiry`);
    new palette.ApiKey("imported", { name: listed.name, description: listed.description ?? "", expiresAt: listed.expiresAt }, { import: shape.importUid });
  }
  return { ciKey: ci.key, ciStatus: ci.status, ownedOwner: owned.userUid, aliceUid: found.uid };
};

const run = (operation: RunOptions["operation"], shape: Shape, extra: Partial<RunOptions> = {}): Promise<RunResult> =>
  runProgram({ ...nativeRunOptions(project, { host: emu.url, apiKey: ADMIN_KEY, passphrase: PASSPHRASE }, { printed, pluginOutput }), operation, program: program(shape), ...extra });

const stored = () => loadState(project.stateFile, NATIVE_PROJECT, NATIVE_STACK, PASSPHRASE).state;
const keyOf = (name: string) => stored().resources.find((r) => r.name === name && r.type === "palette:index:ApiKey");

beforeAll(async () => {
  project = nativeProject("runner-native-");
  emu = await startEmulator({ port: 0, adminKey: ADMIN_KEY, userKey: ALICE_KEY });
  sdk = new PaletteClient({ host: emu.url, auth: { apiKey: ADMIN_KEY }, retry: false });
});
afterAll(async () => {
  await sdk?.close();
  await emu?.close();
  project?.remove();
});

const base: Shape = { ciDescription: "CI", ciActive: true, aliceOwner: "alice" };

it("up: the plugin's default provider takes the stack's palette: config; keys created, the key secret everywhere, getUser answered", async () => {
  const result = await run("up", base);
  expect(result.steps.map((s) => [s.op, s.type, s.name])).toEqual(
    expect.arrayContaining([
      ["create", "palette:index:ApiKey", "ci"],
      ["create", "palette:index:ApiKey", "owned"],
    ]),
  );
  // The default provider is the engine's: registered and stored, not shown as a step.
  expect(result.steps).toHaveLength(2);
  expect(userKeys()).toHaveLength(2);
  expect(result.outputs).toMatchObject({ ciKey: "[secret]", ciStatus: "active", aliceUid: emu.accounts.users.find((u) => u.apiKey === ALICE_KEY)?.uid });
  expect(result.secretOutputs).toContain("ciKey");

  const resources = checkpointResources(project.stateFile);
  const provider = resources.find((r) => r.type === "pulumi:providers:palette");
  // The SDK asks for version 0.1.0, so the engine's name is default_0_1_0 (default_providers.go).
  expect(provider?.urn).toBe("urn:pulumi:dev::native-test::pulumi:providers:palette::default_0_1_0");
  expect(provider?.inputs).toMatchObject({ host: emu.url, version: "0.1.0", apiKey: { ciphertext: expect.any(String) } });
  const ci = resources.find((r) => r.urn.endsWith("::palette:index:ApiKey::ci"));
  expect(ci?.provider).toBe(`${provider?.urn}::${provider?.id}`);
  expect(ci?.outputs?.key).toMatchObject({ ciphertext: expect.any(String) });
  // The value the plugin returned (wrapped) is the one Palette made.
  expect(keyOf("ci")?.outputs.key).toEqual(expect.stringMatching(/\S{16,}/));
  expect(keyOf("ci")?.secretOutputs).toContain("key");
});

it("up: an in-place edit and a revoke update ci; a new owner replaces owned (create first, then the old key is deleted)", async () => {
  const before = { ci: keyOf("ci")?.id, owned: keyOf("owned")?.id };
  const result = await run("up", { ...base, ciDescription: "CI v2", ciActive: false, aliceOwner: "admin" });
  expect(result.steps.map((s) => [s.op, s.name]).sort()).toEqual([
    ["replace", "owned"],
    ["update", "ci"],
  ]);
  const ci = userKeys().find((k) => k.uid === before.ci);
  expect(ci).toMatchObject({ active: false });
  expect(userKeys().find((k) => k.uid === before.owned)).toBeUndefined();
  const owned = userKeys().find((k) => k.uid === keyOf("owned")?.id);
  expect(owned?.ownerUid).toBe(emu.accounts.admin.uid);
  expect(result.outputs.ownedOwner).toBe(emu.accounts.admin.uid);
  expect(result.outputs.ciStatus).toBe("revoked");
});

it("up --refresh: drift made in Palette is seen and undone in place", async () => {
  const ci = keyOf("ci")?.id as string;
  await sdk.apiKeys.setActive(ci, true);
  const result = await run("up", { ...base, ciDescription: "CI v2", ciActive: false, aliceOwner: "admin" }, { refresh: true });
  expect(result.refreshSteps.find((s) => s.name === "ci")?.op).toBe("refresh-drift");
  expect(result.steps.find((s) => s.name === "ci")?.op).toBe("update");
  expect(userKeys().find((k) => k.uid === ci)?.active).toBe(false);
});

it("up: the import option reads an existing key by its uid; naming its values is the import alone, and the next up is the same", async () => {
  const made = await sdk.apiKeys.create({ name: "made-by-hand", description: "by hand", expiresAt: new Date(Date.now() + 20 * 86_400_000) });
  const shape: Shape = { ciDescription: "CI v2", ciActive: false, aliceOwner: "admin", importUid: made.apiKey.uid };
  const imported = await run("up", shape);
  expect(imported.steps.filter((s) => s.name === "imported").map((s) => s.op)).toEqual(["import"]);
  expect(keyOf("imported")).toMatchObject({ id: made.apiKey.uid, outputs: { keyAvailable: false } });
  expect(checkpointResources(project.stateFile).find((r) => r.urn.endsWith("::imported"))?.importID).toBe(made.apiKey.uid);
  const again = await run("up", shape, { expectNoChanges: true });
  expect(again.steps.map((s) => s.op)).toEqual(["same", "same", "same"]);
  expect(userKeys()).toHaveLength(3);
});

it("destroy deletes every key, the imported one too, and ends with an empty stack; no secret was printed or left the plugin", async () => {
  const values = stored().resources.flatMap((r) => (typeof r.outputs.key === "string" ? [r.outputs.key] : []));
  expect(values).toHaveLength(2);
  const result = await run("destroy", base);
  expect(result.steps.map((s) => s.op)).toEqual(["delete", "delete", "delete"]);
  expect(userKeys()).toEqual([]);
  expect(stored().resources).toEqual([]);
  const texts = [printed.join("\n"), pluginOutput.join("\n"), fs.readFileSync(project.stateFile, "utf8")];
  for (const secret of [ADMIN_KEY, ALICE_KEY, ...values]) for (const text of texts) expect(text).not.toContain(secret);
  expect(pluginOutput.length).toBeGreaterThan(0);
});
