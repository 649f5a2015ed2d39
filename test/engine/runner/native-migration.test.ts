/**
 * README's "Moving from the dynamic ApiKey" recipe, run through the runner against the emulator: a
 * stack holding a dynamic `ApiKey` moves to `palette:index:ApiKey` with no key created or deleted.
 * (1) the dynamic key gets `retainOnDelete`; (2) its value is carried into the stack config as a
 * secret, for the consumer that reads it from the stack output; (3) the program names the native
 * resource adopting the key (its uid, name, description and expiry) in place of the dynamic one, and
 * exports the carried value under the same output name; (4) the next `up` has nothing to do.
 * The dynamic-provider host resolves the package from this repository (the project directory), and
 * the plugin is found on PATH, the engine's second rule.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { ApiKey } from "../../../provider";
import * as palette from "../../../provider/native/sdk";
import { secretConfig, type SecretValue } from "../../../runner/provider-client";
import { runProgram, type RunOptions, type RunResult } from "../../../runner/offline-engine";
import { loadState } from "../../../runner/state-file";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";
import { PLUGIN, REPO } from "./support";

const ADMIN_KEY = "MigrationAdminKeyQ1w2E3r4T5y6U7i8";
const PASSPHRASE = "migration passphrase";
const DYNAMIC_TYPE = "pulumi-nodejs:dynamic/palette:ApiKey";

let emu: RunningEmulator;
let dir: string;
let stateFile: string;
let binDir: string;

/** What the native program adopts: the dynamic key's uid and the values it has. */
interface Adopted {
  uid: string;
  name: string;
  description: string;
  expiresAt: string;
}

const dynamicProgram = (retainOnDelete: boolean) => (): Record<string, unknown> => {
  const ci = new ApiKey("ci", { description: "CI pipeline", expiresIn: "30d" }, { retainOnDelete });
  return { ciKey: ci.key, ciUid: ci.uid };
};

const nativeProgram = (adopted: Adopted) => (): Record<string, unknown> => {
  const ci = new palette.ApiKey("ci-native", {
    name: adopted.name,
    description: adopted.description,
    expiresAt: adopted.expiresAt,
    adopt: { uid: adopted.uid },
  });
  // The adopted key's value is unknown to the provider: the consumer's output comes from the config.
  return { ciKey: new pulumi.Config().requireSecret("ciKey"), ciUid: ci.uid, keyAvailable: ci.keyAvailable };
};

const run = (program: () => Record<string, unknown>, extraConfig: Record<string, string | SecretValue> = {}, extra: Partial<RunOptions> = {}): Promise<RunResult> =>
  runProgram({
    operation: "up",
    program,
    projectDir: REPO,
    stateFile,
    project: "migration",
    stack: "dev",
    config: { "palette:host": emu.url, "palette:apiKey": secretConfig(ADMIN_KEY), ...extraConfig },
    env: { ...NO_ENV_CREDENTIALS, PATH: `${binDir}${path.delimiter}${process.env.PATH ?? ""}` },
    passphrase: PASSPHRASE,
    ...extra,
  });

const stored = () => loadState(stateFile, "migration", "dev", PASSPHRASE).state;
const keysInPalette = () =>
  emu
    .keys()
    .filter((k) => !k.seeded)
    .map((k) => ({ uid: k.uid, name: k.name, active: k.active }));

beforeAll(async () => {
  if (!fs.existsSync(PLUGIN) || !fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) throw new Error("run `npm run build` before the engine tests");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-migration-"));
  stateFile = path.join(dir, "dev.json");
  binDir = path.join(dir, "bin");
  fs.mkdirSync(binDir);
  fs.symlinkSync(PLUGIN, path.join(binDir, "pulumi-resource-palette"));
  emu = await startEmulator({ port: 0, adminKey: ADMIN_KEY });
});
afterAll(async () => {
  await emu?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it("moves the dynamic key to palette:index:ApiKey: the same keys and uids in Palette, no create or delete sent, the value carried to the same output", async () => {
  await run(dynamicProgram(false));
  const dynamicKey = stored().resources.find((r) => r.type === DYNAMIC_TYPE);
  const value = dynamicKey?.outputs.key;
  expect(typeof value).toBe("string");
  const before = keysInPalette();
  expect(before).toHaveLength(1);

  // (1) retainOnDelete on the dynamic key: a state change only.
  const retained = await run(dynamicProgram(true));
  expect(retained.steps.map((s) => s.op)).toEqual(["same"]);

  // (2)+(3) the native resource adopts the key; the dynamic one leaves the state, retained.
  const adopted: Adopted = {
    uid: dynamicKey?.id ?? "",
    name: String(dynamicKey?.outputs.name),
    description: String(dynamicKey?.outputs.description),
    expiresAt: String(dynamicKey?.outputs.expiresAt),
  };
  const requestsBefore = emu.requests().length;
  const moved = await run(nativeProgram(adopted), { "migration:ciKey": secretConfig(String(value)) });
  const writes = emu
    .requests()
    .slice(requestsBefore)
    .filter((r) => r.method !== "GET" && /apiKeys/.test(r.path));
  expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  expect(moved.steps.map((s) => [s.op, s.type]).sort()).toEqual([
    ["create", "palette:index:ApiKey"],
    ["delete", DYNAMIC_TYPE],
  ]);
  expect(keysInPalette()).toEqual(before);
  const state = stored();
  expect(state.resources.filter((r) => r.type === DYNAMIC_TYPE)).toEqual([]);
  expect(state.resources.find((r) => r.type === "palette:index:ApiKey")).toMatchObject({ id: adopted.uid, outputs: { keyAvailable: false } });
  // The consumer's output: the same name, the same value, still a secret.
  expect(moved.outputs).toMatchObject({ ciKey: "[secret]", ciUid: adopted.uid, keyAvailable: false });
  expect(state.outputs.ciKey).toBe(value);
  expect(state.secretOutputs).toContain("ciKey");

  // (4) nothing left to do.
  const after = await run(nativeProgram(adopted), { "migration:ciKey": secretConfig(String(value)) }, { expectNoChanges: true });
  expect(after.steps.map((s) => s.op)).toEqual(["same"]);
  expect(keysInPalette()).toEqual(before);
});
