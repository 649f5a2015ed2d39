/**
 * encryptFor through the offline runner (Pulumi's real Node.js runtime and provider host) against
 * the emulator: `up` records only encryptedKey, and the state file holds no key value; it decrypts
 * to a key that authenticates; a preview with another encryptFor shows no change and warns that the
 * value is not encrypted again.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { ApiKey } from "../../../provider";
import { secretConfig } from "../../../runner/provider-client";
import { runProgram, type RunOptions, type RunResult } from "../../../runner/offline-engine";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";
import { keyWorks } from "../../helpers/key-works";
import { decrypt, eccPair, type PgpPair } from "../../helpers/pgp-keys";

const REPO = path.resolve(__dirname, "../../..");
const ADMIN_KEY = "RunnerEncryptKeyQ1w2E3r4T5y6U7i8";

describe("ApiKey with encryptFor through the offline runner", () => {
  let emu: RunningEmulator;
  let dir: string;
  let stateFile: string;
  let ecc: PgpPair;
  let other: PgpPair;
  let recipient = "";
  const logs: string[] = [];

  const program = (): Record<string, unknown> => {
    const key = new ApiKey("pipeline", { description: "read by a pipeline", encryptFor: recipient });
    return { encrypted: key.encryptedKey, keyAvailable: key.keyAvailable };
  };
  const run = (operation: RunOptions["operation"], extra: Partial<RunOptions> = {}): Promise<RunResult> =>
    runProgram({
      operation,
      program,
      projectDir: REPO,
      stateFile,
      project: "palette-demo",
      stack: "dev",
      config: { "palette:host": emu.url, "palette:apiKey": secretConfig(ADMIN_KEY) },
      env: NO_ENV_CREDENTIALS,
      passphrase: "runner test passphrase",
      log: (line) => logs.push(line),
      ...extra,
    });
  const writes = (): number => emu.requests().filter((r) => r.path.startsWith("/v1/apiKeys") && r.method !== "GET").length;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) throw new Error("dist/provider/impl.js is missing: run `npm run build` first");
    [ecc, other] = await Promise.all([eccPair(), eccPair()]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-encrypt-"));
    stateFile = path.join(dir, "dev.json");
    emu = await startEmulator({ port: 0, adminKey: ADMIN_KEY, rateLimit: false });
  });
  afterAll(async () => {
    await emu?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("up records only encryptedKey; the state file holds no key value; it decrypts to a working key; another encryptFor is no change, with a warning", async () => {
    recipient = ecc.publicKey;
    const up = await run("up");
    expect(up.steps.map((s) => s.op)).toEqual(["create"]);
    expect(up.outputs.keyAvailable).toBe(false);
    const value = await decrypt(String(up.outputs.encrypted), ecc.privateKey);
    expect(await keyWorks(emu.url, value)).toBe(true);
    expect(fs.readFileSync(stateFile, "utf8")).not.toContain(value);
    expect(logs.join("\n")).not.toContain(value);

    recipient = other.publicKey;
    const before = writes();
    logs.length = 0;
    const preview = await run("preview", { expectNoChanges: true });
    expect(preview.summary).toBe("+0 ~0 -0 =1");
    expect(logs.join("\n").replace(/\s+/g, " ")).toMatch(/warning.*encryptFor changed: it is read when a key is created.*pulumi up --replace/);
    expect(writes()).toBe(before);
  });
});
