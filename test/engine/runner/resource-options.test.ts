/**
 * Resource options as the runtime sends them to the runner's monitor, with the toy dynamic resource:
 * a parent component (URN and state), an alias (no replacement), `protect` and `retainOnDelete`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { runProgram, type RunResult } from "../../../runner/offline-engine";
import { dynamicResources, readCheckpoint } from "../../helpers/checkpoint";
import { runFailure } from "../../helpers/run-failure";
import { Thing, readToyStore } from "./fixtures/toy-provider";

const THING = "pulumi-nodejs:dynamic/toy:Thing";
const URN = "urn:pulumi:dev::opts-project::";

class Group extends pulumi.ComponentResource {
  constructor(name: string) {
    super("toy:index:Group", name, {}, {});
    this.registerOutputs({});
  }
}

let dir: string;
let build: () => void = () => undefined;
const logs: string[] = [];
const store = () => path.join(dir, "toy.json");
const stateFile = () => path.join(dir, "dev.json");
const up = (operation: "up" | "destroy" = "up"): Promise<RunResult> =>
  runProgram({
    operation,
    program: () => {
      build();
      return {};
    },
    projectDir: process.cwd(),
    stateFile: stateFile(),
    project: "opts-project",
    stack: "dev",
    env: { TOY_STORE: store() },
    passphrase: "resource options passphrase",
    log: (line) => logs.push(line),
  });
const ops = (r: RunResult): string[] => r.steps.map((s) => `${s.op} ${s.name}`);
const rows = () => Object.values(readToyStore(store())).map((row) => row.size);

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-options-"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it("a child of a component: its URN carries the component's type, the state its parent", async () => {
  build = () => {
    const group = new Group("grp");
    new Thing("inner", { size: 1 }, { parent: group });
  };
  const result = await up();
  expect(result.steps.map((s) => s.urn)).toEqual([`${URN}toy:index:Group$${THING}::inner`]);
  const resources = readCheckpoint(stateFile()).deployment.resources;
  expect(resources.find((r) => r.urn === `${URN}toy:index:Group::grp`)).toMatchObject({ custom: false, parent: `${URN}pulumi:pulumi:Stack::opts-project-dev` });
  expect(resources.find((r) => r.urn.endsWith("::inner"))?.parent).toBe(`${URN}toy:index:Group::grp`);
});

it("an alias carries the resource to its new name and place: same, not a replacement", async () => {
  const id = dynamicResources(stateFile())[0]?.id;
  build = () => {
    new Thing("moved", { size: 1 }, { aliases: [`${URN}toy:index:Group$${THING}::inner`] });
  };
  const result = await up();
  expect(ops(result)).toEqual(["same moved"]);
  expect(dynamicResources(stateFile())).toEqual([expect.objectContaining({ urn: `${URN}${THING}::moved`, id })]);
  // The component left the program, and the state, with no step; the toy still holds one row.
  expect(readCheckpoint(stateFile()).deployment.resources.some((r) => r.type === "toy:index:Group")).toBe(false);
  expect(rows()).toEqual([1]);
});

describe("protect and retainOnDelete", () => {
  const moved = () => new Thing("moved", { size: 1 }, { aliases: [`${URN}toy:index:Group$${THING}::inner`] });

  it("a resource retained on delete leaves the state, and the provider keeps it", async () => {
    build = () => {
      moved();
      new Thing("kept", { size: 3 }, { retainOnDelete: true });
    };
    await up();
    build = moved;
    const result = await up();
    expect(ops(result)).toEqual(["same moved", "delete kept"]);
    expect(dynamicResources(stateFile()).map((r) => r.name)).toEqual(["moved"]);
    expect(rows().sort()).toEqual([1, 3]);
    expect(logs.some((l) => l.includes("retained") && l.includes("kept"))).toBe(true);
  });

  it("a protected resource gone from the program is not deleted: the up fails and keeps it; unprotected, it goes", async () => {
    build = () => {
      moved();
      new Thing("guarded", { size: 2 }, { protect: true });
    };
    await up();
    build = moved;
    const failed = await runFailure(up());
    expect(failed.errors).toEqual([expect.stringContaining("marked for protection")]);
    expect(dynamicResources(stateFile()).map((r) => r.name).sort()).toEqual(["guarded", "moved"]);
    expect(rows().sort()).toEqual([1, 2, 3]);

    build = () => {
      moved();
      new Thing("guarded", { size: 2 }, { protect: false });
    };
    expect(ops(await up()).sort()).toEqual(["same guarded", "same moved"]);
    const destroyed = await up("destroy");
    expect(ops(destroyed).sort()).toEqual(["delete guarded", "delete moved"]);
    // Only the retained row is left.
    expect(rows()).toEqual([3]);
  });
});

it("the state is written after each step, as the engine checkpoints: one step done, another in flight", async () => {
  const file = path.join(dir, "checkpoint.json");
  const gate = path.join(dir, "checkpoint.gate");
  let seen: string[] | undefined;
  const run = runProgram({
    operation: "up",
    program: () => {
      new Thing("quick", { size: 5 });
      new Thing("held", { size: 6, holdUntil: gate });
      return {};
    },
    projectDir: process.cwd(),
    stateFile: file,
    project: "opts-project",
    stack: "checkpoint",
    env: { TOY_STORE: store() },
    passphrase: "resource options passphrase",
    // When quick's step is printed, held is still being created: the file must already hold quick.
    log: (line) => {
      if (!line.includes("create") || !line.includes(" quick ")) return;
      seen = dynamicResources(file).map((r) => r.name);
      fs.writeFileSync(gate, "");
    },
  });
  const result = await run;
  expect(seen).toEqual(["quick"]);
  expect(ops(result).sort()).toEqual(["create held", "create quick"]);
  expect(dynamicResources(file).map((r) => r.name).sort()).toEqual(["held", "quick"]);
});
