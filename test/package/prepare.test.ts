/**
 * scripts/prepare.mjs, npm's `prepare` hook, run as npm runs it (cwd = the package, npm_command and
 * INIT_CWD set) in a scratch package whose `build` only leaves a mark: it skips `npm ci` started in the
 * package itself, and otherwise empties dist/ and builds. (test/package/pack.test.ts packs the real
 * package through it from a checkout without dist/.)
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const SCRIPT = path.resolve(__dirname, "../../scripts/prepare.mjs");

let pkg: string;
let elsewhere: string;

beforeEach(() => {
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "prepare-test-")));
  pkg = path.join(tmp, "pkg");
  elsewhere = path.join(tmp, "consumer-project");
  fs.mkdirSync(path.join(pkg, "dist"), { recursive: true });
  fs.mkdirSync(elsewhere);
  fs.writeFileSync(path.join(pkg, "dist", "stale.js"), "left over from a deleted module\n");
  const build = `node -e "require('fs').mkdirSync('dist',{recursive:true});require('fs').writeFileSync('dist/built.js','')"`;
  fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "scratch", version: "1.0.0", scripts: { build } }));
});
afterEach(() => fs.rmSync(path.dirname(pkg), { recursive: true, force: true }));

const prepare = (command: string, initCwd: string) =>
  run(process.execPath, [SCRIPT], { cwd: pkg, env: { ...process.env, npm_command: command, INIT_CWD: initCwd } });
const dist = () => fs.readdirSync(path.join(pkg, "dist")).sort();

it("npm ci in the checkout itself: skipped, dist/ untouched (npm test builds)", async () => {
  const { stdout } = await prepare("ci", pkg);
  expect(stdout).toContain("not built by `npm ci`");
  expect(dist()).toEqual(["stale.js"]);
});

it.each([
  ["npm pack in the checkout", "pack", () => pkg],
  ["npm install in the checkout", "install", () => pkg],
  ["npm ci of a project that has this package as a git dependency", "ci", () => elsewhere],
])("%s: a fresh build, the stale output gone", async (_label, command, initCwd) => {
  await prepare(command, initCwd());
  expect(dist()).toEqual(["built.js"]);
}, 60_000);
