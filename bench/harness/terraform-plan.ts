/**
 * What a user waits for: `terraform plan` of one palette_api_key (refresh included, so the provider
 * starts, configures and reads the key from the emulator) against the same plan of one
 * `terraform_data` (Terraform's built-in provider, no plugin process) and a bare `node -e 0`,
 * alternating the three so load on the machine hits them alike.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator } from "../../emulator";

export interface PlanFigures {
  runs: number;
  paletteMs: number[];
  builtinMs: number[];
  bareMs: number[];
}

const TERRAFORM_BLOCK = `terraform {
  required_providers {
    palette = { source = "terraform.local/palette-apikeys/palette" }
  }
}
provider "palette" {}
`;

function timed(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${command} ${args.join(" ")} exited ${code}`))));
  });
}

/** Plans of one key (after applying it once) and of one terraform_data, `runs` times each. */
export async function measurePlans(repo: string, dir: string, runs = 5): Promise<PlanFigures> {
  const emu = await startEmulator({ port: 0, rateLimit: false });
  try {
    const cliConfig = path.join(dir, "terraform.rc");
    execFileSync(process.execPath, [path.join(repo, "dist/cli/palette-apikeys.js"), "terraform-mirror", path.join(dir, "mirror"), "--cli-config", cliConfig], { stdio: "ignore" });
    const env: NodeJS.ProcessEnv = {
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
      HOME: process.env.HOME ?? dir,
      XDG_CACHE_HOME: path.join(dir, "cache"),
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      SPECTROCLOUD_HOST: emu.url,
      SPECTROCLOUD_APIKEY: emu.accounts.admin.apiKey,
    };
    // Asynchronously: the emulator answers from this very process.
    const workspace = async (name: string, mainTf: string): Promise<string> => {
      const ws = path.join(dir, name);
      fs.mkdirSync(ws, { recursive: true });
      fs.writeFileSync(path.join(ws, "main.tf"), mainTf);
      for (const args of [["init"], ["apply", "-auto-approve"]]) await timed("terraform", [...args, "-no-color"], ws, env);
      return ws;
    };
    const palette = await workspace("palette", `${TERRAFORM_BLOCK}resource "palette_api_key" "one" {\n  name = "bench-one"\n}\n`);
    const builtin = await workspace("builtin", `resource "terraform_data" "one" {\n  input = "bench-one"\n}\n`);
    const figures: PlanFigures = { runs, paletteMs: [], builtinMs: [], bareMs: [] };
    const plan = ["plan", "-no-color", "-detailed-exitcode"];
    for (let i = 0; i < runs; i++) {
      figures.paletteMs.push(await timed("terraform", plan, palette, env));
      figures.builtinMs.push(await timed("terraform", plan, builtin, env));
      figures.bareMs.push(await timed(process.execPath, ["-e", "0"], dir, env));
    }
    return figures;
  } finally {
    await emu.close();
  }
}
