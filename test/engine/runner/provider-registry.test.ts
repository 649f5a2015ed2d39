/**
 * The runner's provider registry with a toy plugin (fixtures/toy-plugin.js, package `toy`), whose
 * answers show what the engine sent it: the default provider configured with the stack's `toy:`
 * keys (variables `toy:config:<key>` and args), an explicit provider with its own inputs (a secret
 * among them, sent to Configure as a secret), each resource and function call served by its own
 * instance; DiffConfig asking for a replacement replaces the provider and the resources on it;
 * a CheckConfig failure fails the step, naming the property; destroy loads the providers from the state.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { RunFailedError, runProgram, type RunOptions, type RunResult } from "../../../runner/offline-engine";
import { loadState } from "../../../runner/state-file";

const FIXTURE = path.join(__dirname, "fixtures", "toy-plugin.js");
const PASSPHRASE = "registry passphrase";

class Thing extends pulumi.CustomResource {
  declare readonly region: pulumi.Output<string>;
  declare readonly variable: pulumi.Output<string>;
  declare readonly instance: pulumi.Output<string>;
  declare readonly tokenWasSecret: pulumi.Output<boolean>;
  declare readonly token: pulumi.Output<string>;
  constructor(name: string, args: { size: number }, opts?: pulumi.CustomResourceOptions) {
    super("toy:index:Thing", name, { ...args, region: undefined, variable: undefined, instance: undefined, tokenWasSecret: undefined, token: undefined }, opts);
  }
}

class ToyProvider extends pulumi.ProviderResource {
  constructor(name: string, args: { region: string; token: pulumi.Input<string> }) {
    super("toy", name, args);
  }
}

let dir: string;
const stateFile = (): string => path.join(dir, "dev.json");

const program = (euRegion: string) => async (): Promise<Record<string, unknown>> => {
  const eu = new ToyProvider("eu", { region: euRegion, token: pulumi.secret("provider-token-1") });
  const a = new Thing("a", { size: 1 });
  const b = new Thing("b", { size: 2 }, { provider: eu });
  const viaDefault = (await pulumi.runtime.invoke("toy:index:whoami", { who: "me" })) as { region: string; asked: string };
  const viaEu = (await pulumi.runtime.invoke("toy:index:whoami", { who: "eu" }, { provider: eu })) as { region: string };
  return {
    a: { region: a.region, variable: a.variable, instance: a.instance },
    b: { region: b.region, instance: b.instance, tokenWasSecret: b.tokenWasSecret },
    bToken: b.token,
    invoked: [viaDefault.region, viaDefault.asked, viaEu.region],
  };
};

const run = (operation: RunOptions["operation"], euRegion: string): Promise<RunResult> =>
  runProgram({
    operation,
    program: program(euRegion),
    projectDir: dir,
    stateFile: stateFile(),
    project: "registry",
    stack: "dev",
    config: { "toy:region": "north", "registry:other": "not the plugin's" },
    passphrase: PASSPHRASE,
  });

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-registry-"));
  fs.mkdirSync(path.join(dir, "plugins"));
  fs.writeFileSync(path.join(dir, "plugins", "pulumi-resource-toy"), `#!/bin/sh\nexec "${process.execPath}" "${FIXTURE}" "$@"\n`, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: registry\nruntime: nodejs\nplugins:\n  providers:\n    - name: toy\n      path: plugins\n");
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it("up: the default provider gets the stack's toy: keys, the explicit one its own inputs; each serves its resources and calls", async () => {
  const result = await run("up", "eu");
  expect(result.steps.map((s) => [s.op, s.type, s.name]).sort()).toEqual([
    ["create", "pulumi:providers:toy", "eu"],
    ["create", "toy:index:Thing", "a"],
    ["create", "toy:index:Thing", "b"],
  ]);
  expect(result.outputs).toMatchObject({
    a: { region: "north", variable: "north", instance: "default" },
    b: { region: "eu", instance: "eu", tokenWasSecret: true },
    invoked: ["north", "me", "eu"],
    bToken: "[secret]",
  });
  const state = loadState(stateFile(), "registry", "dev", PASSPHRASE).state;
  const provider = state.resources.find((r) => r.urn.endsWith("::pulumi:providers:toy::default"));
  // Only the package's own keys, without their prefix.
  expect(provider?.inputs).toEqual({ region: "north" });
  expect(state.resources.find((r) => r.name === "eu")?.secretInputs).toEqual(["token"]);
  // The secret the plugin returned wrapped is stored secret.
  expect(state.resources.find((r) => r.name === "b")?.secretOutputs).toContain("token");
  expect(fs.readFileSync(stateFile(), "utf8")).not.toMatch(/token-of-|provider-token-1/);
});

it("up: a region change the provider's DiffConfig calls a replacement replaces the provider and the resource on it, not the other", async () => {
  const result = await run("up", "west");
  const ops = Object.fromEntries(result.steps.map((s) => [s.name, [s.op, s.replaces ?? []]]));
  expect(ops).toEqual({ eu: ["replace", ["region"]], b: ["replace", ["provider"]], a: ["same", []] });
  expect(result.outputs.b).toMatchObject({ region: "west", instance: "eu" });
});

it("up: a CheckConfig failure fails the provider's step, naming the property; nothing else changes", async () => {
  const before = fs.readFileSync(stateFile(), "utf8");
  const failed = await run("up", "bad").then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(failed).toBeInstanceOf(RunFailedError);
  expect((failed as RunFailedError).result.errors.join("\n")).toContain('eu: check failed: property "region": "bad" is no region');
  // The same resources and ids (their order is the order steps finished in).
  const resources = (s: string) =>
    (JSON.parse(s) as { deployment: { resources: { urn: string; id?: string }[] } }).deployment.resources.map((r) => `${r.urn} ${r.id ?? ""}`).sort();
  expect(resources(fs.readFileSync(stateFile(), "utf8"))).toEqual(resources(before));
});

it("destroy: each provider is loaded from the state and serves its resources' deletes", async () => {
  const result = await run("destroy", "west");
  expect(result.steps.map((s) => [s.op, s.name]).sort()).toEqual([
    ["delete", "a"],
    ["delete", "b"],
    ["delete", "eu"],
  ]);
  expect(loadState(stateFile(), "registry", "dev", PASSPHRASE).state.resources).toEqual([]);
});
