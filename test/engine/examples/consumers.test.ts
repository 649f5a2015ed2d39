/**
 * examples/consumers: the key of the keys stack (examples/quickstart, `up` through the offline runner
 * against the emulator, so a real key that the runner holds as a secret) handed to consumer stacks,
 * secret all the way. The stack-reference consumer runs on the offline runner (Pulumi's runtime, its
 * StackReference reading the keys stack's state file). The runner plays no other provider than dynamic
 * ones, so the ESC consumer (a `pulumiservice` Environment) runs under Pulumi's mocks answering as the
 * engine would: the StackReference with the keys stack's outputs and the names of its secret ones
 * (`secretOutputNames`, which the SDK's `requireOutput` goes by), and any other resource with its
 * inputs, recorded as the engine, and so the resource's provider, gets them.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { RunningEmulator } from "../../../emulator";
import { runProgram } from "../../../runner/offline-engine";
import { resolveOutput } from "../../helpers/resolve-output";
import { PaletteClient } from "../../../sdk";
import { exampleOnEmulator, loadProgram, REPO } from "./support";

const PRODUCER = "acme/palette-apikeys-quickstart/prod";

let emu: RunningEmulator;
const keysStack = exampleOnEmulator("quickstart", (started) => (emu = started));

/** The keys stack's outputs (values), the names of its secret ones, and the ci-bot key's value. */
const produced: Record<string, unknown> = {};
let secretNames: string[] = [];
let ciBotKey = "";

interface Registered {
  type: string;
  name: string;
  id: string | undefined;
  inputs: Record<string, unknown>;
}

beforeAll(async () => {
  const result = await keysStack.run("up");
  secretNames = result.secretOutputs;
  for (const [name, value] of Object.entries(keysStack.exports)) produced[name] = (await resolveOutput(value)).value;
  ciBotKey = String(produced.ciBotKey);
}, 60_000);

/** Runs `examples/consumers/<example>` of project `project` with `producerStack` set; returns its exports and what it registered. */
function runConsumer(example: string, project: string): { exports: Record<string, unknown>; registered: Registered[] } {
  const registered: Registered[] = [];
  void pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, id: args.id, inputs: args.inputs as Record<string, unknown> });
        if (args.type === "pulumi:pulumi:StackReference") {
          return { id: args.id ?? "", state: { name: args.inputs.name, outputs: produced, secretOutputNames: secretNames } };
        }
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => {
        throw new Error(`unexpected invoke ${args.token}`);
      },
    },
    project,
    "dev",
    false,
    "acme",
  );
  pulumi.runtime.setConfig(`${project}:producerStack`, PRODUCER);
  return { exports: loadProgram(path.join(REPO, "examples/consumers", example, "index.ts")), registered };
}

it("the keys stack exports the ci-bot key as a secret, and it is a working key", async () => {
  expect(secretNames).toContain("ciBotKey");
  const palette = new PaletteClient({ host: emu.url, auth: { apiKey: ciBotKey } });
  try {
    expect((await palette.users.me()).userUid).toBe(emu.accounts.admin.uid);
  } finally {
    await palette.close();
  }
});

describe("examples/consumers/stack-reference", () => {
  it("on the runner: the StackReference reads the keys stack's state; the key arrives secret, what it computes from it is secret too, the rest is not", async () => {
    let exports: Record<string, unknown> = {};
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "consumer-"));
    try {
      const result = await runProgram({
        operation: "up",
        program: () => (exports = loadProgram(path.join(REPO, "examples/consumers/stack-reference/index.ts"))),
        projectDir: REPO,
        stateFile: path.join(dir, "dev.json"),
        project: "palette-apikeys-consumer",
        stack: "dev",
        config: { "palette-apikeys-consumer:producerStack": PRODUCER },
        stackReferences: { [PRODUCER]: { stateFile: keysStack.stateFile, passphrase: keysStack.passphrase } },
        passphrase: keysStack.passphrase,
      });
      expect(result.secretOutputs).toEqual(["paletteEnvironment"]);
      expect(result.outputs).toEqual({ paletteEnvironment: "[secret]", keyName: produced.ciBotKeyName, keyExpiresAt: produced.ciBotExpiresAt });
      const environment = await resolveOutput(exports.paletteEnvironment);
      expect(environment).toMatchObject({ secret: true, known: true });
      expect(environment.value).toBe(`SPECTROCLOUD_HOST=api.spectrocloud.com\nSPECTROCLOUD_APIKEY=${ciBotKey}\n`);
      expect(await resolveOutput(exports.keyName)).toEqual({ value: produced.ciBotKeyName, secret: false, known: true });
      expect(fs.readFileSync(path.join(dir, "dev.json"), "utf8")).not.toContain(ciBotKey);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("examples/consumers/esc-environment", () => {
  it("writes the key into an ESC environment definition that reaches the engine as a secret, under fn::secret", async () => {
    const { exports, registered } = runConsumer("esc-environment", "palette-apikeys-esc");
    expect(await resolveOutput(exports.escEnvironment)).toMatchObject({ value: "acme/palette/ci", secret: false });

    const env = registered.find((r) => r.type === "pulumiservice:index:Environment");
    expect(env?.inputs).toMatchObject({ organization: "acme", project: "palette", name: "ci" });
    // A secret input arrives wrapped in Pulumi's secret signature: the wire form the engine encrypts.
    const yaml = env?.inputs.yaml as Record<string, unknown>;
    expect(yaml[pulumi.runtime.specialSigKey]).toBe(pulumi.runtime.specialSecretSig);
    const asset = yaml.value as pulumi.asset.StringAsset;
    const definition = JSON.parse(await asset.text) as { values: { palette: { apiKey: unknown }; environmentVariables: Record<string, string> } };
    expect(definition.values.palette.apiKey).toEqual({ "fn::secret": ciBotKey });
    expect(definition.values.environmentVariables).toEqual({ SPECTROCLOUD_HOST: "${palette.host}", SPECTROCLOUD_APIKEY: "${palette.apiKey}" });
    // Nowhere else: no other input of any resource carries the key.
    const elsewhere = registered.filter((r) => r !== env).map((r) => JSON.stringify(r.inputs));
    expect(elsewhere.filter((text) => text.includes(ciBotKey))).toEqual([]);
  });
});
