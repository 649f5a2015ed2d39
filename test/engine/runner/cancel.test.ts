/**
 * Ctrl-C during `up` with the offline runner, as a terminal sends it: SIGINT to the runner's whole
 * process group while 16 keys with fixed names are being created, Palette answering each create
 * 2 s after it commits. The runner cancels as the Pulumi engine does: no new step, `Cancel` to the
 * provider, the creates in flight finish and are saved. The provider host leads its own process
 * group (as the CLI starts plugins), so the signal never kills a create in flight. Every key
 * Palette holds must be in the checkpoint, and the next `up` converges with no 409 and no duplicate.
 * Runs dist/ (the runner in a process of its own): `npm run build` must have run.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { dynamicResources } from "../../helpers/checkpoint";

jest.setTimeout(90_000);

const REPO = path.resolve(__dirname, "../../..");
const SCRIPT = path.join(__dirname, "fixtures/interruptible-up.js");
const KEYS = 16;

let emu: RunningEmulator;
let dir: string;

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, "dist/runner/offline-engine.js"))) throw new Error("run `npm run build` first: this test runs dist/");
  emu = await startEmulator({ port: 0, rateLimit: false });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-cancel-"));
});
afterAll(async () => {
  await emu?.close();
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

const managed = (): { uid: string; name: string }[] => emu.keys().filter((k) => !k.seeded);
const posts = (): number => emu.requests().filter((r) => r.method === "POST" && r.path === "/v1/apiKeys").length;

/** `up` in a process leading its own group; `interrupt` (when given) is sent to that group once a create reached Palette. */
function up(stateFile: string, interrupt?: NodeJS.Signals): Promise<{ code: number | null; output: string; interrupted: boolean }> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("SPECTROCLOUD_")) delete env[k];
  env.RUN_OPTIONS = JSON.stringify({
    programFile: path.join(__dirname, "fixtures/programs/fixed-keys.ts"),
    projectDir: REPO,
    stateFile,
    host: emu.url,
    apiKey: emu.accounts.admin.apiKey,
    passphrase: "cancel test passphrase",
  });
  const child = spawn(process.execPath, [SCRIPT], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
  let interrupted = false;
  const postsBefore = posts();
  const watch =
    interrupt === undefined
      ? undefined
      : setInterval(() => {
          if (interrupted || posts() === postsBefore || child.pid === undefined) return;
          interrupted = true;
          process.kill(-child.pid, interrupt);
        }, 20);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      clearInterval(watch);
      resolve({ code, output, interrupted });
    });
  });
}

test.each<NodeJS.Signals>(["SIGINT", "SIGTERM"])(
  "%s to the runner's process group during creates: every key Palette holds is in the checkpoint; the next up converges with no 409",
  async (signal) => {
    emu.reset();
    const stateFile = path.join(dir, `${signal}.json`);
    emu.faults.add({ method: "POST", path: "/v1/apiKeys", times: Infinity, action: { kind: "latency", ms: 2_000, afterHandling: true } });
    const first = await up(stateFile, signal);
    emu.faults.clear();
    expect(first.interrupted).toBe(true);
    expect(first.code).toBe(1);
    expect(first.output).toContain("up cancelled");

    const held = managed().map((k) => k.uid).sort();
    expect(held.length).toBeGreaterThan(0);
    expect(dynamicResources(stateFile).map((r) => r.id).sort()).toEqual(held);

    const requestsBefore = emu.requests().length;
    const second = await up(stateFile);
    expect({ code: second.code, output: second.code === 0 ? "" : second.output }).toEqual({ code: 0, output: "" });
    expect(emu.requests().slice(requestsBefore).filter((r) => r.status === 409)).toEqual([]);
    const names = managed().map((k) => k.name);
    expect(new Set(names).size).toBe(KEYS);
    expect(names.length).toBe(KEYS);
    expect(dynamicResources(stateFile).map((r) => r.id).sort()).toEqual(managed().map((k) => k.uid).sort());
  },
);
