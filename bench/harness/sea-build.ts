/**
 * The single executable users run, for the start-up bench: a checkout's built
 * `palette-apikeys terraform-release` makes this machine's release zip (as a registry serves it),
 * and the executable is taken out of it. `embeddedNode` writes the pinned Node.js it embeds, so the
 * bench can time a bare `node -e 0` of that same runtime. `PALETTE_BENCH_SEA=<executable>` measures
 * a given executable instead of this checkout's (no plan through a mirror then: there is no zip).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { inflateRawSync } from "node:zlib";
import { nodeBinary } from "../../cli/release/node-dist";
import { hostPlatform, NODE_VERSION } from "../../cli/release/platforms";

export interface SeaBuild {
  executable: string;
  /** The release zip it came from, for a filesystem mirror; absent when given by PALETTE_BENCH_SEA. */
  zip?: string;
  /** Where it came from, for the tables. */
  from: string;
}

/** The first entry of a zip as the release writes it (deflated, sizes in the local header). */
function firstEntry(zip: Buffer): Buffer {
  if (zip.readUInt32LE(0) !== 0x04034b50) throw new Error("not a zip");
  const start = 30 + zip.readUInt16LE(26) + zip.readUInt16LE(28);
  return inflateRawSync(zip.subarray(start, start + zip.readUInt32LE(18)));
}

function host() {
  const platform = hostPlatform();
  if (platform === undefined) throw new Error(`no single executable for ${process.platform}-${process.arch}`);
  return platform;
}

/** The `node` of the version the executables embed, written into `dir`. */
export async function embeddedNode(dir: string): Promise<string> {
  const file = path.join(dir, `node-${NODE_VERSION}${host().suffix}`);
  fs.writeFileSync(file, await nodeBinary(host(), NODE_VERSION), { mode: 0o755 });
  return file;
}

/** The executable of `repo`'s release for this machine, built in `dir` (`given`: one built elsewhere). */
export function buildSea(repo: string, dir: string, given?: string): SeaBuild {
  if (given !== undefined && given !== "") return { executable: path.resolve(given), from: "PALETTE_BENCH_SEA" };
  const release = path.join(dir, "release");
  execFileSync(process.execPath, [path.join(repo, "dist/cli/palette-apikeys.js"), "terraform-release", release, "--platforms", host().name], { stdio: ["ignore", "ignore", "inherit"] });
  const zip = fs.readdirSync(release).find((f) => f.endsWith(".zip"));
  if (zip === undefined) throw new Error("terraform-release wrote no zip");
  const executable = path.join(dir, "sea", zip.replace(/\.zip$/, ""));
  fs.mkdirSync(path.dirname(executable), { recursive: true });
  fs.writeFileSync(executable, firstEntry(fs.readFileSync(path.join(release, zip))), { mode: 0o755 });
  return { executable, zip: path.join(release, zip), from: `terraform-release ${host().name}` };
}
