/**
 * For tests that run `dist/` as users do: dist must be built from the sources as they are now. A
 * test that only checks that dist exists passes against a build of last week's code.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "../..");

function sourcesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourcesUnder(path.join(dir, e.name)) : e.name.endsWith(".ts") && !e.name.endsWith(".d.ts") ? [path.join(dir, e.name)] : []));
}

/**
 * The sources under `dirs` (relative to `root`, the repository by default) whose compiled
 * `dist/<same path>.js` is missing or older than the source, as paths relative to `root`.
 */
export function staleBuildOutputs(dirs: readonly string[], root: string = REPO): string[] {
  const stale: string[] = [];
  for (const dir of dirs) {
    for (const source of sourcesUnder(path.join(root, dir))) {
      const relative = path.relative(root, source);
      const built = path.join(root, "dist", relative.replace(/\.ts$/, ".js"));
      if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < fs.statSync(source).mtimeMs) stale.push(relative);
    }
  }
  return stale;
}

/** Throws, naming a few of them, when any of those sources is newer than its build. */
export function requireFreshBuild(dirs: readonly string[]): void {
  const stale = staleBuildOutputs(dirs);
  if (stale.length === 0) return;
  const named = stale.slice(0, 5).join(", ") + (stale.length > 5 ? ` and ${stale.length - 5} more` : "");
  throw new Error(`dist/ is older than the sources this test runs (${named}): run \`npm run build\` first`);
}
