/**
 * Nothing half-written: a command builds its output in a staging directory beside the target and
 * renames it into place only when everything is written. The target must be absent or empty.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../io";

/** Throws UsageError when `dir` exists and is not an empty directory. */
export function checkTarget(dir: string): void {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return;
    if (code === "ENOTDIR") throw new UsageError(`${dir} is a file: give a new or empty directory`);
    throw e;
  }
  if (entries.length > 0) throw new UsageError(`${dir} is not empty: give a new or empty directory (a release is never written over another)`);
}

/** Runs `write` on a fresh staging directory and moves it to `dir`; on failure the staging directory goes and `dir` is untouched. */
export async function writeStaged<T>(dir: string, write: (staging: string) => Promise<T>): Promise<T> {
  checkTarget(dir);
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(dir), `.${path.basename(dir)}.partial-`));
  // mkdtemp makes it 0700; the output is for a web server to read.
  fs.chmodSync(staging, 0o755);
  try {
    const result = await write(staging);
    checkTarget(dir);
    if (fs.existsSync(dir)) fs.rmdirSync(dir);
    fs.renameSync(staging, dir);
    return result;
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
