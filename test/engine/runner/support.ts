/**
 * What this folder's native-plugin suites share: a throwaway Pulumi project whose `Pulumi.yaml` names
 * the built plugin under `plugins.providers` (as a user's project may), so the runner finds
 * `pulumi-resource-palette` the way the engine does, and a check that the build is there.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { secretConfig } from "../../../runner/provider-client";
import type { RunOptions } from "../../../runner/offline-engine";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";

export const REPO = path.resolve(__dirname, "../../..");
/** The plugin the package's bin `pulumi-resource-palette` runs. */
export const PLUGIN = path.join(REPO, "dist/provider/native/main.js");

/** The project `nativeProject` names in its `Pulumi.yaml`, and the stack the suites run. */
export const NATIVE_PROJECT = "native-test";
export const NATIVE_STACK = "dev";

/**
 * A project directory (`Pulumi.yaml` with `plugins.providers: [{name: palette, path: ./plugins}]` and
 * `plugins/pulumi-resource-palette` linked to the built plugin) and a state file in it; removed by
 * the returned `remove`.
 */
export function nativeProject(prefix: string): { dir: string; stateFile: string; remove(): void } {
  if (!fs.existsSync(PLUGIN)) throw new Error(`${PLUGIN} is missing: run \`npm run build\` before the engine tests`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.mkdirSync(path.join(dir, "plugins"));
  fs.symlinkSync(PLUGIN, path.join(dir, "plugins", "pulumi-resource-palette"));
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    [`name: ${NATIVE_PROJECT}`, "runtime: nodejs", "plugins:", "  providers:", "    - name: palette", "      path: ./plugins", ""].join("\n"),
  );
  return { dir, stateFile: path.join(dir, "dev.json"), remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** The resources of a state file (a checkpoint), as stored: secrets still encrypted. */
export function checkpointResources(stateFile: string): { urn: string; type: string; id?: string; provider?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown>; importID?: string }[] {
  return (JSON.parse(fs.readFileSync(stateFile, "utf8")) as { deployment: { resources: ReturnType<typeof checkpointResources> } }).deployment.resources;
}

/**
 * What every run of a native suite shares: the project and its stack, the stack's `palette:` config
 * (the host, and the API key as a secret), no SPECTROCLOUD_* from the environment, and the lines the
 * runner prints and the plugins write collected in `out`.
 */
export function nativeRunOptions(
  project: { dir: string; stateFile: string },
  settings: { host: string; apiKey: string; passphrase: string },
  out: { printed: string[]; pluginOutput: string[] },
): Omit<RunOptions, "operation" | "program"> {
  return {
    projectDir: project.dir,
    stateFile: project.stateFile,
    project: NATIVE_PROJECT,
    stack: NATIVE_STACK,
    config: { "palette:host": settings.host, "palette:apiKey": secretConfig(settings.apiKey) },
    env: NO_ENV_CREDENTIALS,
    passphrase: settings.passphrase,
    log: (line) => out.printed.push(line),
    providerOutput: (text) => out.pluginOutput.push(text),
  };
}
