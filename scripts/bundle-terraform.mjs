// The Terraform provider as one CommonJS file, plus the small boot script the launcher runs it with
// (provider/terraform/boot-main.ts, on provider/tfplugin6/boot.ts: a V8 code cache). Terraform
// starts a provider process 2-5 times per command, and a bundle starts in about half the time of
// resolving and loading node_modules.
// Usage: node scripts/bundle-terraform.mjs                     (both, into dist/terraform/)
//        node scripts/bundle-terraform.mjs <entry.ts> <out.js> (one entry, e.g. a test's provider)
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { build } from "esbuild";

// OpenPGP (encrypt_for, provider/core/encryption.ts) stays out of the bundle: a file of its own
// beside it, the library's own CommonJS build, required only when a configuration encrypts. The
// bundle keeps its size and start-up time, and the LGPL library stays a replaceable file.
// The name is OPENPGP_FILE of provider/terraform/distribution.ts.
const OPENPGP_FILE = "palette-openpgp.cjs";
const openpgpBeside = {
  name: "openpgp-beside",
  setup(b) {
    b.onResolve({ filter: /^openpgp$/ }, () => ({ path: `./${OPENPGP_FILE}`, external: true }));
  },
};
const copyOpenpgp = (outfile) => {
  mkdirSync(dirname(outfile), { recursive: true });
  copyFileSync(createRequire(import.meta.url).resolve("openpgp"), join(dirname(outfile), OPENPGP_FILE));
};

const bundle = (entry, outfile) =>
  build({
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
    plugins: [openpgpBeside],
  });

const [entry, outfile] = process.argv.slice(2);
if (entry !== undefined && outfile !== undefined) {
  await bundle(entry, outfile);
  copyOpenpgp(outfile);
} else {
  await bundle("provider/terraform/main.ts", "dist/terraform/terraform-provider-palette.js");
  copyOpenpgp("dist/terraform/terraform-provider-palette.js");
  await bundle("provider/terraform/boot-main.ts", "dist/terraform/boot.js");
}
