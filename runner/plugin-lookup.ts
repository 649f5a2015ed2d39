/**
 * Where the plugin of a package is, found as the engine finds it (sdk/go/common/workspace/plugins.go
 * `getPluginInfoAndPath`): first a project plugin, `plugins.providers[]` of `Pulumi.yaml` (`name`,
 * `path`: the directory that holds `pulumi-resource-<name>`, relative to the project), then
 * `pulumi-resource-<name>` on `PATH` (the engine's "ambient" plugins). Where the CLI would then look
 * in its plugin cache (`~/.pulumi/plugins`, filled by `pulumi plugin install`), the runner looks in
 * the project's `node_modules/.bin`, where npm links the bin of an installed package.
 */
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";

// js-yaml is @pulumi/pulumi's dependency (it reads Pulumi.yaml too), not ours.
const yaml = createRequire(require.resolve("@pulumi/pulumi"))("js-yaml") as { load(text: string): unknown };

/** Where a plugin was found, and by which rule (for messages). */
export interface PluginLocation {
  path: string;
  source: "Pulumi.yaml plugins.providers" | "PATH" | "node_modules/.bin";
}

/**
 * The plugin executable for package `pkg`, or an error saying where it was looked for and how to
 * provide it.
 */
export function findProviderPlugin(pkg: string, projectDir: string, envPath: string | undefined): PluginLocation {
  const file = `pulumi-resource-${pkg}`;
  const project = projectPlugin(pkg, projectDir);
  if (project !== undefined) {
    const candidate = path.join(project, file);
    if (!isExecutable(candidate)) throw new Error(`Pulumi.yaml plugins.providers names ${pkg} at ${project}, but ${candidate} is not an executable file`);
    return { path: candidate, source: "Pulumi.yaml plugins.providers" };
  }
  for (const dir of (envPath ?? "").split(path.delimiter).filter((d) => d !== "")) {
    const candidate = path.join(dir, file);
    if (isExecutable(candidate)) return { path: candidate, source: "PATH" };
  }
  const bin = path.join(projectDir, "node_modules", ".bin", file);
  if (isExecutable(bin)) return { path: bin, source: "node_modules/.bin" };
  throw new Error(
    `no plugin for package "${pkg}": ${file} is neither under a Pulumi.yaml plugins.providers path, nor on PATH, nor in ${path.dirname(bin)}. ` +
      `Install the package that ships it (npm install), or name its directory in Pulumi.yaml (plugins: providers: [{name: ${pkg}, path: <dir>}])`,
  );
}

/** The directory `Pulumi.yaml` names for `pkg` under `plugins.providers`, absolute. */
function projectPlugin(pkg: string, projectDir: string): string | undefined {
  const file = ["Pulumi.yaml", "Pulumi.yml"].map((f) => path.join(projectDir, f)).find((f) => fs.existsSync(f));
  if (file === undefined) return undefined;
  const doc = yaml.load(fs.readFileSync(file, "utf8")) as { plugins?: { providers?: { name?: unknown; path?: unknown }[] } } | null;
  const entry = doc?.plugins?.providers?.find((p) => p.name === pkg);
  if (entry === undefined) return undefined;
  if (typeof entry.path !== "string") throw new Error(`${file}: plugins.providers entry ${pkg} has no path`);
  return path.resolve(projectDir, entry.path);
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
