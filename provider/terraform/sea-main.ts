/**
 * The main script of the single executable `palette-apikeys terraform-release` builds
 * (dist/terraform/sea-boot.js; cli/release/sea.ts): the provider's bundle, the SDK chunk and OpenPGP
 * are the executable's assets, under the names the mirror ships them with, and run through the
 * per-user V8 code cache of provider/tfplugin6/boot.ts as the launcher's boot does. The blob's own
 * code cache (`useCodeCache`) is off: V8 writes it differently on every build, and the release's
 * zip must be the same bytes for the same inputs; this cache also holds the functions a run compiled
 * lazily, which the blob's cannot.
 *
 * A single executable's require() reaches only built-ins, and so does every chunk's here: a file
 * beside the executable is never loaded.
 */
import { isBuiltin } from "node:module";
import { getAsset } from "node:sea";
import { bootChunks, codeCacheDir } from "../tfplugin6/boot";
import { BUNDLE_FILE } from "./distribution";
import { PLUGIN_NAME } from "./serve-options";

bootChunks(
  {
    read: (name) => getAsset(name, "utf8"),
    filename: () => process.execPath,
    requireOther: (name, id) => {
      if (!isBuiltin(id)) throw new Error(`${name} requires ${id}, which the single executable does not carry`);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- a built-in, by the single executable's own require
      return require(id);
    },
  },
  BUNDLE_FILE,
  codeCacheDir(PLUGIN_NAME),
);
