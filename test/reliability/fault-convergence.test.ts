/**
 * Fault convergence: ApiKey lifecycles (create with mixed options, in-place updates, revoke and
 * re-activate, owner changes that replace, destroy) against an emulator that faults a share of all
 * requests at a fixed seed (500/502/503, 429 with Retry-After, dropped connections, latency, responses
 * lost after commit). Every phase must converge within bounded re-runs to exactly the state's keys,
 * with their properties and values, no call hung.
 *
 * The runs are time-scaled: the provider's client paces at 80/s (forced by the test-only SDK probe)
 * against an emulated limit of 100/s, about the SDK's 9/s against Palette's 10/s ten times faster (a
 * little more room: at ten times the speed a loaded machine's jitter weighs ten times more), so 50
 * keys fit in the test budget. `npm run bench` runs the same lifecycles at the real limits.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as impl from "../../provider/impl";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { ProviderClient, secretConfig } from "../../runner/provider-client";
import { errorTexts, MiniEngine } from "../../bench/harness/engine";
import { FAULT_LABELS } from "../../bench/harness/faults";
import { checkInvariants, violations } from "../../bench/harness/invariants";
import { runLifecycle, type LifecycleReport } from "../../bench/harness/lifecycle";
import { configureInProcess, hostPort, inProcessPort } from "../../bench/harness/ports";
import { programInputs, providerText } from "../../bench/harness/program";
import { hostProbeEnv, probeSdkClients, readHostEvents, sdkFigures, type SdkProbe } from "../../bench/harness/sdk-probe";
import { ADMIN_KEY, ALICE_KEY, NO_ENV_CREDENTIALS, PASSWORD, REPO, leaks, withoutEnvCredentials } from "./support";

const SEED = 20_250_605;
const SCALED = { perSecond: 100, burst: 50 } as const;
let emu: RunningEmulator;
let probe: SdkProbe;
let restoreEnv: () => void;
let dir: string;

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) throw new Error("run `npm run build` first: the host loads dist/");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "reliability-faults-"));
  restoreEnv = withoutEnvCredentials();
  emu = await startEmulator({ adminKey: ADMIN_KEY, userKey: ALICE_KEY, password: PASSWORD, faultSeed: SEED, keyLimitPerUser: 1_000 });
  probe = probeSdkClients({ rateLimit: { perSecond: 80, burst: 40 } });
  await configureInProcess(impl, { "palette:host": emu.url, "palette:apiKey": ADMIN_KEY });
});

afterEach(() => emu.reset());

afterAll(async () => {
  probe?.restore();
  await emu?.close();
  restoreEnv?.();
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

/** Every phase converged: no error left, no invariant broken, nothing left to change, nothing hung. */
function expectConverged(report: LifecycleReport, keys: number): void {
  for (const p of report.phases) {
    expect({ phase: p.phase, errors: p.errors, problems: p.problems, pending: p.pendingChanges }).toEqual({
      phase: p.phase,
      errors: [],
      problems: [],
      pending: [],
    });
  }
  expect(report.stats.hung).toBe(0);
  const [created, , changed, half, destroyed] = report.phases;
  expect(created?.invariants).toMatchObject({ stateKeys: keys, emulatorKeys: keys, valuesChecked: keys });
  expect(changed?.invariants).toMatchObject({ stateKeys: keys, emulatorKeys: keys, valuesChecked: keys });
  expect(half?.invariants).toMatchObject({ stateKeys: keys / 2, emulatorKeys: keys / 2 });
  expect(destroyed?.invariants).toMatchObject({ stateKeys: 0, emulatorKeys: 0 });
}

/** Texts a user could see from a run: errors, outputs other than `key`. */
function visibleTexts(report: LifecycleReport): Record<string, string> {
  const texts: Record<string, string> = {};
  report.engine.errors.forEach((e, i) => (texts[`error ${i}`] = errorTexts(e).join("\n")));
  for (const p of report.phases) texts[`errors of ${p.phase}`] = p.errors.join("\n");
  for (const [name, r] of report.engine.resources) {
    const { key: _key, ...others } = r.outputs;
    texts[`outputs of ${name}`] = JSON.stringify(others);
  }
  return texts;
}

describe("50 keys through the provider implementation, 20% of requests faulted", () => {
  let report: LifecycleReport;
  let events: number;

  it("every phase converges: exactly the state's keys, with their properties and values, nothing hung", async () => {
    events = probe.events.length;
    report = await runLifecycle({
      emu,
      port: inProcessPort(impl),
      keys: 50,
      callerUid: emu.accounts.admin.uid,
      rateLimit: SCALED,
      faultRate: 0.2,
      latencyMs: 100,
      maxRuns: 6,
      callDeadlineMs: 60_000,
    });
    expectConverged(report, 50);
  }, 120_000);

  it("met every kind of fault, retried them in the SDK, and replaced every key whose owner changed", () => {
    const f = report.emulator;
    expect(FAULT_LABELS.filter((l) => f.byFault[l] === 0)).toEqual([]);
    expect(f.faulted / f.requests).toBeGreaterThan(0.12);
    expect(f.faulted / f.requests).toBeLessThan(0.28);
    const sdk = sdkFigures(probe.events.slice(events), report.stats.calls.create);
    expect(sdk.retries).toBeGreaterThan(0);
    expect(sdk.createRetries).toBeGreaterThan(0);
    // 50 creates, 8 replacements (i % 7 === 0), and one delete per replacement and per removed key.
    expect(report.stats.calls.create - report.stats.failed.create).toBe(58);
    expect(report.stats.calls.delete - report.stats.failed.delete).toBe(58);
  });

  it("no secret in any error, SDK log event or output other than key", () => {
    const texts = visibleTexts(report);
    texts["sdk events"] = JSON.stringify(probe.events);
    expect(report.engine.keyValues.size).toBeGreaterThanOrEqual(58);
    expect(leaks(texts, [ADMIN_KEY, ALICE_KEY, PASSWORD, ...report.engine.keyValues])).toEqual([]);
  });
});

describe("a fault storm: 12 keys, 50% of requests faulted", () => {
  it("operations fail past the SDK's retries, and re-running converges all the same", async () => {
    const report = await runLifecycle({
      emu,
      port: inProcessPort(impl),
      keys: 12,
      callerUid: emu.accounts.admin.uid,
      rateLimit: SCALED,
      faultRate: 0.5,
      latencyMs: 20,
      maxRuns: 10,
    });
    expectConverged(report, 12);
    expect(leaks(visibleTexts(report), [ADMIN_KEY, ALICE_KEY, PASSWORD, ...report.engine.keyValues])).toEqual([]);
  }, 120_000);
});

describe("partial failures, as the engine records them", () => {
  it("a create that fails after the key exists is recorded with id and value, and the next run finishes it with update", async () => {
    const provider = await providerText();
    const engine = new MiniEngine({ port: inProcessPort(impl) });
    const program = new Map([["half", programInputs("half", { description: "revoked at birth", active: false }, provider)]]);
    // Five failed attempts: the first PUT and the SDK's four retries.
    emu.faults.add({ method: "PUT", path: /^\/v1\/apiKeys\/[^/]+\/state$/, times: 5, action: { kind: "status", status: 503 } });
    const first = await engine.up(program);
    expect(first).toEqual([expect.stringMatching(/was created but could not be revoked \(active: false\).*pulumi up/)]);
    const recorded = engine.resources.get("half");
    expect(recorded).toMatchObject({ initErrors: true, outputs: { active: true, key: expect.stringMatching(/^[A-Za-z0-9]{32}$/) } });

    expect(await engine.up(program)).toEqual([]);
    expect(engine.stats.calls).toMatchObject({ create: 1, update: 1 });
    const finished = engine.resources.get("half");
    expect(finished).toMatchObject({ id: recorded?.id, initErrors: false, outputs: { active: false, status: "revoked", key: recorded?.outputs.key } });
    const report = await checkInvariants(emu, engine, { callerUid: emu.accounts.admin.uid, verifyValues: true });
    expect(violations(report)).toEqual([]);
    expect(report).toMatchObject({ stateKeys: 1, emulatorKeys: 1, valuesChecked: 1 });
    expect((await engine.destroy(2)).errors).toEqual([]);
  }, 60_000);
});

describe("10 keys through the real dynamic-provider host, 20% of requests faulted", () => {
  it("converges, and nothing the host printed or logged holds a secret", async () => {
    const eventsFile = path.join(dir, "host-events.jsonl");
    const probeEnv = hostProbeEnv(eventsFile, { rateLimit: { perSecond: 80, burst: 40 } });
    const host = await ProviderClient.start({ cwd: REPO, env: { ...NO_ENV_CREDENTIALS, ...probeEnv }, callTimeoutMs: 90_000 });
    try {
      await host.configure({ "palette:host": emu.url, "palette:apiKey": secretConfig(ADMIN_KEY) });
      const report = await runLifecycle({
        emu,
        port: hostPort(host),
        keys: 10,
        callerUid: emu.accounts.admin.uid,
        rateLimit: SCALED,
        faultRate: 0.2,
        latencyMs: 100,
        maxRuns: 6,
      });
      expectConverged(report, 10);
      expect(report.emulator.faulted).toBeGreaterThan(0);
      const { events, text } = readHostEvents(eventsFile);
      // The probe counts what the SDK sent, the emulator what arrived: the same, give or take a
      // keep-alive socket the server closed just as a request left.
      const sent = sdkFigures(events, report.stats.calls.create).requests;
      expect(sent).toBeGreaterThanOrEqual(report.emulator.requests);
      expect(sent).toBeLessThanOrEqual(report.emulator.requests + 2);
      const texts = { ...visibleTexts(report), "host stdout": host.output.stdout, "host stderr": host.output.stderr, "sdk events": text };
      expect(leaks(texts, [ADMIN_KEY, ALICE_KEY, PASSWORD, ...report.engine.keyValues])).toEqual([]);
    } finally {
      await host.close();
    }
  }, 120_000);
});
