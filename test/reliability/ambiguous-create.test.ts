/**
 * Ambiguous create: Palette makes the key, the answer never arrives (the emulator's lostResponse on
 * POST /v1/apiKeys). Through the provider implementation and through the real dynamic-provider host,
 * with the engine's bookkeeping: the run ends with exactly one key, known to state, with its value
 * (which authenticates); never an orphan.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as impl from "../../provider/impl";
import { startEmulator, type FaultRule, type RunningEmulator } from "../../emulator";
import { ProviderClient, secretConfig } from "../../runner/provider-client";
import { errorTexts, MiniEngine } from "../../bench/harness/engine";
import { checkInvariants, violations } from "../../bench/harness/invariants";
import { configureInProcess, hostPort, inProcessPort, type ProviderPort } from "../../bench/harness/ports";
import { programInputs, providerText, type Props } from "../../bench/harness/program";
import { ADMIN_KEY, ALICE_KEY, NO_ENV_CREDENTIALS, PASSWORD, REPO, leaks, withoutEnvCredentials } from "./support";

const LOST = { kind: "lostResponse" } as const;
const POST_KEYS = { method: "POST", path: "/v1/apiKeys" } as const;

let emu: RunningEmulator;
let host: ProviderClient;
let restoreEnv: () => void;
const seen: string[] = [];
const values: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) throw new Error("run `npm run build` first: the host loads dist/");
  restoreEnv = withoutEnvCredentials();
  emu = await startEmulator({ adminKey: ADMIN_KEY, userKey: ALICE_KEY, password: PASSWORD, rateLimit: false });
  await configureInProcess(impl, { "palette:host": emu.url, "palette:apiKey": ADMIN_KEY });
  host = await ProviderClient.start({ cwd: REPO, env: NO_ENV_CREDENTIALS });
  await host.configure({ "palette:host": emu.url, "palette:apiKey": secretConfig(ADMIN_KEY) });
});

afterEach(() => emu.reset());

afterAll(async () => {
  await host?.close();
  await emu?.close();
  restoreEnv?.();
});

const posts = (): number => emu.requests().filter((r) => r.method === "POST" && r.path === "/v1/apiKeys").length;

/** One `pulumi up` of a one-key program under `faults`; returns the engine and its errors. */
async function upOnce(port: ProviderPort, args: Parameters<typeof programInputs>[1], faults: FaultRule[]) {
  const program = new Map<string, Props>([["ci", programInputs("ci", args, await providerText())]]);
  const engine = new MiniEngine({ port, callDeadlineMs: 60_000 });
  for (const rule of faults) emu.faults.add(rule);
  const errors = await engine.up(program);
  emu.faults.clear();
  seen.push(...errors, ...engine.errors.flatMap(errorTexts));
  values.push(...engine.keyValues);
  return { engine, errors, program };
}

/** Exactly one key, in state, with its value, which authenticates as the owner; no orphan. */
async function expectOneKnownKey(engine: MiniEngine): Promise<void> {
  const report = await checkInvariants(emu, engine, { callerUid: emu.accounts.admin.uid, verifyValues: true });
  expect(violations(report)).toEqual([]);
  expect(report).toMatchObject({ stateKeys: 1, emulatorKeys: 1, valuesChecked: 1 });
}

const cases: [string, FaultRule[], number][] = [
  ["lost once", [{ ...POST_KEYS, action: LOST }], 2],
  ["lost three times in a row", [{ ...POST_KEYS, times: 3, action: LOST }], 4],
  [
    "lost, then the clean-up's list fails past the pipeline's retries",
    [
      { ...POST_KEYS, action: LOST },
      { method: "GET", path: "/v1/apiKeys", times: 5, action: { kind: "status", status: 503 } },
    ],
    2,
  ],
  ["lost, for a key revoked at birth", [{ ...POST_KEYS, action: LOST }], 2],
];

describe.each([
  ["the provider implementation", () => inProcessPort(impl), cases],
  ["the dynamic-provider host", () => hostPort(host), cases.slice(0, 1)],
])("through %s", (_label, port, which) => {
  it.each(which)("%s: one key, known to state, with its value", async (label, faults, expectedPosts) => {
    const args = label.includes("revoked") ? { description: "ambiguous", active: false } : { description: "ambiguous" };
    const { engine, errors } = await upOnce(port(), args, faults);
    expect(errors).toEqual([]);
    expect(posts()).toBe(expectedPosts);
    await expectOneKnownKey(engine);
    expect(engine.resources.get("ci")?.outputs).toMatchObject({ description: "ambiguous", active: !label.includes("revoked") });
  }, 60_000);

  it("lost on every attempt: the create fails saying nothing was left behind, and the next run makes exactly one key", async () => {
    const { engine, errors, program } = await upOnce(port(), {}, [{ ...POST_KEYS, times: Infinity, action: LOST }]);
    expect(errors).toEqual([expect.stringMatching(/^ci: Cannot create API key "ci-[a-z0-9]{7}": .*nothing was left behind/)]);
    expect(posts()).toBe(5);
    expect(emu.keys().filter((k) => !k.seeded)).toEqual([]);
    expect(engine.resources.size).toBe(0);
    expect(await engine.up(program)).toEqual([]);
    values.push(...engine.keyValues);
    await expectOneKnownKey(engine);
  }, 60_000);
});

it("no error of this file holds a secret", () => {
  expect(values.length).toBe(7);
  expect(leaks({ errors: seen.join("\n"), stdout: host.output.stdout, stderr: host.output.stderr }, [ADMIN_KEY, ALICE_KEY, PASSWORD, ...values])).toEqual([]);
});
