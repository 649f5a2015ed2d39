/**
 * Tests that run dist/ (a runner or a CLI in a process of its own) must not pass against an old
 * build: they refuse to run when a source file is newer than what it compiles to, or was never built.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "../..");

/** The `.ts` files under `dirs` (repository-relative) whose `dist/` output is missing or older than them. */
export function staleOutputs(dirs: readonly string[]): string[] {
  const stale: string[] = [];
  const visit = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(REPO, rel), { withFileTypes: true })) {
      const file = path.join(rel, entry.name);
      if (entry.isDirectory()) visit(file);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        const out = path.join(REPO, "dist", file.replace(/\.ts$/, ".js"));
        if (!fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(path.join(REPO, file)).mtimeMs) stale.push(file);
      }
    }
  };
  for (const dir of dirs) visit(dir);
  return stale;
}

/** Throws, naming the files, unless dist/ is built from the sources under `dirs` as they are now. */
export function requireFreshBuild(dirs: readonly string[]): void {
  const stale = staleOutputs(dirs);
  if (stale.length > 0)
    throw new Error(`run \`npm run build\` first: this test runs dist/, which is older than ${stale.slice(0, 5).join(", ")}${stale.length > 5 ? ` and ${stale.length - 5} more` : ""}`);
}
