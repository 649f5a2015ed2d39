/**
 * Partial failures through the offline runner, with the real ApiKey against the emulator: a step
 * fails half-way through an `up`, then a plain `up` must converge with no orphan (a key Palette holds
 * that the state does not know), no lost key (a key the program wants that is gone, or whose uid the
 * state lost) and no duplicate (two keys, or two live entries, for one resource). The provider host
 * loads dist/provider/impl.js, so `npm run build` must have run.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { ApiKey, type ApiKeyArgs } from "../../../provider";
import { secretConfig } from "../../../runner/provider-client";
import { runProgram, type RunOptions, type RunResult, type Step } from "../../../runner/offline-engine";
import { resolveOutput } from "../../helpers/resolve-output";
import { PaletteClient } from "../../../sdk";
import { emulatorPerFile } from "../../helpers/emulator-per-file";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";
import { dynamicResources, readCheckpoint, type StateEntry } from "../../helpers/checkpoint";
import { runFailure } from "../../helpers/run-failure";

const REPO = path.resolve(__dirname, "../../..");
const ADMIN_KEY = "PartialAdminKeyQ1w2E3r4T5y6U7i8o9";
const ALICE_KEY = "PartialAliceKeyZ9x8C7v6B5n4M3l2k1";
const PASSWORD = "PartialPasswordP0o9I8u7";
const UNKNOWN_EMAIL = "nobody@palette.local";
/** The SDK retries 5xx with backoff; Retry-After 0 makes its retries immediate, so a fault that outlasts them costs no waiting. */
const SERVER_ERROR = { kind: "status", status: 500, retryAfterSeconds: 0 } as const;


describe("offline runner: partial failures converge on the next up (ApiKey against the emulator)", () => {
  let emu: RunningEmulator;
  let sdk: PaletteClient;
  let dir: string;
  let stateFile: string;
  let spec: Record<string, ApiKeyArgs> = {};
  const logs: string[] = [];

  emulatorPerFile(
    () => startEmulator({ port: 0, adminKey: ADMIN_KEY, userKey: ALICE_KEY, password: PASSWORD }),
    (e) => {
      emu = e;
      sdk = new PaletteClient({ host: e.url, auth: { apiKey: ADMIN_KEY }, retry: false });
    },
  );

  let made: ApiKey[] = [];
  /** Every key value a successful run handed to the program; none may be printed or stored in clear. */
  const keyValues: string[] = [];

  const program = (): Record<string, unknown> => {
    made = Object.entries(spec).map(([name, args]) => new ApiKey(name, args));
    return {};
  };
  const run = async (operation: RunOptions["operation"], extra: Partial<RunOptions> = {}): Promise<RunResult> => {
    made = [];
    const result = await runProgram({
      operation,
      program,
      projectDir: REPO,
      stateFile,
      project: "palette-partial",
      stack: "dev",
      config: { "palette:host": emu.url, "palette:apiKey": secretConfig(ADMIN_KEY) },
      env: NO_ENV_CREDENTIALS,
      passphrase: "partial failure passphrase",
      log: (line) => logs.push(line),
      ...extra,
    });
    for (const key of made) {
      const { value } = await resolveOutput(key.key);
      if (typeof value === "string") keyValues.push(value);
    }
    return result;
  };
  const ops = (result: RunResult): string[] => result.steps.map((s: Step) => `${s.op} ${s.name}`);
  const state = (): StateEntry[] => dynamicResources(stateFile);
  const userKeys = () => emu.keys().filter((k) => !k.seeded);
  const alice = () => {
    const found = emu.accounts.users.find((u) => u.apiKey === ALICE_KEY);
    if (!found) throw new Error("the emulator seed has no alice");
    return found;
  };

  /**
   * The convergence invariants: every resource of the program is in state once, live and clean;
   * the state holds nothing else; Palette holds exactly the keys the state names.
   */
  const expectConverged = (): void => {
    const entries = state();
    expect(entries.filter((r) => r.pendingDelete || r.pendingReplacement || r.initErrors)).toEqual([]);
    expect(entries.map((r) => r.name).sort()).toEqual(Object.keys(spec).sort());
    expect(userKeys().map((k) => k.uid).sort()).toEqual(entries.map((r) => r.id).sort());
  };

  beforeAll(() => {
    if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) {
      throw new Error("dist/provider/impl.js is missing: run `npm run build` before the engine tests");
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-partial-"));
  });
  let stacks = 0;
  beforeEach(() => {
    // A stack per test: the emulator forgets every key between tests.
    stacks += 1;
    stateFile = path.join(dir, `stack-${stacks}.json`);
  });
  afterAll(async () => {
    await sdk?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the reported case: a replacement whose create fails keeps the old key live, and restoring the program changes nothing", async () => {
    spec = { deploy: { description: "deploy key", user: { email: alice().email } } };
    const created = await run("up");
    const uid = created.steps[0]?.id as string;
    expect(emu.keys().find((k) => k.uid === uid)).toBeDefined();

    spec = { deploy: { description: "deploy key", user: { email: UNKNOWN_EMAIL } } };
    const failed = await runFailure(run("up"));
    expect(failed.errors).toEqual([expect.stringContaining(UNKNOWN_EMAIL)]);
    // The old key is still the resource, once, and not marked for deletion; Palette still has it.
    expect(state()).toEqual([expect.objectContaining({ name: "deploy", id: uid })]);
    expect(state()[0]?.pendingDelete).toBeUndefined();
    expect(userKeys().map((k) => k.uid)).toEqual([uid]);

    spec = { deploy: { description: "deploy key", user: { email: alice().email } } };
    const restored = await run("up");
    expect(ops(restored)).toEqual(["same deploy"]);
    expect(userKeys().map((k) => k.uid)).toEqual([uid]);
    expectConverged();
  });
  it("matrix 1: a replacement created half-way (init error) is recorded, the old key becomes a pending delete; the next up finishes both", async () => {
    spec = { ci: { description: "ci key" } };
    const oldUid = (await run("up")).steps[0]?.id as string;

    // New owner: a replacement; inactive: the create revokes the new key, and that call fails.
    spec = { ci: { description: "ci key", user: { uid: alice().uid }, active: false } };
    emu.faults.add({ method: "PUT", path: /^\/v1\/apiKeys\/[^/]+\/state$/, times: Infinity, action: SERVER_ERROR });
    const failed = await runFailure(run("up"));
    emu.faults.clear();
    expect(failed.errors).toEqual([expect.stringContaining("could not be revoked")]);
    const newUid = failed.steps.find((s) => s.op === "replace")?.id ?? userKeys().find((k) => k.uid !== oldUid)?.uid;
    expect(newUid).toBeDefined();
    expect(state()).toEqual([
      expect.objectContaining({ id: newUid, initErrors: [expect.stringContaining("could not be revoked")] }),
      expect.objectContaining({ id: oldUid, pendingDelete: true }),
    ]);
    expect(userKeys().map((k) => k.uid).sort()).toEqual([oldUid, newUid].sort());

    const next = await run("up");
    expect(ops(next)).toEqual(["update ci", "delete ci"]);
    expect(userKeys()).toEqual([expect.objectContaining({ uid: newUid, ownerUid: alice().uid, active: false })]);
    expectConverged();
  });

  /** Makes a key, then replaces it (new owner) while every DELETE fails: the old key's delete fails after the new key exists. */
  const replaceWhileDeletesFail = async (): Promise<{ oldUid: string; failed: RunResult }> => {
    spec = { ci: { description: "ci key" } };
    const oldUid = (await run("up")).steps[0]?.id as string;
    spec = { ci: { description: "ci key", user: { uid: alice().uid } } };
    // Outlasts the SDK's retries of DELETE; cleared before the next run.
    emu.faults.add({ method: "DELETE", path: /^\/v1\/apiKeys\/.+/, times: Infinity, action: SERVER_ERROR });
    const failed = await runFailure(run("up"));
    emu.faults.clear();
    return { oldUid, failed };
  };

  it("matrix 2: the old key's delete fails after its replacement exists: it stays a pending delete, and the next up deletes it", async () => {
    const { oldUid, failed } = await replaceWhileDeletesFail();
    expect(failed.errors).toEqual([expect.stringContaining(`Cannot delete API key ${oldUid}`)]);
    const newUid = failed.steps.find((s) => s.op === "replace")?.id as string;
    expect(newUid).not.toBe(oldUid);
    expect(state()).toEqual([expect.objectContaining({ id: newUid }), expect.objectContaining({ id: oldUid, pendingDelete: true })]);
    expect(state()[0]?.pendingDelete).toBeUndefined();
    expect(userKeys().map((k) => k.uid).sort()).toEqual([oldUid, newUid].sort());

    const next = await run("up");
    expect(ops(next)).toEqual(["same ci", "delete ci"]);
    expect(next.steps[1]?.id).toBe(oldUid);
    expect(userKeys().map((k) => k.uid)).toEqual([newUid]);
    expectConverged();
  });

  it("matrix 2b: a pending delete that is gone from Palette is dropped by refresh, without a delete", async () => {
    const { oldUid } = await replaceWhileDeletesFail();
    await sdk.apiKeys.delete(oldUid);

    const refreshed = await run("refresh");
    expect(refreshed.refreshSteps.map((s) => `${s.op} ${s.id}`)).toEqual([expect.stringMatching(/^same /), `delete ${oldUid}`]);
    expectConverged();
  });

  it("matrix 3: an update half-applied (revoked, then the description edit failed) is recorded with init errors; the next up finishes it in place", async () => {
    spec = { ci: { description: "before" } };
    const uid = (await run("up")).steps[0]?.id as string;

    spec = { ci: { description: "after", active: false } };
    emu.faults.add({ method: "PUT", path: /^\/v1\/apiKeys\/[^/]+$/, times: Infinity, action: SERVER_ERROR });
    const failed = await runFailure(run("up"));
    emu.faults.clear();
    expect(failed.errors).toEqual([expect.stringContaining("change description failed")]);
    expect(userKeys()).toEqual([expect.objectContaining({ uid, active: false, description: "before" })]);
    const [entry] = state();
    expect(state()).toHaveLength(1);
    // The engine's rule for a partial update: new outputs, old inputs, init errors.
    expect(entry).toMatchObject({ id: uid, outputs: { active: false, description: "before" }, inputs: { description: "before" } });
    expect(entry?.initErrors).toHaveLength(1);

    const next = await run("up");
    expect(ops(next)).toEqual(["update ci"]);
    expect(userKeys()).toEqual([expect.objectContaining({ uid, active: false, description: "after" })]);
    expectConverged();
  });

  it("matrix 4: delete-before-replace (an expired key with an explicit name): a failed delete changes nothing, a failed create leaves a pending replacement the next up creates", async () => {
    spec = { ops: { name: "ops-key", description: "ops key" } };
    const oldUid = (await run("up")).steps[0]?.id as string;
    // Expire it out of band; the refresh below shows the provider it has expired.
    await sdk.apiKeys.update(oldUid, { expiresAt: new Date(Date.now() + 1000) });
    await new Promise((resolve) => setTimeout(resolve, 1100));

    emu.faults.add({ method: "DELETE", path: /^\/v1\/apiKeys\/.+/, times: Infinity, action: SERVER_ERROR });
    const deleteFailed = await runFailure(run("up", { refresh: true }));
    emu.faults.clear();
    expect(deleteFailed.errors).toEqual([expect.stringContaining(`Cannot delete API key ${oldUid}`)]);
    expect(state()).toEqual([expect.objectContaining({ id: oldUid })]);
    expect(state()[0]).not.toHaveProperty("pendingReplacement");
    expect(userKeys().map((k) => k.uid)).toEqual([oldUid]);

    // Not retried by the SDK (a 4xx is an answer), so one fault fails the create.
    emu.faults.add({ method: "POST", path: "/v1/apiKeys", times: 1, action: { kind: "status", status: 400 } });
    const createFailed = await runFailure(run("up"));
    emu.faults.clear();
    expect(createFailed.errors).toEqual([expect.stringContaining("ops-key")]);
    expect(state()).toEqual([expect.objectContaining({ id: oldUid, pendingReplacement: true })]);
    expect(userKeys()).toEqual([]);

    const before = emu.requests().length;
    const next = await run("up");
    expect(ops(next)).toEqual(["replace ops"]);
    // The old key was deleted by the failed run: the replacement only creates.
    expect(emu.requests().slice(before).filter((r) => r.method === "DELETE")).toEqual([]);
    expect(userKeys()).toEqual([expect.objectContaining({ name: "ops-key", active: true })]);
    expect(userKeys()[0]?.uid).not.toBe(oldUid);
    expectConverged();
  });

  it("a state written by the old runner (the key live and pending delete at once) keeps the key", async () => {
    spec = { deploy: { description: "deploy key" } };
    const uid = (await run("up")).steps[0]?.id as string;
    const raw = readCheckpoint(stateFile);
    const live = raw.deployment.resources.find((r) => r.urn.endsWith("::deploy"));
    if (!live) throw new Error("no deploy in the state");
    raw.deployment.resources.push({ ...live, delete: true });
    fs.writeFileSync(stateFile, JSON.stringify(raw));

    const next = await run("up");
    expect(ops(next)).toEqual(["same deploy"]);
    expect(logs.some((l) => l.includes("stale pending delete") && l.includes(uid))).toBe(true);
    expect(userKeys().map((k) => k.uid)).toEqual([uid]);
    expectConverged();
  });

  it("no key value or credential reached the state files or a printed line", () => {
    const printed = logs.join("\n");
    const states = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), "utf8")).join("\n");
    expect(printed).toContain("replace");
    for (const s of [ADMIN_KEY, ALICE_KEY, PASSWORD, ...keyValues]) {
      expect(states).not.toContain(s);
      expect(printed).not.toContain(s);
    }
  });
});
