/**
 * scripts/bin-mode.mjs, the last step of `npm run build`, in a scratch package whose bins tsc-like
 * output left at 0644. (test/integration/emulator/cli-process.test.ts runs the real built bin directly.)
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const SCRIPT = path.resolve(__dirname, "../../scripts/bin-mode.mjs");
const REPO_PACKAGE = path.resolve(__dirname, "../../package.json");

let pkg: string;
beforeEach(() => {
  pkg = fs.mkdtempSync(path.join(os.tmpdir(), "bin-mode-test-"));
  fs.mkdirSync(path.join(pkg, "dist"));
});
afterEach(() => fs.rmSync(pkg, { recursive: true, force: true }));

const writePackage = (bin: unknown) => fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "scratch", bin }));
const mode = (file: string) => fs.statSync(path.join(pkg, file)).mode & 0o777;

it("sets the run bit on every bin, as far as each may be read, and leaves other files alone", async () => {
  for (const [file, m] of [
    ["dist/a.js", 0o644],
    ["dist/b.js", 0o600],
    ["dist/other.js", 0o644],
  ] as const) {
    fs.writeFileSync(path.join(pkg, file), "#!/usr/bin/env node\n");
    fs.chmodSync(path.join(pkg, file), m);
  }
  writePackage({ a: "dist/a.js", b: "dist/b.js" });
  await run(process.execPath, [SCRIPT], { cwd: pkg });
  expect([mode("dist/a.js"), mode("dist/b.js"), mode("dist/other.js")]).toEqual([0o755, 0o700, 0o644]);
});

it("fails, naming it, when a bin was not built", async () => {
  writePackage({ gone: "dist/gone.js" });
  await expect(run(process.execPath, [SCRIPT], { cwd: pkg })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("dist/gone.js") });
});

it("is the last step of this package's build, after everything that writes dist/", () => {
  const { scripts } = JSON.parse(fs.readFileSync(REPO_PACKAGE, "utf8")) as { scripts: Record<string, string> };
  expect(scripts.build?.split("&&").map((s) => s.trim()).at(-1)).toBe("node scripts/bin-mode.mjs");
});
