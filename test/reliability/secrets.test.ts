/**
 * Secrets: the provider run with sentinel credentials (an API key, and a username/password whose JWTs
 * the provider obtains itself), under injected faults, through the engine protocol and through the
 * offline runner's `up`/`refresh`/`destroy` with an encrypted state file. Everything a user or a log
 * could see is captured: provider host stdout/stderr, the SDK's debug events, error messages (and
 * their JSON and util.inspect), the `__provider` text, the state file, the run results and printed
 * lines, every output other than `key`. None may contain a sentinel, a created key value or a JWT.
 * (The demo's own test, test/engine/demo, does the same for `npm run demo`.)
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { ApiKey } from "../../provider";
import { ProviderClient, secretConfig } from "../../runner/provider-client";
import { runProgram, type RunOptions, type RunResult } from "../../runner/offline-engine";
import { resolveOutput } from "../helpers/resolve-output";
import { errorTexts } from "../../bench/harness/engine";
import { runLifecycle } from "../../bench/harness/lifecycle";
import { hostPort } from "../../bench/harness/ports";
import { providerText } from "../../bench/harness/program";
import { hostProbeEnv, readHostEvents } from "../../bench/harness/sdk-probe";
import { ADMIN_KEY, ALICE_KEY, NO_ENV_CREDENTIALS, PASSWORD, REPO, adminJwt, leaks } from "./support";

let emu: RunningEmulator;
let dir: string;
const SENTINELS = [ADMIN_KEY, ALICE_KEY, PASSWORD];
const savedEnv = { ...process.env };

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) throw new Error("run `npm run build` first: the host loads dist/");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "reliability-secrets-"));
  emu = await startEmulator({ adminKey: ADMIN_KEY, userKey: ALICE_KEY, password: PASSWORD, faultSeed: 99, keyLimitPerUser: 1_000 });
  // Credentials in the program's own environment, where a careless closure would pick them up.
  Object.assign(process.env, { SPECTROCLOUD_APIKEY: ADMIN_KEY, SPECTROCLOUD_PASSWORD: PASSWORD, SPECTROCLOUD_HOST: emu.url });
});

afterAll(async () => {
  for (const k of ["SPECTROCLOUD_APIKEY", "SPECTROCLOUD_PASSWORD", "SPECTROCLOUD_HOST"]) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  await emu?.close();
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

it("the scan finds what it looks for: a sentinel, a key value, a real JWT from the emulator", async () => {
  const token = await adminJwt(emu);
  expect(leaks({ a: `x${ADMIN_KEY}x`, b: `Authorization: ${token}`, c: "key=Zz0123456789abcdefABCDEF01234567" }, [...SENTINELS, "Zz0123456789abcdefABCDEF01234567"])).toEqual([
    "a contains Sent…",
    "b contains a JWT",
    "c contains Zz01…",
  ]);
  emu.reset();
});

it("the __provider text a program sends holds no credential from the program's environment", async () => {
  const text = await providerText();
  expect(text.length).toBeLessThan(16_384);
  expect(leaks({ __provider: text }, SENTINELS)).toEqual([]);
  expect(text).not.toContain("SPECTROCLOUD");
});

it("engine protocol with username/password (JWTs) under 20% faults: nothing visible holds a secret", async () => {
  const eventsFile = path.join(dir, "events.jsonl");
  const host = await ProviderClient.start({
    cwd: REPO,
    env: { ...NO_ENV_CREDENTIALS, ...hostProbeEnv(eventsFile, { rateLimit: { perSecond: 80, burst: 40 } }) },
    callTimeoutMs: 60_000,
  });
  try {
    await host.configure({ "palette:host": emu.url, "palette:username": emu.accounts.admin.email, "palette:password": secretConfig(PASSWORD) });
    const report = await runLifecycle({
      emu,
      port: hostPort(host),
      keys: 6,
      callerUid: emu.accounts.admin.uid,
      rateLimit: { perSecond: 100, burst: 50 },
      faultRate: 0.2,
      latencyMs: 20,
      maxRuns: 6,
    });
    expect(report.phases.flatMap((p) => [...p.errors, ...p.problems, ...p.pendingChanges])).toEqual([]);
    const logins = emu.requests().filter((r) => r.path === "/v1/auth/authenticate" && r.status === 200);
    expect(logins.length).toBeGreaterThan(0);

    const { events, text } = readHostEvents(eventsFile);
    expect(events.some((e) => e.type === "request" && e.path === "/v1/auth/authenticate")).toBe(true);
    expect(events.some((e) => e.type === "retry")).toBe(true);
    const texts: Record<string, string> = { "host stdout": host.output.stdout, "host stderr": host.output.stderr, "sdk events": text };
    report.engine.errors.forEach((e, i) => (texts[`error ${i}`] = errorTexts(e).join("\n")));
    for (const p of report.phases) texts[`errors of ${p.phase}`] = p.errors.join("\n");
    for (const [name, r] of report.engine.resources) {
      const { key: _key, ...others } = r.outputs;
      texts[`outputs of ${name}`] = JSON.stringify(others);
    }
    expect(report.engine.keyValues.size).toBeGreaterThanOrEqual(6);
    expect(leaks(texts, [...SENTINELS, ...report.engine.keyValues])).toEqual([]);
  } finally {
    await host.close();
  }
}, 90_000);

it("`up`, `refresh` and `destroy` through the offline runner: state file, results and printed lines hold no secret", async () => {
  emu.reset();
  emu.setRateLimit(false);
  emu.faults.add({ path: /^\/v1\//, rate: 0.2, action: [{ kind: "status", status: 503 }, { kind: "lostResponse" }, { kind: "drop" }] });
  const stateFile = path.join(dir, "dev.json");
  const lines: string[] = [];
  let keys: ApiKey[] = [];
  const [alice] = emu.accounts.users;
  const program = (): Record<string, unknown> => {
    keys = [
      new ApiKey("ci", { description: "CI pipeline", expiresIn: "30d" }),
      new ApiKey("for-alice", { user: { email: alice?.email ?? "" }, active: false }),
    ];
    return { ciKey: keys[0]?.key, ciName: keys[0]?.name, aliceKeyStatus: keys[1]?.status };
  };
  const run = (operation: RunOptions["operation"]): Promise<RunResult> =>
    runProgram({
      operation,
      program,
      projectDir: REPO,
      stateFile,
      project: "palette-reliability",
      stack: "dev",
      config: { "palette:host": emu.url, "palette:username": emu.accounts.admin.email, "palette:password": secretConfig(PASSWORD) },
      env: NO_ENV_CREDENTIALS,
      passphrase: "reliability secrets",
      log: (line) => lines.push(line),
    });
  const results: RunResult[] = [await run("up")];
  const values = await Promise.all(keys.map(async (k) => String((await resolveOutput(k.key)).value)));
  expect(values.every((v) => /^[A-Za-z0-9]{32}$/.test(v))).toBe(true);
  const stateAfterUp = fs.readFileSync(stateFile, "utf8");
  expect(stateAfterUp).toContain("__provider");
  results.push(await run("refresh"));
  results.push(await run("destroy"));
  emu.faults.clear();
  expect(emu.keys().filter((k) => !k.seeded)).toEqual([]);
  expect(results[0]?.outputs).toMatchObject({ ciKey: "[secret]" });

  const texts = {
    "state after up": stateAfterUp,
    "state after destroy": fs.readFileSync(stateFile, "utf8"),
    "run results": JSON.stringify(results),
    "printed lines": lines.join("\n"),
  };
  expect(leaks(texts, [...SENTINELS, ...values])).toEqual([]);
}, 90_000);
