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
import { PLAN_GOAL, median, type Build } from "./startup";
import type { GoalRow } from "./goals";

export interface PlanFigures {
  runs: number;
  /** One list per build, in the order given (this checkout first). */
  palette: { label: string; ms: number[] }[];
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

/** Plans of one key (after applying it once) with each build, and of one terraform_data, `runs` times each. */
export async function measurePlans(builds: readonly Build[], dir: string, runs = 5): Promise<PlanFigures> {
  const emu = await startEmulator({ port: 0, rateLimit: false });
  try {
    const envFor = (cliConfig: string): NodeJS.ProcessEnv => ({
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
      HOME: process.env.HOME ?? dir,
      XDG_CACHE_HOME: path.join(dir, "cache"),
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      SPECTROCLOUD_HOST: emu.url,
      SPECTROCLOUD_APIKEY: emu.accounts.admin.apiKey,
    });
    // Asynchronously: the emulator answers from this very process.
    const workspace = async (name: string, mainTf: string, env: NodeJS.ProcessEnv): Promise<string> => {
      const ws = path.join(dir, name);
      fs.mkdirSync(ws, { recursive: true });
      fs.writeFileSync(path.join(ws, "main.tf"), mainTf);
      for (const args of [["init"], ["apply", "-auto-approve"]]) await timed("terraform", [...args, "-no-color"], ws, env);
      return ws;
    };
    const palettes: { label: string; ws: string; env: NodeJS.ProcessEnv }[] = [];
    for (const [i, b] of builds.entries()) {
      const cliConfig = path.join(dir, `terraform-${i}.rc`);
      execFileSync(process.execPath, [path.join(b.repo, "dist/cli/palette-apikeys.js"), "terraform-mirror", path.join(dir, `mirror-${i}`), "--cli-config", cliConfig], { stdio: "ignore" });
      const env = envFor(cliConfig);
      palettes.push({ label: b.label, env, ws: await workspace(`palette-${i}`, `${TERRAFORM_BLOCK}resource "palette_api_key" "one" {\n  name = "bench-one-${i}"\n}\n`, env) });
    }
    const builtinEnv = envFor(path.join(dir, "terraform-0.rc"));
    const builtin = await workspace("builtin", `resource "terraform_data" "one" {\n  input = "bench-one"\n}\n`, builtinEnv);
    const figures: PlanFigures = { runs, palette: palettes.map((p) => ({ label: p.label, ms: [] })), builtinMs: [], bareMs: [] };
    const plan = ["plan", "-no-color", "-detailed-exitcode"];
    for (let i = 0; i < runs; i++) {
      for (const [j, p] of palettes.entries()) figures.palette[j]?.ms.push(await timed("terraform", plan, p.ws, p.env));
      figures.builtinMs.push(await timed("terraform", plan, builtin, builtinEnv));
      figures.bareMs.push(await timed(process.execPath, ["-e", "0"], dir, builtinEnv));
    }
    return figures;
  } finally {
    await emu.close();
  }
}

const ms = (v: number): string => `${v.toFixed(0)} ms`;

/** Rows for a two-column table: each build's plan, the built-in plan, bare node, and the ratios. */
export function planRows(p: PlanFigures): string[][] {
  const builtin = median(p.builtinMs);
  const bare = median(p.bareMs);
  return [
    ...p.palette.flatMap((b) => [
      [`palette_api_key, ${b.label} (Terraform starts the provider 3 times; one reads the key)`, ms(median(b.ms))],
      [`  ratio to the built-in plan (goal <= ${PLAN_GOAL})`, (median(b.ms) / builtin).toFixed(2)],
      ["  ratio to bare node", (median(b.ms) / bare).toFixed(2)],
    ]),
    ["terraform_data (built-in provider, no plugin)", ms(builtin)],
    ["bare `node -e 0`", ms(bare)],
  ];
}

/** The plan goal, for this checkout's build (the first). */
export function planGoals(p: PlanFigures): GoalRow[] {
  const first = p.palette[0];
  if (first === undefined) return [];
  const r = median(first.ms) / median(p.builtinMs);
  return [{ goal: `terraform plan of one palette_api_key / of one terraform_data <= ${PLAN_GOAL}`, measured: `${ms(median(first.ms))} vs ${ms(median(p.builtinMs))}`, ratio: r, pass: r <= PLAN_GOAL }];
}
