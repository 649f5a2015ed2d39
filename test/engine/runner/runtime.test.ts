/**
 * Program files on Pulumi's real Node.js runtime: `@pulumi/pulumi/cmd/run` in a child process, started
 * as the Node.js language host starts it, talking gRPC to the runner's resource monitor. What Pulumi's
 * mocks could not show: the runtime's own marshalling of secrets and of the serialized provider, the
 * dependencies it reports, and a failed step among steps in flight. The provider host loads
 * dist/provider/impl.js, so `npm run build` must have run.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { secretConfig } from "../../../runner/provider-client";
import { runProgram, type RunOptions, type RunResult } from "../../../runner/offline-engine";
import { loadState } from "../../../runner/state-file";
import { dynamicResources, readCheckpoint } from "../../helpers/checkpoint";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";
import { runFailure } from "../../helpers/run-failure";
import { expectPinned } from "../../helpers/serialized-provider";
import { readToyStore } from "./fixtures/toy-provider";

const REPO = path.resolve(__dirname, "../../..");
const PROGRAMS = path.join(__dirname, "fixtures/programs");
const PASSPHRASE = "runtime test passphrase";
const KEY_TYPE = "pulumi-nodejs:dynamic/palette:ApiKey";

let dir: string;
beforeAll(() => {
  if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) throw new Error("run `npm run build` first: the host loads dist/");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-runtime-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ops = (r: RunResult): string[] => r.steps.map((s) => `${s.op} ${s.name}`);

describe("a program file with two dependent keys (the second described by the first's name)", () => {
  let emu: RunningEmulator;
  const stateFile = () => path.join(dir, "keys.json");
  const printed: string[] = [];
  const run = (operation: RunOptions["operation"]): Promise<RunResult> =>
    runProgram({
      operation,
      programFile: path.join(PROGRAMS, "dependent-keys.ts"),
      projectDir: REPO,
      stateFile: stateFile(),
      project: "dependent-keys",
      stack: "dev",
      config: { "palette:host": emu.url, "palette:apiKey": secretConfig(emu.accounts.admin.apiKey) },
      env: NO_ENV_CREDENTIALS,
      passphrase: PASSPHRASE,
      log: (line) => printed.push(line),
    });
  const keys = () => emu.keys().filter((k) => !k.seeded);

  beforeAll(async () => {
    emu = await startEmulator({ port: 0, rateLimit: false });
  });
  afterAll(async () => {
    await emu?.close();
  });

  it("preview plans the first key, then the second described by the first's planned name; nothing is created", async () => {
    const preview = await run("preview");
    expect(ops(preview)).toEqual(["create first", "create second"]);
    const firstName = preview.steps[0]?.changes.find((c) => c.name === "name")?.new;
    expect(preview.steps[1]?.changes).toContainEqual({ name: "description", new: firstName });
    expect(keys()).toEqual([]);
  });

  it("up creates them in dependency order; the second's key arrives secret from the runtime itself; the state records the dependency", async () => {
    const up = await run("up");
    expect(ops(up)).toEqual(["create first", "create second"]);
    const first = keys().find((k) => k.name.startsWith("first-"));
    const second = keys().find((k) => k.name.startsWith("second-"));
    expect(second?.description).toBe(first?.name);
    // Only additionalSecretOutputs, as the runtime sent it, made `key` secret: the runner has no list of its own.
    expect(up.secretOutputs).toEqual(["secondKey"]);
    expect(up.outputs).toMatchObject({ firstName: first?.name, secondDescription: first?.name, secondKey: "[secret]" });

    const entries = dynamicResources(stateFile());
    const firstUrn = `urn:pulumi:dev::dependent-keys::${KEY_TYPE}::first`;
    expect(entries.map((e) => e.urn)).toEqual([firstUrn, `urn:pulumi:dev::dependent-keys::${KEY_TYPE}::second`]);
    const raw = readCheckpoint(stateFile()).deployment.resources;
    expect(raw.find((r) => r.urn.endsWith("::second"))?.dependencies).toEqual([firstUrn]);
    // Secret in the state: envelopes only, for the key output and the stack output alike.
    const envelope = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: expect.stringMatching(/^v1:/) };
    expect(entries[1]?.outputs.key).toEqual(envelope);
    expect(raw.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs?.secondKey).toEqual(envelope);
    const { state } = loadState(stateFile(), "dependent-keys", "dev", PASSPHRASE);
    expect(state.outputs.secondKey).toBe(state.resources.find((r) => r.name === "second")?.outputs.key);
    const text = fs.readFileSync(stateFile(), "utf8");
    for (const k of state.resources) expect(text).not.toContain(String(k.outputs.key));
    for (const k of state.resources) for (const line of printed) expect(line).not.toContain(String(k.outputs.key));
  });

  it("the __provider the runtime serialized in the child is the text the packaging test pins", () => {
    const { state } = loadState(stateFile(), "dependent-keys", "dev", PASSPHRASE);
    for (const r of state.resources) expectPinned(String(r.inputs.__provider), `the runtime's RegisterResource of ${r.name}`);
  });

  it("destroy deletes the second before the first, by the recorded dependency, not by the order of the file", async () => {
    // As another tool might have written it: the dependent first.
    const raw = readCheckpoint(stateFile());
    raw.deployment.resources.sort((a, b) => Number(b.urn.endsWith("::second")) - Number(a.urn.endsWith("::second")));
    fs.writeFileSync(stateFile(), JSON.stringify(raw));
    const destroy = await run("destroy");
    expect(ops(destroy)).toEqual(["delete second", "delete first"]);
    expect(keys()).toEqual([]);
    expect(readCheckpoint(stateFile()).deployment.resources).toEqual([]);
  });
});

describe("a failed step among others, as in pulumi up", () => {
  const store = () => path.join(dir, "toy.json");
  const run = (stateFile: string, gate: string, extra: Partial<RunOptions> = {}): Promise<RunResult> =>
    runProgram({
      operation: "up",
      programFile: path.join(PROGRAMS, "failing-things.ts"),
      projectDir: REPO,
      stateFile,
      project: "toy-things",
      stack: "dev",
      config: { "toy-things:gate": gate },
      env: { TOY_STORE: store() },
      passphrase: PASSPHRASE,
      // `held` stays in flight until `broken` has failed.
      log: (line) => {
        if (line.startsWith("error:") && line.includes("broken")) fs.writeFileSync(gate, "");
      },
      ...extra,
    });
  const stored = () =>
    Object.values(readToyStore(store()))
      .map((row) => String(row.size))
      .sort();

  beforeEach(() => fs.rmSync(store(), { force: true }));

  it("the step in flight finishes and is recorded; no new step starts; nothing is deleted", async () => {
    const stateFile = path.join(dir, "halt.json");
    const failed = await runFailure(run(stateFile, path.join(dir, "halt.gate")));
    expect(failed.errors).toEqual([expect.stringContaining("broken: toy refused: plain failure")]);
    // held (size 1) finished; afterHeld (11) never started although held was done before the run ended.
    expect(stored()).toEqual(["1"]);
    expect(dynamicResources(stateFile).map((e) => e.name)).toEqual(["held"]);
    expect(ops(failed)).toEqual(["create held"]);
  });

  it("--continue-on-error: only what depends on the failed step is left out", async () => {
    const stateFile = path.join(dir, "continue.json");
    const failed = await runFailure(run(stateFile, path.join(dir, "continue.gate"), { continueOnError: true }));
    expect(failed.errors).toEqual([expect.stringContaining("broken: toy refused: plain failure")]);
    expect(stored()).toEqual(["1", "11"]);
    expect(dynamicResources(stateFile).map((e) => e.name)).toEqual(["held", "afterHeld"]);
  });
});
