/**
 * The single executable's start-up, for `npm run bench` (`--only=sea-start`): the built
 * `palette-apikeys terraform-release` makes this machine's zip, and the executable in it is timed
 * to its handshake line against the same bundle run by this machine's `node` and against bare
 * `node -e 0`. Alternating, so load on the machine hits each alike.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { inflateRawSync } from "node:zlib";
import { selfSignedCertificate } from "../../provider/tfplugin6/plugin/certificate";
import { parseHandshake, terraformPluginEnv } from "./terraform";

export interface SeaStartFigures {
  runs: number;
  /** Medians, ms. */
  seaMs: number;
  bundleMs: number;
  bareMs: number;
  seaMinMs: number;
  seaMaxMs: number;
  /** Median of per-round ratios SEA / bare `node -e 0` (this machine's node). */
  seaToBare: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

/** ms from spawn to the first stdout line (a provider's handshake, checked), or to exit for a process that prints nothing. */
function timeToLine(file: string, args: readonly string[], env: NodeJS.ProcessEnv, handshake: boolean): Promise<number> {
  const started = performance.now();
  const child = spawn(file, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const end = out.indexOf("\n");
      if (end < 0 || !handshake) return;
      const ms = performance.now() - started;
      parseHandshake(out.slice(0, end));
      child.once("exit", () => resolve(ms));
      child.kill("SIGTERM");
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (!handshake) resolve(performance.now() - started);
      else if (out.indexOf("\n") < 0) reject(new Error(`${file} exited ${code} before its handshake: ${stderr}`));
    });
  });
}

/** The first entry of a zip as the release writes it (deflated, sizes in the local header). */
function firstEntry(zip: Buffer): Buffer {
  if (zip.readUInt32LE(0) !== 0x04034b50) throw new Error("not a zip");
  const start = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
  return inflateRawSync(zip.subarray(start, start + zip.readUInt32LE(18)));
}

/** Builds this machine's release zip with the built CLI in `dir`, and times the executable in it. */
export async function measureSeaStart(repo: string, dir: string, runs = 10): Promise<SeaStartFigures> {
  const arch = { x64: "amd64", arm64: "arm64" }[process.arch as string];
  if (process.platform !== "linux" || arch === undefined) throw new Error(`no single-executable bench on ${process.platform}-${process.arch}`);
  const bundle = path.join(repo, "dist/terraform/terraform-provider-palette.js");
  const release = path.join(dir, "release");
  execFileSync(process.execPath, [path.join(repo, "dist/cli/palette-apikeys.js"), "terraform-release", release, "--platforms", `linux_${arch}`], { stdio: ["ignore", "ignore", "inherit"] });
  const zip = fs.readdirSync(release).find((f) => f.endsWith(".zip"));
  if (zip === undefined) throw new Error("terraform-release wrote no zip");
  const sea = path.join(dir, "terraform-provider-palette-sea");
  fs.writeFileSync(sea, firstEntry(fs.readFileSync(path.join(release, zip))), { mode: 0o755 });

  const env = { ...process.env, ...terraformPluginEnv(selfSignedCertificate().certPem) };
  const rounds = { sea: [] as number[], bundle: [] as number[], bare: [] as number[], ratio: [] as number[] };
  await timeToLine(sea, [], env, true); // warms the file cache
  for (let i = 0; i < runs; i++) {
    const s = await timeToLine(sea, [], env, true);
    rounds.sea.push(s);
    rounds.bundle.push(await timeToLine(process.execPath, [bundle], env, true));
    const bare = await timeToLine(process.execPath, ["-e", "0"], env, false);
    rounds.bare.push(bare);
    rounds.ratio.push(s / bare);
  }
  return {
    runs,
    seaMs: median(rounds.sea),
    bundleMs: median(rounds.bundle),
    bareMs: median(rounds.bare),
    seaMinMs: Math.min(...rounds.sea),
    seaMaxMs: Math.max(...rounds.sea),
    seaToBare: median(rounds.ratio),
  };
}

/** The figures as table rows: [label, value]. */
export function seaStartRows(f: SeaStartFigures): string[][] {
  const ms = (v: number): string => `${v.toFixed(0)} ms`;
  return [
    ["single executable from terraform-release: time to handshake (median)", ms(f.seaMs)],
    ["  min / max", `${ms(f.seaMinMs)} / ${ms(f.seaMaxMs)}`],
    [`the same bundle under this machine's node ${process.version}`, ms(f.bundleMs)],
    [`bare \`node -e 0\`, ${process.version}`, ms(f.bareMs)],
    ["median ratio single executable / bare node (goal: at most 1.2)", f.seaToBare.toFixed(2)],
  ];
}
