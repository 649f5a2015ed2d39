/**
 * The real ApiKey resource through the offline runner against the emulator: up, a no-change preview,
 * drift made out of band through the SDK, a refreshing preview that reports it, an up that restores
 * it in place, destroy. The provider host loads dist/provider/impl.js (loader fallback, cwd = this
 * repository), so `npm run build` must have run.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { ApiKey } from "../../../provider";
import { secretConfig } from "../../../runner/provider-client";
import { RunFailedError, runProgram, type RunOptions, type RunResult, type Step } from "../../../runner/offline-engine";
import { resolveOutput } from "../../helpers/resolve-output";
import { PaletteClient } from "../../../sdk";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";

const REPO = path.resolve(__dirname, "../../..");
const ADMIN_KEY = "RunnerAdminKeyQ1w2E3r4T5y6U7i8o9";
const ALICE_KEY = "RunnerAliceKeyZ9x8C7v6B5n4M3l2k1";
const PASSWORD = "RunnerPasswordP0o9I8u7";

describe("ApiKey through the offline runner, against the emulator", () => {
  let emu: RunningEmulator;
  let sdk: PaletteClient;
  let dir: string;
  let stateFile: string;
  let keys: Record<string, ApiKey> = {};
  const logs: string[] = [];
  const keyValues: string[] = [];

  const program = (): Record<string, unknown> => {
    const alice = emu.accounts.users.find((u) => u.apiKey === ALICE_KEY);
    keys = {
      ci: new ApiKey("ci", { description: "CI pipeline", expiresIn: "30d" }),
      // An explicit name here; the demo covers the autonamed case (the desired autoname is kept beside
      // Palette's name, so both kinds are renamed back by `up`).
      alice: new ApiKey("alice", { name: "alice-deploy-key", description: "for alice", user: { email: alice?.email ?? "missing" } }),
    };
    return { ciKey: keys.ci?.key, ciName: keys.ci?.name, aliceStatus: keys.alice?.status };
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
  const byName = (steps: Step[], name: string): Step | undefined => steps.find((s) => s.name === name);
  const userKeys = () => emu.keys().filter((k) => !k.seeded);
  const idOf = (result: RunResult, name: string): string => byName(result.steps, name)?.id as string;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) {
      throw new Error("dist/provider/impl.js is missing: run `npm run build` before the engine tests");
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-apikey-"));
    stateFile = path.join(dir, "dev.json");
    emu = await startEmulator({ port: 0, adminKey: ADMIN_KEY, userKey: ALICE_KEY, password: PASSWORD });
    sdk = new PaletteClient({ host: emu.url, auth: { apiKey: ADMIN_KEY }, retry: false });
  });
  afterAll(async () => {
    await sdk?.close();
    await emu?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  let first: RunResult;

  it("up creates both keys; the key values are real secrets, masked in the result", async () => {
    first = await run("up");
    expect(first.steps.map((s) => s.op)).toEqual(["create", "create"]);
    expect(userKeys()).toHaveLength(2);
    const ci = await resolveOutput(keys.ci?.key);
    expect(ci.secret).toBe(true);
    expect(String(ci.value)).toMatch(/^[A-Za-z0-9]{32}$/);
    keyValues.push(String(ci.value), String((await resolveOutput(keys.alice?.key)).value));
    expect(first.outputs).toMatchObject({ ciKey: "[secret]", aliceStatus: "active" });
    expect(first.outputs.ciName).toMatch(/^ci-/);
  });

  it("a second preview shows no changes", async () => {
    const result = await run("preview", { expectNoChanges: true });
    expect(result.summary).toBe("+0 ~0 -0 =2");
  });

  it("drift made in 'the Palette UI' is reported per property by a refreshing preview", async () => {
    await sdk.apiKeys.setActive(idOf(first, "ci"), false);
    await sdk.apiKeys.update(idOf(first, "alice"), { name: "renamed-in-ui" });
    const e = await run("preview", { refresh: true, expectNoChanges: true }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(RunFailedError);
    const result = (e as RunFailedError).result;
    expect(byName(result.refreshSteps, "ci")).toMatchObject({ op: "refresh-drift", changes: expect.arrayContaining([{ name: "active", old: true, new: false }]) });
    expect(byName(result.refreshSteps, "alice")).toMatchObject({
      op: "refresh-drift",
      changes: expect.arrayContaining([{ name: "name", old: "alice-deploy-key", new: "renamed-in-ui" }]),
    });
    expect(byName(result.steps, "ci")).toMatchObject({ op: "update", changes: expect.arrayContaining([{ name: "active", old: false, new: true }]) });
    expect(byName(result.steps, "alice")).toMatchObject({ op: "update", changes: expect.arrayContaining([{ name: "name", old: "renamed-in-ui", new: "alice-deploy-key" }]) });
  });

  it("up --refresh restores both in place: same keys, same values, no new keys", async () => {
    const result = await run("up", { refresh: true });
    expect(result.steps.map((s) => s.op).sort()).toEqual(["update", "update"]);
    const ci = emu.keys().find((k) => k.uid === idOf(first, "ci"));
    const alice = emu.keys().find((k) => k.uid === idOf(first, "alice"));
    expect(ci?.active).toBe(true);
    expect(alice?.name).toBe("alice-deploy-key");
    expect(userKeys()).toHaveLength(2);
    expect((await resolveOutput(keys.ci?.key)).value).toBe(keyValues[0]);
    await run("preview", { refresh: true, expectNoChanges: true });
  });

  it("destroy deletes both keys", async () => {
    const result = await run("destroy");
    expect(result.steps.map((s) => s.op)).toEqual(["delete", "delete"]);
    expect(userKeys()).toHaveLength(0);
  });

  it("no key value, API key or password is in the state file or a printed line", () => {
    const state = fs.readFileSync(stateFile, "utf8");
    const printed = logs.join("\n");
    expect(printed).toContain("create");
    for (const s of [...keyValues, ADMIN_KEY, ALICE_KEY, PASSWORD]) {
      expect(state).not.toContain(s);
      expect(printed).not.toContain(s);
    }
  });
});
