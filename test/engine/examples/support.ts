/**
 * Runs the programs under examples/ through the offline runner against an emulator, as `pulumi up`
 * would run them: each dynamic resource planned and applied through the real provider host (which
 * loads dist/provider/impl.js, so `npm run build` must have run).
 *
 * An example is a module with top-level `export const`s, and every run must execute it afresh under
 * the runner's mock runtime. Jest's `require.cache` ignores deletes, so the module is loaded inside
 * `jest.isolateModules`, with `@pulumi/pulumi` pinned to this file's instance: the runner, the example
 * and the ApiKey class then share ONE Pulumi runtime (two copies would keep separate mock monitors).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { secretConfig } from "../../../runner/provider-client";
import { runProgram, type RunOptions, type RunResult } from "../../../runner/offline-engine";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";

export const REPO = path.resolve(__dirname, "../../..");

const PASSPHRASE = "examples test passphrase";

/** This file's (and so the runner's) @pulumi/pulumi, handed to every example load. */
const thePulumi: unknown = jest.requireActual("@pulumi/pulumi");
jest.doMock("@pulumi/pulumi", () => thePulumi);

/** Fails fast with a clear message instead of a confusing host error. */
export function requireBuild(): void {
  if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) {
    throw new Error("dist/provider/impl.js is missing: run `npm run build` before the engine tests");
  }
}

/** One example stack: its program, its state file, and the exports of its latest run. */
/**
 * `example`'s stack on an emulator of its own for the whole test file: the build is required and the
 * emulator started (and handed to `use`) before the first test; both are closed after the last.
 */
export function exampleOnEmulator(example: string, use: (emu: RunningEmulator) => void): ExampleStack {
  let emu: RunningEmulator | undefined;
  const stack = new ExampleStack(example, () => {
    if (emu === undefined) throw new Error("the emulator is not started yet");
    return emu;
  });
  beforeAll(async () => {
    requireBuild();
    emu = await startEmulator({ port: 0 });
    use(emu);
  });
  afterAll(async () => {
    await emu?.close();
    stack.dispose();
  });
  return stack;
}

export class ExampleStack {
  /** The example module's exports from the latest preview/up (real Outputs, for `resolveOutput`). */
  exports: Record<string, unknown> = {};
  readonly stateFile: string;
  readonly passphrase = PASSPHRASE;
  private readonly dir: string;
  private readonly entry: string;
  private readonly project: string;

  /** `example` is a folder under examples/ holding Pulumi.yaml and index.ts. */
  constructor(
    example: string,
    private readonly emu: () => RunningEmulator,
  ) {
    const folder = path.join(REPO, "examples", example);
    this.entry = path.join(folder, "index.ts");
    // The project name scopes the program's config keys, as in a real stack.
    const name = /^name:\s*(\S+)/m.exec(fs.readFileSync(path.join(folder, "Pulumi.yaml"), "utf8"))?.[1];
    if (name === undefined) throw new Error(`${folder}/Pulumi.yaml has no name`);
    this.project = name;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `example-${example.replace(/\//g, "-")}-`));
    this.stateFile = path.join(this.dir, "dev.json");
  }

  /** Runs one operation with the tenant admin's key as the secret `palette:apiKey`; `config` holds the program's own keys. */
  run(operation: RunOptions["operation"], config: Record<string, string> = {}, extra: Partial<RunOptions> = {}): Promise<RunResult> {
    const emu = this.emu();
    return runProgram({
      operation,
      program: this.program,
      projectDir: REPO,
      stateFile: this.stateFile,
      project: this.project,
      stack: "dev",
      config: { ...config, "palette:host": emu.url, "palette:apiKey": secretConfig(emu.accounts.admin.apiKey) },
      env: NO_ENV_CREDENTIALS,
      passphrase: PASSPHRASE,
      ...extra,
    });
  }

  /** Removes the state directory. */
  dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private readonly program = (): Record<string, unknown> => (this.exports = loadProgram(this.entry));
}

/** Runs a program module afresh (see the top of this file) and returns its exports. */
export function loadProgram(entry: string): Record<string, unknown> {
  let exports: Record<string, unknown> = {};
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- inside isolateModules: the @pulumi/pulumi the example will get, not this file's
    if (require("@pulumi/pulumi") !== thePulumi) throw new Error("the example would load a second @pulumi/pulumi");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the example runs afresh in an isolated registry, and its path is known only now
    exports = require(entry) as Record<string, unknown>;
  });
  return exports;
}
