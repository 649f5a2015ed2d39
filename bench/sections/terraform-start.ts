/**
 * Section 6 of `npm run bench` (`--only=terraform-start`): the Terraform provider's start-up in one
 * run. The single executable is built first, from this checkout's build, as `terraform-release`
 * makes it (bench/harness/sea-build.ts); then per launch the time to the handshake line and the RSS
 * of the executable, the launcher, `node bundle.js` and bare `node -e 0` (startup.ts); then
 * `terraform plan` of one key with the provider installed both ways against a plan of one
 * terraform_data, and where a traced plan spends its time (terraform-plan.ts, plan-trace.ts).
 */
import * as path from "node:path";
import { goalRows } from "../harness/goals";
import { planTraceRows } from "../harness/plan-trace";
import { buildSea, embeddedNode } from "../harness/sea-build";
import { measureStartup, startupGoals, startupHeader, startupRows, type Build, type StartupFigures } from "../harness/startup";
import { table } from "../harness/table";
import { measurePlans, planGoals, planRows, type PlanFigures } from "../harness/terraform-plan";

export interface TerraformStartFigures {
  startup: StartupFigures;
  plans: PlanFigures;
}

/**
 * This checkout, and with `baseline` another build (e.g. main's, built) measured alike in the same
 * run, each with the single executable its own `terraform-release` makes for this machine.
 */
function terraformBuilds(repo: string, baseline: string | undefined, dir: string): Build[] {
  const checkouts = [{ label: "this build", repo }, ...(baseline !== undefined ? [{ label: `baseline ${baseline}`, repo: path.resolve(baseline) }] : [])];
  return checkouts.map((c, i) => ({ ...c, sea: buildSea(c.repo, path.join(dir, `sea-build-${i}`), i === 0 ? process.env.PALETTE_BENCH_SEA : undefined) }));
}

export async function terraformStartRun(repo: string, dir: string, baseline: string | undefined, progress: (line: string) => void): Promise<TerraformStartFigures> {
  progress("terraform provider start-up: building this machine's release zip (the single executable) with each checkout's terraform-release");
  const builds = terraformBuilds(repo, baseline, dir);
  progress("terraform provider start-up: time to handshake and RSS per launch against bare `node -e 0`, 10 alternating rounds");
  const startup = await measureStartup(builds, await embeddedNode(dir), dir);
  progress("terraform plan of one key, installed each way, against the built-in provider and bare node, 5 alternating runs, then one traced plan each");
  return { startup, plans: await measurePlans(builds, dir) };
}

export function terraformStartTables({ startup, plans }: TerraformStartFigures): string {
  return [
    table(`Terraform provider start-up, per launch (Terraform starts 3 per plan; ${startup.runs} rounds, each launch beside a bare node of each kind)`, startupHeader(startup), startupRows(startup)),
    table(`terraform plan of one key, refresh included (median of ${plans.runs}, alternating)`, ["", "value"], planRows(plans)),
    table("Where a plan of one key spends its time (one run each with TF_LOG=trace)", ["", ...plans.palette.map((p) => p.label)], planTraceRows(plans.traces)),
    table("Issue 21 start-up goals", ["goal", "measured", "ratio", "verdict"], goalRows([...startupGoals(startup), ...planGoals(plans)])),
  ].join("\n");
}
