// The Terraform provider as one CommonJS file: Terraform starts a provider process 2-5 times per
// command, and a bundle starts in about half the time of resolving and loading node_modules.
// Usage: node scripts/bundle-terraform.mjs [entry.ts] [outfile.js]   (defaults: the Palette provider)
import { build } from "esbuild";

const [entry = "provider/terraform/main.ts", outfile = "dist/terraform/terraform-provider-palette.js"] = process.argv.slice(2);

await build({
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
});
