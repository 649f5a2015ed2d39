/**
 * The offline runner's state file in the shape of `pulumi stack export` (a version 3 deployment),
 * so tools written for Pulumi's checkpoints (the `palette-apikeys audit` among them) read the
 * runner's stacks too. Secret properties stay the secret envelopes the file already holds
 * (ciphertext only), so the export needs no passphrase and never carries a key value in clear.
 */
import * as fs from "node:fs";
import type { PropertyMap } from "./engine-host";

export interface ExportedResource {
  urn: string;
  custom: true;
  id: string;
  type: string;
  inputs: PropertyMap;
  outputs: PropertyMap;
}

export interface StackExport {
  version: 3;
  deployment: { manifest: { time: string; magic: string; version: string }; resources: ExportedResource[] };
}

interface RawStateFile {
  version: number;
  resources: { urn: string; type: string; id: string; inputs: PropertyMap; outputs: PropertyMap; pendingReplacement?: boolean }[];
}

/** Reads `stateFile` (written by runProgram) and returns it as `pulumi stack export` would print it. */
export function exportStack(stateFile: string, now: Date = new Date()): StackExport {
  const raw = JSON.parse(fs.readFileSync(stateFile, "utf8")) as RawStateFile;
  if (raw.version !== 1) throw new Error(`${stateFile}: unsupported version ${String(raw.version)}`);
  return {
    version: 3,
    deployment: {
      manifest: { time: now.toISOString(), magic: "", version: "offline-runner" },
      // A pending replacement is already deleted: Pulumi's export would not list it as live either.
      resources: raw.resources
        .filter((r) => r.pendingReplacement !== true)
        .map((r) => ({ urn: r.urn, custom: true, id: r.id, type: r.type, inputs: r.inputs, outputs: r.outputs })),
    },
  };
}
