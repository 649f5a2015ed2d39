import * as fs from "node:fs";
import type { Checkpoint } from "../../runner/state-file";

/** One dynamic resource of a runner state file, read raw (secrets stay encrypted: never decrypted here). */
export interface StateEntry {
  urn: string;
  name: string;
  id: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown>;
  initErrors?: string[];
  pendingDelete?: boolean;
  pendingReplacement?: boolean;
}

/** The checkpoint in `stateFile`, as written. */
export function readCheckpoint(stateFile: string): Checkpoint {
  return JSON.parse(fs.readFileSync(stateFile, "utf8")) as Checkpoint;
}

/** The dynamic resources of the checkpoint in `stateFile`, in its order (the checkpoint's `delete` is `pendingDelete`). */
export function dynamicResources(stateFile: string): StateEntry[] {
  return readCheckpoint(stateFile)
    .deployment.resources.filter((r) => r.custom && r.type.startsWith("pulumi-nodejs:dynamic"))
    .map((r) => ({
      urn: r.urn,
      name: r.urn.split("::").slice(3).join("::"),
      id: r.id ?? "",
      inputs: r.inputs ?? {},
      outputs: r.outputs ?? {},
      ...(r.initErrors ? { initErrors: r.initErrors } : {}),
      ...(r.delete ? { pendingDelete: true } : {}),
      ...(r.pendingReplacement ? { pendingReplacement: true } : {}),
    }));
}
