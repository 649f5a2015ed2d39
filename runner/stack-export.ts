/**
 * `pulumi stack export` for the offline runner's state file. The file already is a version 3
 * checkpoint (`state-file.ts`), so tools written for Pulumi's checkpoints (the `palette-apikeys
 * audit` among them) read it as it is; the export only stamps the time and leaves out pending
 * replacements. Secret properties stay the secret envelopes the file holds (ciphertext only), so the
 * export needs no passphrase and never carries a key value in clear.
 */
import * as fs from "node:fs";
import type { Checkpoint, CheckpointResource } from "./state-file";

export type ExportedResource = CheckpointResource;
export type StackExport = Checkpoint;

/** Reads `stateFile` (written by runProgram) and returns it as `pulumi stack export` would print it. */
export function exportStack(stateFile: string, now: Date = new Date()): StackExport {
  const raw = JSON.parse(fs.readFileSync(stateFile, "utf8")) as Partial<Checkpoint> & { version?: unknown };
  if (raw.version !== 3 || !raw.deployment) throw new Error(`${stateFile}: not a version 3 checkpoint (version ${String(raw.version)})`);
  return {
    version: 3,
    deployment: {
      ...raw.deployment,
      manifest: { ...raw.deployment.manifest, time: now.toISOString() },
      // A pending replacement is already deleted: a key it names is no longer live.
      resources: raw.deployment.resources.filter((r) => r.pendingReplacement !== true),
    },
  };
}
