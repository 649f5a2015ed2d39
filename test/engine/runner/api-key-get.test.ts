/**
 * `ApiKey.get` through the offline runner against the emulator: the read goes through the real
 * provider host, every output comes from Palette, and `key` is `undefined`, as its declared type
 * (`ReadOnlyApiKey`, compiled by test/package/fixtures/consumer.ts) says. Needs `npm run build`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { ApiKey, type ReadOnlyApiKey } from "../../../provider";
import { secretConfig } from "../../../runner/provider-client";
import { runProgram } from "../../../runner/offline-engine";
import { resolveOutput } from "../../helpers/resolve-output";
import { PaletteClient } from "../../../sdk";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";

const REPO = path.resolve(__dirname, "../../..");

let emu: RunningEmulator;
let dir: string;

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) {
    throw new Error("dist/provider/impl.js is missing: run `npm run build` before the engine tests");
  }
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-apikey-get-"));
  emu = await startEmulator({ port: 0 });
});
afterAll(async () => {
  await emu?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it("reads an existing key by uid: Palette's outputs, no key value, nothing changed in Palette", async () => {
  const sdk = new PaletteClient({ host: emu.url, auth: { apiKey: emu.accounts.admin.apiKey } });
  const { apiKey } = await sdk.apiKeys.create({ name: "made-elsewhere", description: "adopted", expiresAt: new Date(Date.now() + 86_400_000) });
  await sdk.close();
  const before = emu.keys().find((k) => k.uid === apiKey.uid);

  let adopted: ReadOnlyApiKey | undefined;
  const result = await runProgram({
    operation: "up",
    program: () => {
      adopted = ApiKey.get("legacy", apiKey.uid);
      return { name: adopted.name };
    },
    projectDir: REPO,
    stateFile: path.join(dir, "dev.json"),
    project: "palette-get",
    stack: "dev",
    config: { "palette:host": emu.url, "palette:apiKey": secretConfig(emu.accounts.admin.apiKey) },
    env: NO_ENV_CREDENTIALS,
    passphrase: "get test passphrase",
  });

  expect(result.steps.map((s) => [s.op, s.name, s.id])).toEqual([["read", "legacy", apiKey.uid]]);
  expect(result.outputs).toEqual({ name: "made-elsewhere" });
  expect(await resolveOutput(adopted?.description)).toMatchObject({ value: "adopted", known: true });
  expect(await resolveOutput(adopted?.status)).toMatchObject({ value: "active", known: true });
  expect(await resolveOutput(adopted?.key)).toMatchObject({ value: undefined, known: true });
  expect(emu.keys().find((k) => k.uid === apiKey.uid)).toEqual(before);
});
