/**
 * Ctrl-C during `up` with the offline runner, as a terminal sends it: SIGINT to the runner's whole
 * process group while 16 keys with fixed names are being created in two waves (the second waits for
 * the first), Palette answering each create 2 s after it commits.
 *
 * - One signal: the runner cancels as the Pulumi engine does: no new step (the second wave is never
 *   started), the creates in flight finish and are saved. Every key Palette holds must be in the
 *   checkpoint, no process of the run may survive it, and the next `up` converges with no 409 and no
 *   duplicate. Both the runner with `cancelOnSignals` and the demo's offline driver with its defaults.
 * - A second signal stops at once (exit 130): the checkpoint as it stood is saved, the provider host
 *   and the program are killed, and the keys left out of the state are named.
 *
 * Runs dist/ (the runner, and demo/offline-driver.ts, in a process of its own): it refuses a build
 * older than the sources.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { dynamicResources } from "../../helpers/checkpoint";
import { requireFreshBuild } from "../../helpers/fresh-build";
import { descendants, killAll, stillRunning } from "../../helpers/processes";

jest.setTimeout(90_000);

const REPO = path.resolve(__dirname, "../../..");
const SCRIPTS = {
  runner: path.join(__dirname, "fixtures/interruptible-up.js"),
  driver: path.join(__dirname, "fixtures/interruptible-driver.js"),
};
const KEYS = 16;
/** One step's line as the runner prints it once a create has been recorded. */
const CREATED = /^\+\s+create\s/m;

let emu: RunningEmulator;
let dir: string;

beforeAll(async () => {
  requireFreshBuild(["runner", "demo", "provider", "sdk"]);
  emu = await startEmulator({ port: 0, rateLimit: false });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-cancel-"));
});
afterAll(async () => {
  await emu?.close();
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

const managed = (): { uid: string; name: string }[] => emu.keys().filter((k) => !k.seeded);
/** Creates that reached Palette since `since` (a late answer to an earlier test's run is logged late, but arrived before). */
const postsSince = (since: number): number =>
  emu.requests().filter((r) => r.method === "POST" && r.path === "/v1/apiKeys" && r.at.getTime() >= since).length;

interface Up {
  code: number | null;
  output: string;
  /** The signals sent to the run's process group. */
  sent: number;
  /** The run's processes below the runner (provider host, program) once a create reached Palette. */
  children: number[];
}

/**
 * `up` in a process leading its own group. Each signal of `interrupts` goes to that group once its
 * condition holds (the first once a create reached Palette, the others as the output shows).
 * `exitOn`: the runner exits by itself at the first line printed that matches (interruptible-up.js).
 */
function up(
  script: keyof typeof SCRIPTS,
  stateFile: string,
  interrupts: { signal: NodeJS.Signals; when: (output: string) => boolean }[] = [],
  exitOn?: RegExp,
): Promise<Up> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("SPECTROCLOUD_")) delete env[k];
  env.RUN_OPTIONS = JSON.stringify({
    programFile: path.join(__dirname, "fixtures/programs/fixed-keys.ts"),
    projectDir: REPO,
    stateFile,
    host: emu.url,
    apiKey: emu.accounts.admin.apiKey,
    passphrase: "cancel test passphrase",
    ...(exitOn !== undefined && { exitOn: exitOn.source }),
  });
  const child = spawn(process.execPath, [SCRIPTS[script]], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
  const result: Up = { code: null, output: "", sent: 0, children: [] };
  const started = emu.clock.now().getTime();
  const watch = setInterval(() => {
    if (child.pid === undefined || postsSince(started) === 0) return;
    if (result.children.length === 0) result.children = descendants(child.pid);
    const next = interrupts[result.sent];
    if (next === undefined || !next.when(output)) return;
    result.sent += 1;
    process.kill(-child.pid, next.signal);
  }, 20);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      clearInterval(watch);
      resolve({ ...result, code, output });
    });
  });
}

/**
 * Which of the run's processes still run once it ended (after a moment for a kill to land); they
 * are killed here, so a failing test leaves none behind.
 */
async function survivors(run: Up): Promise<number[]> {
  const left = await stillRunning(run.children);
  killAll(left);
  return left;
}

/** The first interrupt's condition: `up` sends it once a create reached Palette. */
const atOnce = (): boolean => true;

test.each<[keyof typeof SCRIPTS, NodeJS.Signals]>([
  ["runner", "SIGINT"],
  ["runner", "SIGTERM"],
  // The demo's path (no pulumi CLI): the driver handles signals by default.
  ["driver", "SIGINT"],
])(
  "%s: %s to the run's process group during creates: the second wave is never started, every key Palette holds is in the checkpoint, no process survives; the next up converges with no 409",
  async (script, signal) => {
    emu.reset();
    const stateFile = path.join(dir, `${script}-${signal}.json`);
    emu.faults.add({ method: "POST", path: "/v1/apiKeys", times: Infinity, action: { kind: "latency", ms: 2_000, afterHandling: true } });
    const first = await up(script, stateFile, [{ signal, when: atOnce }]);
    emu.faults.clear();
    // The provider host and the program ended with the run.
    expect(first.children.length).toBeGreaterThanOrEqual(2);
    expect(await survivors(first)).toEqual([]);
    expect(first.sent).toBe(1);
    expect({ code: first.code, output: first.output }).toMatchObject({ code: 1, output: expect.stringContaining(`up cancelled (${signal})`) });
    expect(first.output).toContain(`${signal} received: cancelling the up: no new step starts`);
    expect(first.output).toContain("the steps in flight then ran to their end, and what they made is in the state file");
    // The cancel took effect: no key of the second wave (fixed-8..15, registered once the first wave's
    // creates end) was made. Whether the program registered it before the run ended is timing (a step
    // it did register is refused and printed as skipped), so the names are checked, not the lines.
    const secondWave = (name: string): boolean => Number(/^fixed-(\d+)$/.exec(name)?.[1]) >= KEYS / 2;
    expect(managed().map((k) => k.name).filter(secondWave)).toEqual([]);
    for (const line of first.output.split("\n").filter((l) => l.includes("(the up was cancelled)"))) {
      expect(secondWave(/fixed-\d+/.exec(line)?.[0] ?? "")).toBe(true);
    }
    const held = managed().map((k) => k.uid).sort();
    expect(held.length).toBeGreaterThan(0);
    expect(held.length).toBeLessThan(KEYS);
    expect(dynamicResources(stateFile).map((r) => r.id).sort()).toEqual(held);

    const requestsBefore = emu.requests().length;
    const second = await up(script, stateFile);
    expect({ code: second.code, output: second.code === 0 ? "" : second.output }).toEqual({ code: 0, output: "" });
    expect(emu.requests().slice(requestsBefore).filter((r) => r.status === 409)).toEqual([]);
    const names = managed().map((k) => k.name);
    expect(new Set(names).size).toBe(KEYS);
    expect(names.length).toBe(KEYS);
    expect(dynamicResources(stateFile).map((r) => r.id).sort()).toEqual(managed().map((k) => k.uid).sort());
  },
);

test("a second SIGINT stops at once: exit 130, the checkpoint as it stood is saved, no process survives, the keys left out are named", async () => {
  emu.reset();
  const stateFile = path.join(dir, "second-sigint.json");
  emu.faults.add({ method: "POST", path: "/v1/apiKeys", times: Infinity, action: { kind: "latency", ms: 2_000, afterHandling: true } });
  // The second once some create is recorded and others are still waiting for Palette's answer.
  const run = await up("runner", stateFile, [
    { signal: "SIGINT", when: atOnce },
    { signal: "SIGINT", when: (output) => CREATED.test(output) },
  ]);
  emu.faults.clear();
  expect(run.children.length).toBeGreaterThanOrEqual(2);
  expect(await survivors(run)).toEqual([]);
  expect(run.sent).toBe(2);
  expect(run.code).toBe(130);
  const notice = run.output.split("\n").find((l) => l.startsWith("SIGINT received again: stopping at once")) ?? "";
  expect(notice).not.toBe("");

  const recorded = dynamicResources(stateFile).map((r) => r.id);
  const held = managed();
  expect(recorded.length).toBeGreaterThan(0);
  // Nothing recorded that Palette does not hold; what Palette holds beyond it is named for the user.
  expect(recorded.filter((id) => !held.some((k) => k.uid === id))).toEqual([]);
  const unrecorded = held.filter((k) => !recorded.includes(k.uid)).map((k) => k.name);
  expect(unrecorded.filter((name) => !new RegExp(`\\b${name}\\b`).test(notice))).toEqual([]);
});

test("a runner that exits mid-run (process.exit) takes the provider host and the program with it", async () => {
  emu.reset();
  const stateFile = path.join(dir, "exit.json");
  emu.faults.add({ method: "POST", path: "/v1/apiKeys", times: Infinity, action: { kind: "latency", ms: 2_000, afterHandling: true } });
  // Once the first create is recorded: others are in flight in the host, the program waits for them.
  const run = await up("runner", stateFile, [], CREATED);
  emu.faults.clear();
  expect(run.children.length).toBeGreaterThanOrEqual(2);
  expect(await survivors(run)).toEqual([]);
  expect(run.code).toBe(3);
});
