import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { secretConfig } from "../../../runner/provider-client";
import { runProgram, type RunOptions, type RunResult, type Step } from "../../../runner/offline-engine";
import { resolveOutput } from "../../helpers/resolve-output";
import { IncorrectPassphraseError } from "../../../runner/passphrase-crypter";
import { dynamicResources, type StateEntry } from "../../helpers/checkpoint";
import { runFailure } from "../../helpers/run-failure";
import { Thing, driftToyStore, readToyStore, type ThingArgs } from "./fixtures/toy-provider";

const TOKEN = "toy-token-9f3a51-never-in-clear";

describe("offline runner over the real dynamic-provider host, with a stand-in dynamic resource", () => {
  let dir: string;
  let store: string;
  let stateFile: string;
  const logs: string[] = [];
  /** Every secret value the toy "cloud" ever held; none may appear in state or printed output. */
  const secretsSeen = new Set<string>([TOKEN]);
  let spec: Record<string, ThingArgs>;
  let made: Record<string, Thing> = {};

  const program = (): Record<string, unknown> => {
    made = {};
    for (const [name, args] of Object.entries(spec)) made[name] = new Thing(name, args);
    return {
      aSecret: made.a?.secretValue,
      aSize: made.a?.size,
      label: "toy",
      token: new pulumi.Config("toy").requireSecret("token"),
    };
  };
  const run = (operation: RunOptions["operation"], extra: Partial<RunOptions> = {}): Promise<RunResult> =>
    runProgram({
      operation,
      program,
      projectDir: process.cwd(),
      stateFile,
      project: "toy-project",
      stack: "dev",
      config: { "toy:token": secretConfig(TOKEN), "toy:region": "eu-1" },
      env: { TOY_STORE: store },
      passphrase: "correct horse battery staple",
      log: (line) => logs.push(line),
      ...extra,
    });
  const ops = (steps: Step[]): string[] => steps.map((s) => `${s.op} ${s.name}`);
  const rememberSecrets = (): void => {
    for (const row of Object.values(readToyStore(store))) secretsSeen.add(row.secretValue as string);
  };
  const idOf = (name: string): string => {
    const entry = Object.entries(readToyStore(store)).find(([, row]) => row.name === name || row.logical === name);
    if (!entry) throw new Error(`no row for ${name}`);
    return entry[0];
  };
  const stateResources = (): StateEntry[] => dynamicResources(stateFile);

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "offline-runner-"));
    store = path.join(dir, "toy.json");
    stateFile = path.join(dir, "state", "dev.json");
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("refuses to change anything without a passphrase to encrypt the state", async () => {
    const saved = process.env.PULUMI_CONFIG_PASSPHRASE;
    delete process.env.PULUMI_CONFIG_PASSPHRASE;
    try {
      await expect(runProgram({ operation: "up", program, projectDir: process.cwd(), stateFile, project: "toy-project", stack: "dev" })).rejects.toThrow(
        /PULUMI_CONFIG_PASSPHRASE/,
      );
    } finally {
      if (saved !== undefined) process.env.PULUMI_CONFIG_PASSPHRASE = saved;
    }
    expect(fs.existsSync(stateFile)).toBe(false);
  });

  it("preview of a new stack plans creates, calls no create, writes no state", async () => {
    spec = { a: { size: 1, color: "red", name: "alpha" }, b: { size: 2, color: "green", name: "beta" } };
    const result = await run("preview");
    // a and b are independent: their steps finish, and are recorded, in whatever order the provider answers.
    expect(ops(result.steps).sort()).toEqual(["create a", "create b"]);
    expect(result.steps[0]?.changes).toEqual(
      expect.arrayContaining([
        { name: "size", new: 1 },
        { name: "color", new: "red" },
      ]),
    );
    expect(result.summary).toBe("+2 ~0 -0 =0");
    expect(result.outputs).toEqual({ aSecret: "[unknown]", aSize: 1, label: "toy", token: "[secret]" });
    expect(readToyStore(store)).toEqual({});
    expect(fs.existsSync(stateFile)).toBe(false);
  });

  it("up creates through the provider and hands real, secret outputs back to the program", async () => {
    const result = await run("up");
    expect(ops(result.steps).sort()).toEqual(["create a", "create b"]);
    rememberSecrets();
    const rows = readToyStore(store);
    expect(Object.keys(rows)).toHaveLength(2);
    const aId = idOf("alpha");
    expect(result.steps.find((s) => s.name === "a")?.id).toBe(aId);
    const resolved = await resolveOutput(made.a?.secretValue);
    expect(resolved).toEqual({ value: rows[aId]?.secretValue, secret: true, known: true });
    expect((await resolveOutput(made.a?.id)).value).toBe(aId);
    expect(result.outputs).toEqual({ aSecret: "[secret]", aSize: 1, label: "toy", token: "[secret]" });
    expect(result.secretOutputs.sort()).toEqual(["aSecret", "token"]);
    // configure saw the secret config unwrapped (the toy stores its sha256, never the value)
    expect(rows[aId]?.tokenSha).toBe(createHash("sha256").update(TOKEN).digest("hex"));
  });

  it("a second preview shows no changes, and expectNoChanges passes", async () => {
    const result = await run("preview", { expectNoChanges: true });
    expect(ops(result.steps).sort()).toEqual(["same a", "same b"]);
    expect(result.summary).toBe("+0 ~0 -0 =2");
    // A `same` resource hands its stored (real) outputs to the program, even in preview.
    expect((await resolveOutput(made.a?.secretValue)).secret).toBe(true);
    expect(result.outputs.aSecret).toBe("[secret]");
  });

  it("preview --refresh reports drift per property and the update that restores it; state is untouched", async () => {
    const before = fs.readFileSync(stateFile, "utf8");
    driftToyStore(store, idOf("alpha"), { size: 7 });
    const result = await runFailure(run("preview", { refresh: true, expectNoChanges: true }));
    expect(result.errors).toEqual([expect.stringMatching(/^expected no changes, found .*update a/)]);
    const drift = result.refreshSteps.find((s) => s.name === "a");
    expect(drift).toMatchObject({ op: "refresh-drift", changes: [{ name: "size", old: 1, new: 7 }] });
    expect(result.refreshSteps.find((s) => s.name === "b")?.op).toBe("same");
    expect(result.steps.find((s) => s.name === "a")).toMatchObject({ op: "update", changes: [{ name: "size", old: 7, new: 1 }] });
    expect(result.summary).toBe("refresh: ~1 drifted -0 gone; +0 ~1 -0 =1");
    expect(fs.readFileSync(stateFile, "utf8")).toBe(before);
  });

  it("up --refresh restores the drift in place: same id, same secret value", async () => {
    const id = idOf("alpha");
    const secretBefore = readToyStore(store)[id]?.secretValue;
    const result = await run("up", { refresh: true });
    expect(ops(result.steps).sort()).toEqual(["same b", "update a"]);
    const rows = readToyStore(store);
    expect(Object.keys(rows)).toHaveLength(2);
    expect(rows[id]).toMatchObject({ size: 1, secretValue: secretBefore });
    await run("preview", { expectNoChanges: true });
  });

  it("a replacing change creates before it deletes, with a fresh autoname from the second check", async () => {
    spec = { a: { size: 1, color: "blue" }, b: { size: 2, color: "green", name: "beta" } };
    // Without an explicit name the first check keeps the old one; the replacement gets a fresh one.
    const oldId = idOf("alpha");
    const preview = await run("preview");
    expect(preview.steps.find((s) => s.name === "a")).toMatchObject({ op: "replace", replaces: ["color"] });
    const result = await run("up");
    rememberSecrets();
    const a = result.steps.find((s) => s.name === "a");
    expect(a?.op).toBe("replace");
    const rows = readToyStore(store);
    expect(rows[oldId]).toBeUndefined();
    expect(a?.id).toBeDefined();
    expect(rows[a?.id as string]).toMatchObject({ color: "blue" });
    expect(rows[a?.id as string]?.name).toMatch(/^thing-/);
    expect(result.summary).toBe("+0 ~0 -0 =1 +-1");
    expect(logs.some((l) => l.includes("deleted the replaced") && l.includes(oldId))).toBe(true);
  });

  it("a resource gone from the program is shown as a delete in preview and deleted by up", async () => {
    spec = { a: spec.a as ThingArgs };
    const preview = await run("preview");
    expect(ops(preview.steps)).toEqual(["same a", "delete b"]);
    expect(idOf("beta")).toBeDefined();
    const result = await run("up");
    expect(ops(result.steps)).toEqual(["same a", "delete b"]);
    expect(Object.values(readToyStore(store)).map((r) => r.name)).toHaveLength(1);
    expect(stateResources().map((r) => r.name)).toEqual(["a"]);
  });

  it("a check failure names the property and halts the run; state keeps what existed", async () => {
    spec = { a: spec.a as ThingArgs, c: { size: "big" as unknown as number } };
    const result = await runFailure(run("up"));
    expect(result.errors).toEqual(['c: check failed: property "size": size must be a number']);
    expect(result.outputs).toEqual({ aSecret: "[secret]", aSize: 1, label: "toy", token: "[secret]" });
    expect(stateResources().map((r) => r.name)).toEqual(["a"]);
    expect(Object.keys(readToyStore(store))).toHaveLength(1);
  });

  it("a plain create error comes through with the provider's message and records nothing", async () => {
    spec = { a: spec.a as ThingArgs, e: { size: 1, failPlain: true } };
    const result = await runFailure(run("up"));
    expect(result.errors).toEqual(["e: toy refused: plain failure"]);
    expect(result.steps.map((s) => s.op)).toEqual(["same"]);
    expect(stateResources().map((r) => r.name)).toEqual(["a"]);
  });

  it("an init failure is recorded with its id; the next up updates it", async () => {
    spec = { a: spec.a as ThingArgs, d: { size: 3, name: "delta", failInit: true } };
    const result = await runFailure(run("up"));
    rememberSecrets();
    expect(result.errors).toEqual([expect.stringContaining("d: toy half-made")]);
    const d = stateResources().find((r) => r.name === "d");
    expect(d).toMatchObject({ id: idOf("delta"), initErrors: ["init failed"] });
    spec = { a: spec.a as ThingArgs, d: { size: 3, name: "delta" } };
    const again = await run("up");
    expect(again.steps.find((s) => s.name === "d")).toMatchObject({ op: "update", id: d?.id });
    expect(stateResources().find((r) => r.name === "d")?.initErrors).toBeUndefined();
  });

  it("refresh removes a resource deleted out of band and records drift", async () => {
    const rows = readToyStore(store);
    delete rows[idOf("delta")];
    fs.writeFileSync(store, JSON.stringify(rows));
    const result = await run("refresh");
    expect(ops(result.refreshSteps)).toEqual(["same a", "delete d"]);
    expect(result.steps).toEqual([]);
    expect(stateResources().map((r) => r.name)).toEqual(["a"]);
    expect(result.outputs.aSecret).toBe("[secret]");
  });

  it("delete-before-replace whose create fails: the pending replacement is created by the next up even when the diff shows no change", async () => {
    spec = { a: { size: 1, color: "blue" } };
    const oldId = stateResources()[0]?.id as string;
    spec = { a: { size: 1, color: "purple", dbr: true, failPlain: true } };
    const result = await runFailure(run("up"));
    expect(result.errors).toEqual(["a: toy refused: plain failure"]);
    expect(readToyStore(store)).toEqual({});
    expect(stateResources()).toEqual([expect.objectContaining({ id: oldId, pendingReplacement: true })]);

    // Back to what the deleted resource had: the diff is empty, but the resource no longer exists.
    spec = { a: { size: 1, color: "blue" } };
    const again = await run("up");
    rememberSecrets();
    expect(ops(again.steps)).toEqual(["replace a"]);
    const rows = Object.keys(readToyStore(store));
    expect(rows).toHaveLength(1);
    expect(stateResources()).toEqual([expect.objectContaining({ name: "a", id: rows[0] })]);
    expect(stateResources()[0]).not.toHaveProperty("pendingReplacement");
  });

  it("a failed delete of a resource gone from the program leaves it live: put back, it is the same resource", async () => {
    const a = spec.a as ThingArgs;
    spec = { a, f: { size: 5, name: "foxtrot" } };
    await run("up");
    rememberSecrets();
    const fId = idOf("foxtrot");
    driftToyStore(store, fId, { failDelete: true });
    spec = { a };
    const result = await runFailure(run("up"));
    expect(result.errors).toEqual([`f: delete: toy refused to delete ${fId}`]);
    expect(stateResources().find((r) => r.name === "f")).toEqual(expect.not.objectContaining({ pendingDelete: true }));

    spec = { a, f: { size: 5, name: "foxtrot" } };
    expect(ops((await run("up")).steps).sort()).toEqual(["same a", "same f"]);
    expect(idOf("foxtrot")).toBe(fId);
    driftToyStore(store, fId, { failDelete: false });
    spec = { a };
    expect(ops((await run("up")).steps)).toEqual(["same a", "delete f"]);
  });

  it("a wrong passphrase cannot open the state", async () => {
    await expect(run("preview", { passphrase: "wrong" })).rejects.toBeInstanceOf(IncorrectPassphraseError);
  });

  it("a cancelled refresh or destroy reads and deletes nothing, even with continueOnError; the state keeps every resource", async () => {
    // Secrets are encrypted afresh on each save: the entries are compared by what they are.
    const entries = (): { urn: string; id: string }[] => stateResources().map((r) => ({ urn: r.urn, id: r.id }));
    const before = entries();
    const saved = fs.readFileSync(store, "utf8");
    // Drift a refresh would record, were it to read.
    expect(before.length).toBeGreaterThan(0);
    driftToyStore(store, before[0]?.id ?? "", { size: 99 });
    const rows = readToyStore(store);
    const cancelled = AbortSignal.abort();
    for (const operation of ["refresh", "destroy"] as const) {
      const result = await runFailure(run(operation, { signal: cancelled, continueOnError: true }));
      expect(result.errors).toEqual([`${operation} cancelled: no step was started after the cancel; the steps in flight then ran to their end${operation === "destroy" ? ", and what they made is in the state file" : ""}`]);
      expect([...result.refreshSteps, ...result.steps]).toEqual([]);
      expect(entries()).toEqual(before);
    }
    expect(readToyStore(store)).toEqual(rows);
    fs.writeFileSync(store, saved);
  });

  it("destroy deletes everything and empties the state", async () => {
    const result = await run("destroy");
    expect(ops(result.steps)).toEqual(["delete a"]);
    expect(readToyStore(store)).toEqual({});
    expect(stateResources()).toEqual([]);
  });

  it("no secret ever reached the state file or a printed line", () => {
    const state = fs.readFileSync(stateFile, "utf8");
    expect(secretsSeen.size).toBeGreaterThan(3);
    const printed = logs.join("\n");
    expect(printed).toContain("create");
    for (const s of secretsSeen) {
      expect(state).not.toContain(s);
      expect(printed).not.toContain(s);
    }
  });
});
