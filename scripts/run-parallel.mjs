// `npm test`'s checks before jest: `npm run lint`, `npm run typecheck` and `npm run build` at the same
// time instead of one after the other. Each is one single-threaded process (eslint, tsc, tsc + esbuild)
// that shares nothing with the others: eslint ignores dist/, and typecheck does not emit and excludes
// dist/. On 2 cores that is about 17 s of wall time instead of 31 s. Each script's output is held
// back and printed whole when it ends, so logs never interleave; the exit code is non-zero when any
// failed, and every one runs to its end either way, so one run reports every failing check.
//
// Usage: node scripts/run-parallel.mjs SCRIPT...   (npm script names of this package)
import { spawn } from "node:child_process";

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  console.error("usage: node scripts/run-parallel.mjs SCRIPT...");
  process.exit(2);
}
// Under `npm run`, npm_execpath is npm's own CLI: the same npm runs each script.
const npm = process.env.npm_execpath;

const runs = scripts.map(
  (script) =>
    new Promise((resolve) => {
      const started = Date.now();
      const child = npm
        ? spawn(process.execPath, [npm, "run", script], { stdio: ["ignore", "pipe", "pipe"] })
        : spawn("npm", ["run", script], { stdio: ["ignore", "pipe", "pipe"], shell: process.platform === "win32" });
      const chunks = [];
      child.stdout.on("data", (c) => chunks.push(c));
      child.stderr.on("data", (c) => chunks.push(c));
      let ended = false;
      const done = (code, error) => {
        if (ended) return;
        ended = true;
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        process.stdout.write(Buffer.concat(chunks));
        if (error) process.stdout.write(`${error.message}\n`);
        console.log(`--- npm run ${script}: ${code === 0 ? "passed" : `FAILED (exit ${code})`} in ${seconds} s\n`);
        resolve(code === 0);
      };
      child.once("error", (e) => done(-1, e));
      child.once("close", (code, signal) => done(code ?? (signal ? `signal ${signal}` : -1)));
    }),
);

const results = await Promise.all(runs);
const failed = scripts.filter((_, i) => !results[i]);
if (failed.length > 0) {
  console.error(`failed: ${failed.map((s) => `npm run ${s}`).join(", ")}`);
  process.exit(1);
}
