/**
 * The provider as a Node.js single executable application: a small main script (the boot,
 * provider/terraform/sea-main.ts) and the provider's files as assets, turned into a SEA blob by the
 * pinned Node.js itself (`--experimental-sea-config`), injected with postject's library API into a
 * copy of the target platform's node binary.
 *
 * - `execArgvExtension: "none"`: the executable ignores NODE_OPTIONS (a bad value would otherwise
 *   crash it before the provider runs; Terraform passes its own environment on).
 * - `useCodeCache` off, on every platform: V8 writes the cache differently on every build (5 builds
 *   of one blob by one node, 5 different hashes; `--hash-seed` makes them equal, but then the
 *   executable rejects the cache unless it runs with that fixed hash seed too), and the same inputs
 *   must give the same zip. The boot runs the assets through a per-user code cache instead
 *   (provider/tfplugin6/boot.ts), which works for every platform, cross-built ones included.
 * - `useSnapshot` off: Node 24.21's snapshot builder aborts (CheckGlobalAndEternalHandles) once
 *   `node:http2` is loaded, which grpc-js does at its top level; and a snapshot ties the blob to the
 *   building platform.
 * - The blob records the `main` and asset paths it was given: relative ones, so the bytes do not
 *   depend on the directory the release was built in.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** The fuse node checks to find an injected blob (doc/api/single-executable-applications.md). */
export const SEA_FUSE = "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2";
const MAIN = "sea-boot.cjs";

/** What goes into the executable: its main script, and the files it reads as assets (by their base names). */
export interface SeaInput {
  main: string;
  assets: readonly string[];
}

/**
 * The SEA blob of `input`, made by `generator` (a node binary of the same version as the targets,
 * runnable here) in `workDir`.
 */
export function seaBlob(input: SeaInput, generator: string, workDir: string): Buffer {
  fs.mkdirSync(path.join(workDir, "assets"), { recursive: true });
  fs.copyFileSync(input.main, path.join(workDir, MAIN));
  const assets: Record<string, string> = {};
  for (const file of input.assets) {
    const name = path.basename(file);
    fs.copyFileSync(file, path.join(workDir, "assets", name));
    assets[name] = `assets/${name}`;
  }
  const config = { main: MAIN, output: "sea-prep.blob", disableExperimentalSEAWarning: true, useCodeCache: false, useSnapshot: false, execArgvExtension: "none", assets };
  fs.writeFileSync(path.join(workDir, "sea-config.json"), JSON.stringify(config));
  // No NODE_OPTIONS of the user's reaches the generator either.
  execFileSync(generator, ["--experimental-sea-config", "sea-config.json"], { cwd: workDir, env: { PATH: process.env.PATH ?? "" }, stdio: ["ignore", "ignore", "pipe"] });
  return fs.readFileSync(path.join(workDir, "sea-prep.blob"));
}

/** Writes `out`: `nodeBinary` with `blob` injected, mode 0755. */
export async function writeSea(nodeBinary: Buffer, blob: Buffer, out: string): Promise<void> {
  fs.writeFileSync(out, nodeBinary, { mode: 0o755 });
  fs.chmodSync(out, 0o755);
  // LIEF, inside postject, warns through console.warn about ELF note names it cannot map; they are harmless and not ours to show.
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(" "));
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- postject's 4.8 MB module loads only when a release is built, not with every palette-apikeys command
    const { inject } = require("postject") as typeof import("postject");
    await inject(out, "NODE_SEA_BLOB", blob, { sentinelFuse: SEA_FUSE });
  } catch (e) {
    throw new Error(`postject could not inject the provider into ${path.basename(out)}: ${e instanceof Error ? e.message : String(e)}${warnings.length > 0 ? ` (${warnings.join("; ")})` : ""}`);
  } finally {
    console.warn = warn;
  }
}
