// npm's `prepare` hook: builds dist/ from scratch, so that what npm packs always carries a fresh build.
//
// npm runs `prepare` for `npm pack` / `npm publish` (the tarball must hold dist/, which git does not),
// for `npm install <git url>` (npm clones, installs the devDependencies, runs `prepare`, packs; npm
// runs no `prepack` there, so `prepare` is the only hook a git install honours), and for a plain
// `npm install` in a checkout. It also runs for `npm ci` in a checkout, which is what CI and the
// README's development steps do: there it is skipped, because `npm test`, `npm run demo` and every
// other script that needs dist/ build it themselves, and building twice would add a build to each run.
// A dependency installed by `npm ci` in ANOTHER project (a git dependency) is still built: its
// `prepare` runs in npm's clone of it, not in the directory `npm ci` was started from.
import { spawnSync } from "node:child_process";
import { realpathSync, rmSync } from "node:fs";

const here = realpathSync(process.cwd());
const startedHere = process.env.INIT_CWD !== undefined && realpathSync(process.env.INIT_CWD) === here;
if (process.env.npm_command === "ci" && startedHere) {
  console.log("prepare: dist/ not built by `npm ci` in this checkout (`npm run build` builds it; `npm test` does).");
  process.exit(0);
}

// A fresh dist/: tsc never deletes the output of a module that no longer exists.
rmSync("dist", { recursive: true, force: true });
const npm = process.env.npm_execpath;
const result = npm
  ? spawnSync(process.execPath, [npm, "run", "build"], { stdio: "inherit" })
  : spawnSync("npm", ["run", "build"], { stdio: "inherit", shell: process.platform === "win32" });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
