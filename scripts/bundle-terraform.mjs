// The Terraform provider as CommonJS files, plus the small boot script the launcher runs it with
// (provider/terraform/boot-main.ts, on provider/tfplugin6/boot.ts: a V8 code cache). Terraform
// starts a provider process 3 times per plan, and a bundle starts in about half the time of
// resolving and loading node_modules.
//
// The SDK (sdk/index.ts with undici, zod and date-fns: 1 MB of the 1.5 MB) is a chunk of its own,
// `palette-sdk.cjs` beside the provider bundle, which reaches it through `require("./palette-sdk.cjs")`
// the first time a call needs Palette. Node compiles (pre-parses) a whole file before running any of
// it, and a process that only serves schemas and validation, as two of a plan's three do, never needs
// the SDK: compiling it was most of their start. The chunk keeps one copy of the SDK, so its classes
// (PaletteError) are the same to every module that imports it.
//
// OpenPGP (encrypt_for, provider/core/encryption.ts) stays out of the bundle too: the library's own
// CommonJS build copied beside it as `palette-openpgp.cjs`, required only when a configuration
// encrypts. The bundle keeps its size and start-up time, and the LGPL library stays a replaceable file.
// The names are SDK_CHUNK_FILE and OPENPGP_FILE of provider/terraform/distribution.ts.
//
// A single executable (palette-apikeys terraform-release) carries these same files as its assets, run
// by its own small main script (provider/terraform/sea-main.ts -> dist/terraform/sea-boot.js).
//
// Usage: node scripts/bundle-terraform.mjs                                   (all, into dist/terraform/)
//        node scripts/bundle-terraform.mjs <entry.ts> <out.js>               (one entry, e.g. a test's
//                                                                             provider, and its files)
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { pathToFileURL } from "node:url";

/** The SDK chunk's file name: provider/terraform/distribution.ts's SDK_CHUNK_FILE, which the mirror ships. */
export const SDK_CHUNK = "palette-sdk.cjs";
/** OpenPGP's file name: provider/terraform/distribution.ts's OPENPGP_FILE. */
export const OPENPGP_FILE = "palette-openpgp.cjs";
const SDK_ENTRY = path.resolve("sdk/index.ts");
// What only the SDK brings: found in a provider bundle, the chunk boundary has leaked.
const SDK_ONLY = /(^|\/)(sdk\/|node_modules\/(undici|zod|date-fns)\/)/;

const options = (entry, outfile, plugins = []) => ({
  entryPoints: [entry],
  outfile,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  // Licence comments of the bundled packages stay, at the end of the file.
  legalComments: "eof",
  logLevel: "warning",
  // grpc-js loads proto-loader (and with it all of protobufjs and its .proto parser) only for the
  // channelz and ORCA services, which a provider never serves: leaving it out trims 50 KB to parse.
  external: ["@grpc/proto-loader"],
  metafile: true,
  plugins,
});

/** Every import of the SDK's public entry becomes `require("./palette-sdk.cjs")`. */
const sdkAsChunk = {
  name: "sdk-as-chunk",
  setup(b) {
    b.onResolve({ filter: /(^|\/)sdk(\/index)?$/ }, async (args) => {
      if (args.pluginData === "sdk-as-chunk") return undefined;
      const resolved = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, pluginData: "sdk-as-chunk" });
      return resolved.path === SDK_ENTRY ? { path: `./${SDK_CHUNK}`, external: true } : undefined;
    });
  },
};

/** In the SDK chunk, undici is the subset the SDK uses (scripts/undici-subset.cjs), not undici's index. */
const UNDICI_SUBSET = path.resolve("scripts/undici-subset.cjs");
const undiciSubset = {
  name: "undici-subset",
  setup(b) {
    b.onResolve({ filter: /^undici$/ }, (args) => (args.importer === UNDICI_SUBSET ? undefined : { path: UNDICI_SUBSET }));
  },
};

/** `require("openpgp")` becomes `require("./palette-openpgp.cjs")`. */
const openpgpBeside = {
  name: "openpgp-beside",
  setup(b) {
    b.onResolve({ filter: /^openpgp$/ }, () => ({ path: `./${OPENPGP_FILE}`, external: true }));
  },
};

const importsOf = (metafile, file) => Object.values(metafile.outputs).some((o) => o.imports.some((i) => i.path === `./${file}`));

/**
 * Bundles `entry` into `outfile`; the SDK goes to its chunk beside `outfile`
 * and OpenPGP is copied beside it (each written only when the entry uses it). Returns the files written.
 */
export async function bundleTerraform(entry, outfile) {
  const { metafile } = await build(options(entry, outfile, [sdkAsChunk, openpgpBeside]));
  const leaked = Object.keys(metafile.inputs).filter((f) => SDK_ONLY.test(f));
  if (leaked.length > 0) throw new Error(`${entry}: ${leaked.slice(0, 3).join(", ")} bundled outside the SDK chunk: import the SDK only through sdk/index.ts`);
  const written = [outfile];
  if (importsOf(metafile, OPENPGP_FILE)) {
    const openpgp = path.join(path.dirname(outfile), OPENPGP_FILE);
    mkdirSync(path.dirname(openpgp), { recursive: true });
    copyFileSync(createRequire(import.meta.url).resolve("openpgp"), openpgp);
    written.push(openpgp);
  }
  if (importsOf(metafile, SDK_CHUNK)) {
    const chunk = path.join(path.dirname(outfile), SDK_CHUNK);
    const sdk = await build(options(SDK_ENTRY, chunk, [undiciSubset]));
    if ("node_modules/undici/index.js" in sdk.metafile.inputs) throw new Error(`${chunk}: undici's index.js is bundled: import undici only in sdk/http/transport.ts, for what scripts/undici-subset.cjs exports`);
    written.push(chunk);
  }
  return written;
}

const args = process.argv.slice(2);
const [entry, outfile] = args;
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  if (entry !== undefined && outfile !== undefined) await bundleTerraform(entry, outfile);
  else {
    await bundleTerraform("provider/terraform/main.ts", "dist/terraform/terraform-provider-palette.js");
    await bundleTerraform("provider/terraform/boot-main.ts", "dist/terraform/boot.js");
    await bundleTerraform("provider/terraform/sea-main.ts", "dist/terraform/sea-boot.js");
  }
}
