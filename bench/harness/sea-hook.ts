/**
 * HOOK for the single executable (issue 21, part 1, built by `palette-apikeys terraform-release` in
 * cli/release/, which this branch does not have yet). The start-up bench measures it beside the
 * launcher when one of these finds it:
 * - PALETTE_BENCH_SEA=<path of an executable>, or
 * - an executable named terraform-provider-palette_v<version> under dist/release/ (an unpacked
 *   release for this machine's platform).
 * Once the release's build function exists, call it here (into the bench's temporary directory)
 * so that every bench run measures a fresh executable.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface SeaExecutable {
  path: string;
  /** Where it was found, for the table. */
  from: string;
}

function executablesUnder(dir: string, depth = 4): string[] {
  if (depth < 0 || !fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const file = path.join(dir, e.name);
    if (e.isDirectory()) return executablesUnder(file, depth - 1);
    return e.isFile() && /^terraform-provider-palette_v[^/]*$/.test(e.name) && !e.name.endsWith(".zip") && (fs.statSync(file).mode & 0o111) !== 0 ? [file] : [];
  });
}

export function seaExecutable(repo: string, env: Readonly<Record<string, string | undefined>> = process.env): SeaExecutable | undefined {
  const given = env.PALETTE_BENCH_SEA;
  if (given !== undefined && given !== "") return { path: path.resolve(given), from: "PALETTE_BENCH_SEA" };
  const [found] = executablesUnder(path.join(repo, "dist/release")).filter((f) => f.includes(`${process.platform}_`) || !/(linux|darwin|windows)_/.test(f));
  return found !== undefined ? { path: found, from: path.relative(repo, found) } : undefined;
}
