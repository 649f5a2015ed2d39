/**
 * `npm run demo` as a user runs it: `node dist/demo/demo.js` as a child process (after the build
 * `npm test` does), with fixed sentinel emulator credentials so the output and every file under
 * .demo/ can be searched for them. The created key values are unknown to the test: the demo writes
 * their sha256 hashes to DEMO_SECRET_CHECK_FILE, and every 32-character [A-Za-z0-9] window of the
 * output and files is hashed and compared.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "../../..");
const DEMO = path.join(REPO, "dist/demo/demo.js");
const DEMO_DIR = path.join(REPO, ".demo");
const ADMIN_KEY = "DemoAdminSentinelQ1w2E3r4T5y6U7i";
const USER_KEY = "DemoAliceSentinelZ9x8C7v6B5n4M3l";
const PASSWORD = "DemoPasswordSentinel0o9I8u7";
/**
 * Well under jest's limit below, so a wedged demo is killed and reported, not left running. Each of
 * the demo's ten operations starts the program in a Node.js process of its own, as `pulumi` does
 * (about 1.5 s of CPU each: @pulumi/pulumi, ts-node, the provider), which on a loaded machine is
 * many seconds of wall time.
 */
const RUN_LIMIT_MS = 240_000;

interface DemoRun {
  code: number | null;
  output: string;
}

const children = new Set<ChildProcess>();

function runDemo(extraEnv: Record<string, string>): Promise<DemoRun> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("SPECTROCLOUD_") || k.startsWith("DEMO_")) delete env[k];
  Object.assign(env, { DEMO_ADMIN_KEY: ADMIN_KEY, DEMO_USER_KEY: USER_KEY, DEMO_PASSWORD: PASSWORD }, extraEnv);
  // Where a CLI exists the demo would drive it; this test is about the offline runner.
  if (pulumiOnPath()) env.DEMO_MODE = "offline";
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), RUN_LIMIT_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, output });
    });
  });
}

function pulumiOnPath(): boolean {
  return (process.env.PATH ?? "").split(path.delimiter).some((dir) => dir !== "" && fs.existsSync(path.join(dir, "pulumi")));
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

/** Every 32-character window of every [A-Za-z0-9] run of 32 or more whose hash is in `hashes`. */
function hashedTokens(text: string, hashes: ReadonlySet<string>): string[] {
  const found: string[] = [];
  for (const run of text.match(/[A-Za-z0-9]{32,}/g) ?? []) {
    for (let i = 0; i + 32 <= run.length; i += 1) if (hashes.has(sha256(run.slice(i, i + 32)))) found.push(`${run.slice(i, i + 4)}…`);
  }
  return found;
}

describe("npm run demo (offline runner, against the embedded emulator)", () => {
  jest.setTimeout(RUN_LIMIT_MS + 10_000);
  let tmp: string;

  beforeAll(() => {
    if (!fs.existsSync(DEMO)) throw new Error("dist/demo/demo.js is missing: run `npm run build` before the engine tests");
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "demo-test-"));
  });
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("walks the six steps, reports the drift precisely, exits 0, and leaks no secret", async () => {
    const hashFile = path.join(tmp, "key-hashes.txt");
    const { code, output } = await runDemo({ DEMO_SECRET_CHECK_FILE: hashFile });

    expect({ code, tail: output.split("\n").slice(-8) }).toMatchObject({ code: 0 });
    expect(output).toMatch(/no `pulumi` CLI on PATH, so the offline runner is used|offline runner \(DEMO_MODE=offline\)/);
    for (let step = 1; step <= 6; step += 1) {
      expect(output).toContain(`Step ${step}/6:`);
      expect(output).toContain(`PASS step ${step} `);
    }
    expect(output).toMatch(/^ {5}drift: ci-bot active: true -> false$/m);
    expect(output).toMatch(/^ {5}drift: ci-bot status: "active" -> "revoked"$/m);
    expect(output).toMatch(/^ {5}drift: alice-ci name: "alice-ci-[a-z0-9]+" -> "alice-ci-renamed-in-ui"$/m);
    expect(output.match(/^ {5}drift: /gm)).toHaveLength(3);
    expect(output).toMatch(/ciBotKey: \[secret\]/);
    expect(output).toContain("steps passed: 6/6");
    expect(output).toContain("created 2, updated 3 in place, deleted 2");
    expect(output).not.toMatch(/FAIL/);

    const hashes = new Set(fs.readFileSync(hashFile, "utf8").split("\n").filter((l) => l !== ""));
    expect(hashes.size).toBe(2);
    const files = filesUnder(DEMO_DIR);
    expect(files.map((f) => path.relative(DEMO_DIR, f)).sort()).toEqual(expect.arrayContaining(["emulator-state.json", path.join("state", "demo.json")]));
    // The state after each up (kept in state/history/) held the key values, encrypted.
    const history = files.filter((f) => f.includes(`${path.sep}history${path.sep}`));
    expect(history.map((f) => path.basename(f))).toEqual(["01-up.json", "02-up.json", "03-up.json", "04-destroy.json"]);
    // Each key value twice: the resource's `key` output and the stack output.
    for (const f of history.slice(0, 3)) expect(fs.readFileSync(f, "utf8").match(/"ciphertext"/g)).toHaveLength(4);
    for (const [where, text] of [["output", output], ...files.map((f) => [f, fs.readFileSync(f, "utf8")])] as [string, string][]) {
      for (const secret of [ADMIN_KEY, USER_KEY, PASSWORD]) expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false });
      expect({ where, keyValues: hashedTokens(text, hashes) }).toEqual({ where, keyValues: [] });
    }
    // The scan itself finds a token whose hash it knows.
    expect(hashedTokens(`x ${ADMIN_KEY} y`, new Set([sha256(ADMIN_KEY)]))).toHaveLength(1);
  });

  it("fails with a non-zero exit naming the step when a step meets a real fault (wrong credential at step 3)", async () => {
    const { code, output } = await runDemo({ DEMO_FAIL_AT: "3" });

    expect(code).not.toBe(0);
    expect(output).toContain("PASS step 2 ");
    expect(output).toMatch(/FAIL step 3 in [\d.]+ s: apiKeys\.setActive failed: PUT \/v1\/apiKeys\/\w+\/state -> 401/);
    expect(output).toContain("FAILED at step 3 (out of band, through the SDK");
    expect(output).not.toContain("Step 4/6");
    expect(output).toContain("steps passed: 2/6");
    for (const secret of [ADMIN_KEY, USER_KEY, PASSWORD]) expect(output).not.toContain(secret);
  });
});
