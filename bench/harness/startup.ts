/**
 * The Terraform provider's start-up, per launch: time from spawn to the handshake line and the
 * process's RSS at that line (and of it the process's own, anonymous, memory: the pages of a 128 MB
 * executable it maps count in RSS as far as the page cache holds them), for each way Terraform may
 * start it (the mirror's launcher, the bundle run by `node` directly, the single executable), each
 * run beside a bare `node -e 0` (spawn to exit), alternating so load on the machine hits them alike. Terraform starts
 * the provider 3 times per plan, so this is paid three times by every plan. Beside the host's node,
 * every launch is also compared with a bare `node -e 0` of the Node.js the single executable embeds
 * (the pinned 24.x), since that is the runtime a registry user's launch actually starts.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { selfSignedCertificate } from "../../provider/tfplugin6/plugin/certificate";
import type { GoalRow } from "./goals";
import type { SeaBuild } from "./sea-build";
import { launchProvider, terraformPluginEnv, type LaunchedProvider } from "./terraform";

/** A build of this package to measure: this checkout, or another one (`--baseline=<checkout>`). */
export interface Build {
  label: string;
  repo: string;
  /** Its single executable, built by its own `terraform-release`. */
  sea: SeaBuild;
}

interface Variant {
  label: string;
  /** Held to the goal: what Terraform starts from this checkout (its launcher, the executable); a bare bundle and a baseline are only printed. */
  goal: boolean;
  command: string;
  args: string[];
  env: Record<string, string>;
}

export interface LaunchFigures {
  label: string;
  goal: boolean;
  ms: number[];
  /** Each launch over the bare node run beside it. */
  ratios: number[];
  /** Each launch over the bare `node -e 0` of the embedded Node.js run beside it. */
  embeddedRatios: number[];
  rssKb: number[];
  /** RssAnon: the process's own memory, without the pages of its executable it mapped (which depend on the page cache). */
  anonKb: number[];
}

export interface StartupFigures {
  runs: number;
  bare: { ms: number[]; rssKb: number[]; anonKb: number[] };
  /** The same bare run by the Node.js the single executable embeds. */
  embedded: { version: string; ms: number[]; rssKb: number[]; anonKb: number[] };
  launches: LaunchFigures[];
}

/** The launch goal of issue 21: each launch within this factor of a bare `node -e 0`. */
export const LAUNCH_GOAL = 1.2;
/** The plan goal of issue 21: a plan of one key within this factor of a plan of one terraform_data. */
export const PLAN_GOAL = 5;

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
};

type Memory = { rssKb: number; anonKb: number };

/** VmRSS and RssAnon of `/proc/<pid>/status` text, in kB; NaN when absent. */
const memoryOf = (status: string): Memory => {
  const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssKb: field("VmRSS"), anonKb: field("RssAnon") };
};

/** The memory of a live process (Linux); NaN elsewhere. */
function memory(pid: number | undefined): Memory {
  try {
    return memoryOf(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return { rssKb: NaN, anonKb: NaN };
  }
}

/** A bare `node -e` that reports its own memory as it ends: the floor every launch is compared with. */
function bareNode(node = process.execPath): Promise<{ ms: number } & Memory> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(node, ["-e", "try { process.stdout.write(require('fs').readFileSync('/proc/self/status', 'utf8')) } catch {}"], { stdio: ["ignore", "pipe", "ignore"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.once("error", reject);
    child.once("exit", () => resolve({ ms: performance.now() - started, ...memoryOf(out) }));
  });
}

/** The launcher `palette-apikeys terraform-mirror` lays out from `repo`'s build, in `dir`. */
export function mirrorLauncher(repo: string, dir: string): string {
  execFileSync(process.execPath, [path.join(repo, "dist/cli/palette-apikeys.js"), "terraform-mirror", dir], { stdio: "ignore" });
  const find = (d: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? find(path.join(d, e.name)) : e.name.startsWith("terraform-provider-palette_v") ? [path.join(d, e.name)] : []));
  const [launcher] = find(dir);
  if (launcher === undefined) throw new Error(`terraform-mirror laid out no launcher in ${dir}`);
  return launcher;
}

function variants(builds: readonly Build[], dir: string): Variant[] {
  // The launcher finds `node` on PATH, as under Terraform; its code cache goes to the bench's directory.
  const env = { PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`, XDG_CACHE_HOME: path.join(dir, "cache") };
  const list: Variant[] = [];
  builds.forEach((b, i) => {
    const of = builds.length > 1 ? ` (${b.label})` : "";
    list.push({ label: `launcher from terraform-mirror${of}`, goal: i === 0, command: mirrorLauncher(b.repo, path.join(dir, `launch-mirror-${i}`)), args: [], env });
    const dist = path.join(b.repo, "dist/terraform");
    // The launcher's own command without its shell and `node --version` check: what those cost.
    list.push({ label: `\`node boot.js bundle.js\`${of}`, goal: false, command: process.execPath, args: [path.join(dist, "boot.js"), path.join(dist, "terraform-provider-palette.js")], env });
    list.push({ label: `\`node bundle.js\`${of}`, goal: false, command: process.execPath, args: [path.join(b.repo, "dist/terraform/terraform-provider-palette.js")], env });
    list.push({ label: `single executable (${b.sea.from})${of}`, goal: i === 0, command: b.sea.executable, args: [], env });
  });
  return list;
}

/** `runs` rounds; each launches every variant once (SIGTERM, awaited) and a bare node of each kind beside each. */
export async function measureStartup(builds: readonly Build[], embeddedNode: string, dir: string, runs = 10): Promise<StartupFigures> {
  const list = variants(builds, dir);
  const pluginEnv = terraformPluginEnv(selfSignedCertificate().certPem);
  const stop = async (p: LaunchedProvider): Promise<void> => {
    p.child.kill("SIGTERM");
    await p.exited;
  };
  const launch = (v: Variant): Promise<LaunchedProvider> => launchProvider(v.args, { ...pluginEnv, ...v.env }, 20_000, v.command);
  // One unmeasured round: it warms the file cache and writes each code cache.
  await bareNode();
  await bareNode(embeddedNode);
  for (const v of list) await stop(await launch(v));
  const version = execFileSync(embeddedNode, ["--version"], { encoding: "utf8" }).trim();
  const figures: StartupFigures = {
    runs,
    bare: { ms: [], rssKb: [], anonKb: [] },
    embedded: { version, ms: [], rssKb: [], anonKb: [] },
    launches: list.map((v) => ({ label: v.label, goal: v.goal, ms: [], ratios: [], embeddedRatios: [], rssKb: [], anonKb: [] })),
  };
  for (let i = 0; i < runs; i++) {
    for (const [j, v] of list.entries()) {
      const p = await launch(v);
      const mem = memory(p.child.pid);
      await stop(p);
      const bare = await bareNode();
      const embedded = await bareNode(embeddedNode);
      const f = figures.launches[j];
      f?.ms.push(p.startMs);
      f?.ratios.push(p.startMs / bare.ms);
      f?.embeddedRatios.push(p.startMs / embedded.ms);
      f?.rssKb.push(mem.rssKb);
      f?.anonKb.push(mem.anonKb);
      figures.bare.ms.push(bare.ms);
      figures.bare.rssKb.push(bare.rssKb);
      figures.bare.anonKb.push(bare.anonKb);
      figures.embedded.ms.push(embedded.ms);
      figures.embedded.rssKb.push(embedded.rssKb);
      figures.embedded.anonKb.push(embedded.anonKb);
    }
  }
  return figures;
}

const ms = (v: number): string => `${v.toFixed(0)} ms`;
const mb = (kb: number): string => (Number.isNaN(kb) ? "n/a" : `${(kb / 1024).toFixed(1)} MB`);

/** The header of `startupRows`' table. */
export function startupHeader(f: StartupFigures): string[] {
  return ["per launch", "to handshake (median)", "min / max", `ratio to bare node ${process.version} (median; goal <= ${LAUNCH_GOAL})`, `ratio to bare node ${f.embedded.version} (embedded)`, "RSS at handshake (median)", "of which its own (RssAnon)"];
}

export function startupRows(f: StartupFigures): string[][] {
  const spread = (xs: number[]): string => `${ms(Math.min(...xs))} / ${ms(Math.max(...xs))}`;
  const embeddedRatio = median(f.embedded.ms) / median(f.bare.ms);
  return [
    ...f.launches.map((l) => [l.label, ms(median(l.ms)), spread(l.ms), median(l.ratios).toFixed(2), median(l.embeddedRatios).toFixed(2), mb(median(l.rssKb)), mb(median(l.anonKb))]),
    [`bare \`node -e 0\`, ${process.version} (spawn to exit)`, ms(median(f.bare.ms)), spread(f.bare.ms), "1.00", (1 / embeddedRatio).toFixed(2), mb(median(f.bare.rssKb)), mb(median(f.bare.anonKb))],
    [`bare \`node -e 0\`, ${f.embedded.version}, the executable's runtime`, ms(median(f.embedded.ms)), spread(f.embedded.ms), embeddedRatio.toFixed(2), "1.00", mb(median(f.embedded.rssKb)), mb(median(f.embedded.anonKb))],
  ];
}

/** One goal row per launch of this checkout's build (and the executable): a baseline's are only printed. */
export function startupGoals(f: StartupFigures): GoalRow[] {
  return f.launches
    .filter((l) => l.goal)
    .map((l) => {
      const r = median(l.ratios);
      return {
        goal: `${l.label}: time to handshake / bare \`node -e 0\` (${process.version}) <= ${LAUNCH_GOAL}`,
        measured: `${ms(median(l.ms))}, RSS ${mb(median(l.rssKb))} (own ${mb(median(l.anonKb))}); ${median(l.embeddedRatios).toFixed(2)}x a bare ${f.embedded.version}`,
        ratio: r,
        pass: r <= LAUNCH_GOAL,
      };
    });
}
