/**
 * The boot script the launcher runs, `node boot.js <bundle>` (dist/terraform/boot.js, bundled on
 * its own at build): the provider's bundle through the V8 code cache of provider/tfplugin6/boot.ts,
 * kept in ~/.cache/palette-apikeys/v8 (or under $XDG_CACHE_HOME).
 */
import { bootWithCodeCache, codeCacheDir } from "../tfplugin6/boot";
import { PLUGIN_NAME } from "./serve-options";

bootWithCodeCache(process.argv[2] ?? "", codeCacheDir(PLUGIN_NAME));
