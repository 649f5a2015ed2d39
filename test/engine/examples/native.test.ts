/**
 * examples/native: what can be run here without a Pulumi CLI. The TypeScript program runs through
 * the offline runner with the built plugin (found on PATH, as the engine finds an ambient plugin):
 * the default provider, an explicit provider (here the same emulator under a second instance) and
 * getUser. The YAML program's resource types, properties, options and function calls exist in the
 * plugin's schema (Pulumi YAML reads nothing else). The Python program compiles (with python3; skipped,
 * saying so, without one). The Go and C# programs need SDKs the CLI generates: not checked here.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RunningEmulator } from "../../../emulator";
import { packageSchema } from "../../../provider/native/schema";
import { secretConfig } from "../../../runner/provider-client";
import { exampleOnEmulator, REPO } from "./support";

// js-yaml is @pulumi/pulumi's dependency (the runner reads Pulumi.yaml with it too).
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a dependency of @pulumi/pulumi, not of this package, resolved from there
const yaml = require(require.resolve("js-yaml", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] })) as { load(text: string): unknown };

const EXAMPLES = path.join(REPO, "examples/native");
const PLUGIN = path.join(REPO, "dist/provider/native/main.js");

describe("examples/native/typescript through the runner and the plugin", () => {
  let emu: RunningEmulator;
  const stack = exampleOnEmulator("native/typescript", (started) => (emu = started));
  let bin: string;
  beforeAll(() => {
    bin = fs.mkdtempSync(path.join(os.tmpdir(), "native-example-bin-"));
    fs.symlinkSync(PLUGIN, path.join(bin, "pulumi-resource-palette"));
  });
  afterAll(() => fs.rmSync(bin, { recursive: true, force: true }));

  const run = (operation: "up" | "destroy") => {
    const alice = emu.accounts.users[0]?.email ?? "missing";
    return stack.run(operation, {}, {
      config: {
        "palette-native-typescript:tenantBHost": emu.url,
        "palette-native-typescript:tenantBApiKey": secretConfig(emu.accounts.admin.apiKey),
        "palette-native-typescript:aliceEmail": alice,
        "palette:host": emu.url,
        "palette:apiKey": secretConfig(emu.accounts.admin.apiKey),
      },
      env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, SPECTROCLOUD_APIKEY: undefined, SPECTROCLOUD_HOST: undefined },
    });
  };

  it("up makes ci (default provider) and ci-b (the tenant-b provider), answers getUser; destroy removes both", async () => {
    const up = await run("up");
    expect(up.steps.map((s) => [s.op, s.type, s.name]).sort()).toEqual([
      ["create", "palette:index:ApiKey", "ci"],
      ["create", "palette:index:ApiKey", "ci-b"],
      ["create", "pulumi:providers:palette", "tenant-b"],
    ]);
    expect(up.outputs).toMatchObject({ ciKey: "[secret]", ciBKey: "[secret]", ciBTenant: emu.tenant.uid, aliceUid: emu.accounts.users[0]?.uid });
    expect(emu.keys().filter((k) => !k.seeded).map((k) => k.description).sort()).toEqual(["CI pipeline", "CI pipeline of tenant B"]);
    const down = await run("destroy");
    expect(down.steps.filter((s) => s.op === "delete")).toHaveLength(3);
    expect(emu.keys().filter((k) => !k.seeded)).toEqual([]);
  });
});

describe("examples/native/yaml against the plugin's schema", () => {
  type Props = Record<string, unknown>;
  const schema = packageSchema() as { resources: Record<string, { inputProperties: Props; properties: Props }>; provider: { inputProperties: Props }; functions: Record<string, { inputs?: { properties: Props }; outputs: { properties: Props } }> };
  const program = yaml.load(fs.readFileSync(path.join(EXAMPLES, "yaml/Pulumi.yaml"), "utf8")) as {
    resources: Record<string, { type: string; properties?: Props; options?: Props }>;
    variables: Record<string, { "fn::invoke": { function: string; arguments: Props } }>;
    outputs: Record<string, string>;
  };
  const inputsOf = (type: string): Props | undefined => (type === "pulumi:providers:palette" ? schema.provider.inputProperties : schema.resources[type]?.inputProperties);

  it("names only resource types and input properties the schema has", () => {
    const unknown = Object.entries(program.resources).flatMap(([name, r]) => {
      const inputs = inputsOf(r.type);
      if (inputs === undefined) return [`${name}: type ${r.type}`];
      return Object.keys(r.properties ?? {}).filter((p) => !(p in inputs)).map((p) => `${name}.${p}`);
    });
    expect(unknown).toEqual([]);
    expect(Object.values(program.resources).map((r) => r.type).sort()).toEqual(["palette:index:ApiKey", "palette:index:ApiKey", "pulumi:providers:palette"]);
  });

  it("calls only functions the schema has, with their inputs, and reads outputs the resources and functions have", () => {
    for (const v of Object.values(program.variables)) {
      const fn = schema.functions[v["fn::invoke"].function];
      expect(fn).toBeDefined();
      expect(Object.keys(v["fn::invoke"].arguments).filter((a) => !(a in (fn?.inputs?.properties ?? {})))).toEqual([]);
    }
    const unread = Object.values(program.outputs).flatMap((ref) => {
      const [, owner, prop] = /^\$\{([\w-]+)\.(\w+)\}$/.exec(ref) ?? [];
      const resource = program.resources[owner ?? ""];
      const fn = program.variables[owner ?? ""];
      const props = resource ? schema.resources[resource.type]?.properties : fn ? schema.functions[fn["fn::invoke"].function]?.outputs.properties : undefined;
      return props !== undefined && prop !== undefined && prop in props ? [] : [ref];
    });
    expect(unread).toEqual([]);
    expect(program.resources["ci-b"]?.options).toEqual({ provider: "${tenant-b}" });
  });
});

const python = (() => {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!python) console.warn("examples/native/python: python3 is not on PATH, so the Python example's compile check is skipped");

(python ? it : it.skip)("examples/native/python compiles (python3 -m py_compile)", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "native-py-"));
  try {
    execFileSync("python3", ["-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)", path.join(EXAMPLES, "python/__main__.py"), path.join(out, "main.pyc")]);
    expect(fs.statSync(path.join(out, "main.pyc")).size).toBeGreaterThan(0);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});
