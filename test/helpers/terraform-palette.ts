/**
 * The Palette provider under the real `terraform` CLI, against the emulator: a filesystem mirror
 * laid out by the package's own `palette-apikeys terraform-mirror`, an isolated CLI config and data
 * dir per workspace, and the provider's credentials in the environment only (never in a .tf file).
 * For test/engine/terraform's palette-* suites and test/engine/cli.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RunningEmulator, SeedAccount } from "../../emulator";
import { REPO } from "./terraform";

export { tempDir as tempRoot, terraformSuite } from "./terraform";

export const CLI = path.join(REPO, "dist/cli/palette-apikeys.js");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** One mirror per test file: laid out once by the CLI from the built bundle. */
export function layOutMirror(root: string): { mirror: string; cliConfig: string; printed: string } {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the terraform tests`);
  const mirror = path.join(root, "mirror");
  const cliConfig = path.join(root, "terraform.rc");
  const printed = execFileSync(process.execPath, [CLI, "terraform-mirror", mirror, "--cli-config", cliConfig], { encoding: "utf8" });
  return { mirror, cliConfig, printed };
}

export class Workspace {
  readonly dir: string;
  /** Everything the provider's stderr and terraform wrote with TF_LOG, across every command. */
  readonly logFile: string;

  constructor(
    root: string,
    name: string,
    private readonly cliConfig: string,
    private readonly env: Record<string, string>,
  ) {
    this.dir = path.join(root, name);
    fs.mkdirSync(this.dir, { recursive: true });
    this.logFile = path.join(root, `${name}.tf.log`);
  }

  write(files: Record<string, string>): void {
    for (const f of fs.readdirSync(this.dir)) if (f.endsWith(".tf")) fs.rmSync(path.join(this.dir, f));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(this.dir, name), text);
  }

  /** Runs terraform with `args` in the workspace; never throws on a non-zero exit. */
  run(args: string[], extraEnv: Record<string, string> = {}): Promise<RunResult> {
    return this.start(args, extraEnv).done;
  }

  /**
   * Starts terraform with `args`; `onStdout` sees its output as it comes. `detached` makes it lead
   * its own process group, as a shell's foreground job does, so a test can Ctrl-C it (`kill(-pid)`).
   */
  start(
    args: string[],
    extraEnv: Record<string, string> = {},
    options: { detached?: boolean; onStdout?: (soFar: string) => void } = {},
  ): { pid: number; done: Promise<RunResult> } {
    const child = spawn("terraform", args, {
      cwd: this.dir,
      env: {
        // The mirror's launcher runs `node` from PATH: this test run's node comes first.
        PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
        HOME: process.env.HOME ?? os.tmpdir(),
        TF_CLI_CONFIG_FILE: this.cliConfig,
        TF_DATA_DIR: path.join(this.dir, ".terraform"),
        TF_IN_AUTOMATION: "1",
        TF_INPUT: "0",
        CHECKPOINT_DISABLE: "1",
        TF_LOG: "trace",
        TF_LOG_PATH: this.logFile,
        NO_COLOR: "1",
        ...this.env,
        ...extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: options.detached === true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      options.onStdout?.(stdout);
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<RunResult>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    if (child.pid === undefined) throw new Error("terraform did not start");
    return { pid: child.pid, done };
  }

  /** Runs and insists on `expected` as exit code, showing the output when it differs. */
  async expect(args: string[], expected = 0, extraEnv: Record<string, string> = {}): Promise<RunResult> {
    const r = await this.run(args, extraEnv);
    if (r.code !== expected) {
      throw new Error(`terraform ${args.join(" ")} exited ${r.code}, expected ${expected}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
    }
    return r;
  }

  state(): { resources: { type: string; name: string; instances: { attributes: Record<string, unknown>; status?: string; private?: string }[] }[] } {
    return JSON.parse(fs.readFileSync(path.join(this.dir, "terraform.tfstate"), "utf8"));
  }

  /** The attributes of `type.name` in state (first instance). */
  attributes(type: string, name: string): Record<string, unknown> {
    const r = this.state().resources.find((x) => x.type === type && x.name === name);
    const a = r?.instances[0]?.attributes;
    if (a === undefined) throw new Error(`${type}.${name} is not in state`);
    return a;
  }
}

/** Provider credentials for `account`, in the environment: the block stays empty. */
export function credentialsEnv(emu: RunningEmulator, account: SeedAccount): Record<string, string> {
  return { SPECTROCLOUD_HOST: emu.url, SPECTROCLOUD_APIKEY: account.apiKey };
}

export const PROVIDER_BLOCK = `terraform {
  required_providers {
    palette = { source = "terraform.local/palette-apikeys/palette" }
  }
}

provider "palette" {}
`;
