/**
 * Drift semantics through the offline runner against the emulator. A relative expiry shortened out
 * of band is put back to the instant resolved at create, never extended to a new now + expiresIn.
 * `ignoreChanges: ["active"]` for teams whose incident responders revoke keys in the Palette UI: a
 * key revoked out of band stays revoked through `up --refresh` (the refresh records the revocation,
 * the plan leaves it alone), while the other properties are still held to the program.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { ApiKey } from "../../../provider";
import { secretConfig } from "../../../runner/provider-client";
import { runProgram, type RunOptions, type RunResult } from "../../../runner/offline-engine";
import { PaletteClient } from "../../../sdk";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";

const REPO = path.resolve(__dirname, "../../..");

let emu: RunningEmulator;
let sdk: PaletteClient;
let dir: string;
let description = "deploys the web tier";

let ignoreActive = true;
const program = (): Record<string, unknown> => {
  const key = new ApiKey("deployer", { name: "web-deployer", description, expiresIn: "30d" }, ignoreActive ? { ignoreChanges: ["active"] } : {});
  return { status: key.status, expiresAt: key.expiresAt };
};
const run = (operation: RunOptions["operation"], extra: Partial<RunOptions> = {}): Promise<RunResult> =>
  runProgram({
    operation,
    program,
    projectDir: REPO,
    stateFile: path.join(dir, "dev.json"),
    project: "palette-demo",
    stack: "dev",
    config: { "palette:host": emu.url, "palette:apiKey": secretConfig(emu.accounts.admin.apiKey) },
    env: NO_ENV_CREDENTIALS,
    passphrase: "ignore-active test passphrase",
    log: () => undefined,
    ...extra,
  });
const deployer = () => emu.keys().find((k) => k.name === "web-deployer");

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) throw new Error("run `npm run build` first: the host loads dist/");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-ignore-active-"));
  emu = await startEmulator({ port: 0, rateLimit: false });
  sdk = new PaletteClient({ host: emu.url, auth: { apiKey: emu.accounts.admin.apiKey }, rateLimit: false });
});
afterAll(async () => {
  await sdk?.close();
  await emu?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it("a relative expiry shortened out of band is restored to the instant resolved at create", async () => {
  ignoreActive = false;
  const first = await run("up");
  const resolved = first.outputs.expiresAt as string;
  const uid = deployer()?.uid as string;
  const shortened = new Date(Date.now() + 2 * 86_400_000);
  await sdk.apiKeys.update(uid, { expiresAt: shortened });

  const result = await run("up", { refresh: true });
  expect(result.refreshSteps).toEqual([expect.objectContaining({ changes: expect.arrayContaining([{ name: "expiresAt", old: resolved, new: shortened.toISOString() }]) })]);
  expect(result.steps).toEqual([expect.objectContaining({ op: "update", id: uid })]);
  expect(deployer()?.expiresAt.toISOString()).toBe(resolved);
  expect(result.outputs).toMatchObject({ expiresAt: resolved });
  await run("destroy");
  ignoreActive = true;
});

it("a key revoked in the UI stays revoked through up --refresh; other drift is still repaired", async () => {
  await run("up");
  const uid = deployer()?.uid as string;
  await sdk.apiKeys.setActive(uid, false);
  await sdk.apiKeys.update(uid, { description: "edited in the UI" });

  const result = await run("up", { refresh: true });
  expect(result.refreshSteps).toEqual([expect.objectContaining({ op: "refresh-drift", changes: expect.arrayContaining([{ name: "active", old: true, new: false }]) })]);
  expect(result.steps).toEqual([expect.objectContaining({ op: "update", id: uid, changes: [{ name: "description", old: "edited in the UI", new: description }] })]);
  expect(deployer()).toMatchObject({ uid, active: false, description });
  expect(result.outputs).toMatchObject({ status: "revoked" });

  // A later change of the program is applied, and the key still stays revoked.
  description = "deploys the web and api tiers";
  await run("up", { refresh: true });
  expect(deployer()).toMatchObject({ uid, active: false, description });
  await run("destroy");
  expect(deployer()).toBeUndefined();
});
