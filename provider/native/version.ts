/**
 * The package's version, which is the plugin's (GetPluginInfo) and the schema's: read from the
 * package.json above this module, from the sources (provider/native) and the build (dist/provider/native) alike.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const PACKAGE = "pulumi-palette-apikeys";

let version: string | undefined;

export function packageVersion(): string {
  if (version !== undefined) return version;
  for (let dir = __dirname, up = ""; dir !== up; up = dir, dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (!fs.existsSync(manifest)) continue;
    const parsed = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: unknown; version?: unknown };
    if (parsed.name === PACKAGE && typeof parsed.version === "string") return (version = parsed.version);
  }
  throw new Error(`${PACKAGE}: no package.json of ${PACKAGE} above ${__dirname}: the plugin runs from the installed package (or a checkout's build)`);
}
