import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import type { EmulatorOptions } from "../../emulator/options";

/**
 * Two emulators started from copies of one state file, in `dir`: one tenant uid, one set of
 * credentials, two hosts, and keys made on one never seen by the other. What a staging Palette
 * restored from prod's backup looks like to the tenant guard.
 */
export async function startClones(dir: string, options: EmulatorOptions = {}): Promise<[RunningEmulator, RunningEmulator]> {
  const seed = path.join(dir, "clone-seed.json");
  const first = await startEmulator({ ...options, port: 0, statePath: seed });
  // The state file keeps credentials as hashes only: the clones are given the values, so the tests
  // hold them (a clone started without them would accept them but could not say what they are).
  const credentials = { adminKey: first.accounts.admin.apiKey, userKey: first.accounts.users[0]?.apiKey ?? "", password: first.accounts.admin.password, controlToken: first.controlToken };
  await first.close();
  const start = (copy: string): Promise<RunningEmulator> => {
    const file = path.join(dir, `clone-${copy}.json`);
    fs.copyFileSync(seed, file);
    return startEmulator({ ...options, ...credentials, port: 0, statePath: file });
  };
  const [a, b] = await Promise.allSettled([start("a"), start("b")]);
  if (a.status === "fulfilled" && b.status === "fulfilled") return [a.value, b.value];
  // Leave no emulator listening when its twin failed to start.
  await Promise.all([a, b].map((r) => (r.status === "fulfilled" ? r.value.close() : undefined)));
  throw a.status === "rejected" ? a.reason : (b as PromiseRejectedResult).reason;
}
