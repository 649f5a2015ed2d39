/**
 * What a user waits for: `terraform plan` of one palette_api_key (refresh included, so the provider
 * starts, configures and reads the key from the emulator) against the same plan of one
 * `terraform_data` (Terraform's built-in provider, no plugin process) and a bare `node -e 0`,
 * alternating them so load on the machine hits them alike. The provider is installed each way a
 * user gets it: the launcher `terraform-mirror` lays out (per build), and the single executable of
 * the release zip, from a filesystem mirror holding that zip (what a registry's download unpacks
 * to). After the timed runs, one plan per installation with TF_LOG=trace says where the time goes
 * (plan-trace.ts).
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator } from "../../emulator";
import { PROVIDER_ADDRESS, PROVIDER_SOURCE } from "../../provider/terraform/distribution";
import { PLAN_GOAL, median, type Build } from "./startup";
import type { GoalRow } from "./goals";
import { parsePlanTrace, type PlanTrace } from "./plan-trace";

/** One way the provider is installed: a CLI configuration whose provider_installation finds it. */
interface Installation {
  label: string;
  /** Held to the plan goal (what users run); the others are printed. */
  goal: boolean;
  cliConfig: string;
}

export interface PlanFigures {
  runs: number;
  /** One list per installation, in the order given (this checkout's first). */
  palette: { label: string; goal: boolean; ms: number[] }[];
  builtinMs: number[];
  bareMs: number[];
  /** One traced plan per installation, same order. */
  traces: PlanTrace[];
}

const TERRAFORM_BLOCK = `terraform {
  required_providers {
    palette = { source = "${PROVIDER_SOURCE}" }
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

/** A filesystem mirror holding the release zip as it is (the packed layout), and its CLI configuration. */
function zipMirror(zip: string, dir: string): string {
  const { host, namespace, type } = PROVIDER_ADDRESS;
  const mirror = path.join(dir, "mirror");
  fs.mkdirSync(path.join(mirror, host, namespace, type), { recursive: true });
  fs.copyFileSync(zip, path.join(mirror, host, namespace, type, path.basename(zip)));
  const cliConfig = path.join(dir, "terraform.rc");
  fs.writeFileSync(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["${host}/*/*"]\n  }\n  direct {\n    exclude = ["${host}/*/*"]\n  }\n}\n`,
  );
  return cliConfig;
}

function installations(builds: readonly Build[], dir: string): Installation[] {
  return builds.flatMap((b, i): Installation[] => {
    const cliConfig = path.join(dir, `terraform-${i}.rc`);
    execFileSync(process.execPath, [path.join(b.repo, "dist/cli/palette-apikeys.js"), "terraform-mirror", path.join(dir, `mirror-${i}`), "--cli-config", cliConfig], { stdio: "ignore" });
    const launcher = { label: `launcher from terraform-mirror, ${b.label}`, goal: i === 0, cliConfig };
    if (b.sea.zip === undefined) return [launcher];
    return [launcher, { label: `single executable from the release zip (filesystem mirror), ${b.label}`, goal: i === 0, cliConfig: zipMirror(b.sea.zip, path.join(dir, `zip-${i}`)) }];
  });
}

/** Plans of one key (after applying it once) per installation, and of one terraform_data, `runs` times each; then one traced plan each. */
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
    const installs = installations(builds, dir);
    const palettes: { label: string; goal: boolean; ws: string; env: NodeJS.ProcessEnv }[] = [];
    for (const [i, inst] of installs.entries()) {
      const env = envFor(inst.cliConfig);
      palettes.push({ ...inst, env, ws: await workspace(`palette-${i}`, `${TERRAFORM_BLOCK}resource "palette_api_key" "one" {\n  name = "bench-one-${i}"\n}\n`, env) });
    }
    const builtinEnv = envFor(installs[0]?.cliConfig ?? "");
    const builtin = await workspace("builtin", `resource "terraform_data" "one" {\n  input = "bench-one"\n}\n`, builtinEnv);
    const plan = ["plan", "-no-color", "-detailed-exitcode"];
    const figures: PlanFigures = { runs, palette: palettes.map((p) => ({ label: p.label, goal: p.goal, ms: [] })), builtinMs: [], bareMs: [], traces: [] };
    for (let i = 0; i < runs; i++) {
      for (const [j, p] of palettes.entries()) figures.palette[j]?.ms.push(await timed("terraform", plan, p.ws, p.env));
      figures.builtinMs.push(await timed("terraform", plan, builtin, builtinEnv));
      figures.bareMs.push(await timed(process.execPath, ["-e", "0"], dir, builtinEnv));
    }
    for (const [j, p] of palettes.entries()) {
      const log = path.join(dir, `plan-trace-${j}.log`);
      const startedAt = Date.now();
      await timed("terraform", plan, p.ws, { ...p.env, TF_LOG: "trace", TF_LOG_PATH: log });
      figures.traces.push(parsePlanTrace(fs.readFileSync(log, "utf8"), startedAt, Date.now()));
    }
    return figures;
  } finally {
    await emu.close();
  }
}

const ms = (v: number): string => `${v.toFixed(0)} ms`;

/** Rows for a two-column table: each installation's plan, the built-in plan, bare node, and the ratios. */
export function planRows(p: PlanFigures): string[][] {
  const builtin = median(p.builtinMs);
  const bare = median(p.bareMs);
  return [
    ...p.palette.flatMap((b) => [
      [`palette_api_key, ${b.label}`, ms(median(b.ms))],
      [`  ratio to the built-in plan (goal <= ${PLAN_GOAL})`, (median(b.ms) / builtin).toFixed(2)],
      ["  ratio to bare node", (median(b.ms) / bare).toFixed(2)],
    ]),
    ["terraform_data (built-in provider, no plugin)", ms(builtin)],
    [`bare \`node -e 0\`, ${process.version}`, ms(bare)],
  ];
}

/** The plan goal, for each installation of this checkout (the launcher, the single executable). */
export function planGoals(p: PlanFigures): GoalRow[] {
  return p.palette
    .filter((b) => b.goal)
    .map((b) => {
      const r = median(b.ms) / median(p.builtinMs);
      return { goal: `terraform plan of one palette_api_key (${b.label}) / of one terraform_data <= ${PLAN_GOAL}`, measured: `${ms(median(b.ms))} vs ${ms(median(p.builtinMs))}`, ratio: r, pass: r <= PLAN_GOAL };
    });
}
