/**
 * encryptFor on the native `palette:index:ApiKey` through the offline runner, which starts the real
 * `pulumi-resource-palette` with its engine address: `up` records only encryptedKey (the checkpoint,
 * decrypted or not, holds no key value) and it decrypts to a key that authenticates; a preview with
 * another recipient is no change, and the plugin's warning, sent through the engine's Log, is
 * printed under the resource as the CLI prints it.
 */
import * as fs from "node:fs";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import * as palette from "../../../provider/native/sdk";
import { runProgram, type RunOptions, type RunResult } from "../../../runner/offline-engine";
import { loadState } from "../../../runner/state-file";
import { keyWorks } from "../../helpers/key-works";
import { decrypt, eccPair, type PgpPair } from "../../helpers/pgp-keys";
import { NATIVE_PROJECT, NATIVE_STACK, nativeProject, nativeRunOptions } from "./support";

const ADMIN_KEY = "NativeEncryptAdminQ1w2E3r4T5y6U7i8";
const PASSPHRASE = "native encrypt passphrase";

let emu: RunningEmulator;
let project: ReturnType<typeof nativeProject>;
let pair: PgpPair;
let other: PgpPair;
let recipient = "";
const printed: string[] = [];
const pluginOutput: string[] = [];

const program = (): Record<string, unknown> => {
  const key = new palette.ApiKey("pipeline", { description: "read by a pipeline", expiresIn: "30d", encryptFor: recipient });
  return { encrypted: key.encryptedKey, keyAvailable: key.keyAvailable };
};

const run = (operation: RunOptions["operation"], extra: Partial<RunOptions> = {}): Promise<RunResult> =>
  runProgram({ ...nativeRunOptions(project, { host: emu.url, apiKey: ADMIN_KEY, passphrase: PASSPHRASE }, { printed, pluginOutput }), operation, program, ...extra });

beforeAll(async () => {
  project = nativeProject("runner-native-encrypt-");
  [emu, pair, other] = await Promise.all([startEmulator({ port: 0, adminKey: ADMIN_KEY, rateLimit: false }), eccPair(), eccPair()]);
});
afterAll(async () => {
  await emu?.close();
  project?.remove();
});

it("up records only encryptedKey, no key value in the checkpoint; another recipient is no change, with the plugin's warning under the resource", async () => {
  recipient = pair.publicKey;
  const up = await run("up");
  expect(up.steps.map((s) => [s.op, s.type])).toEqual([["create", "palette:index:ApiKey"]]);
  expect(up.outputs.keyAvailable).toBe(false);
  const value = await decrypt(String(up.outputs.encrypted), pair.privateKey);
  expect(await keyWorks(emu.url, value)).toBe(true);
  const key = loadState(project.stateFile, NATIVE_PROJECT, NATIVE_STACK, PASSPHRASE).state.resources.find((r) => r.type === "palette:index:ApiKey");
  expect(key?.outputs).toMatchObject({ encryptedKey: up.outputs.encrypted, keyAvailable: false });
  expect(key?.outputs).not.toHaveProperty("key");
  expect(JSON.stringify(key)).not.toContain(value);
  expect(fs.readFileSync(project.stateFile, "utf8")).not.toContain(value);

  recipient = other.publicKey;
  printed.length = 0;
  const writes = emu.requests().filter((r) => r.method !== "GET").length;
  const preview = await run("preview", { expectNoChanges: true });
  expect(preview.steps.map((s) => s.op)).toEqual(["same"]);
  const at = printed.indexOf("  palette:index:ApiKey (pipeline):");
  expect(at).toBeGreaterThanOrEqual(0);
  expect(printed[at + 1]).toMatch(/^ {4}warning: encryptFor changed: it is read when a key is created.*pulumi up --replace urn:pulumi:dev::native-test::palette:index:ApiKey::pipeline/);
  expect(emu.requests().filter((r) => r.method !== "GET").length).toBe(writes);
  for (const text of [printed.join("\n"), pluginOutput.join("\n")]) for (const secret of [ADMIN_KEY, value]) expect(text).not.toContain(secret);
});
