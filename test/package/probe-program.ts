/**
 * The source of `probe.js`, a plain CommonJS program the packaging test writes into the throwaway
 * project and runs there with node, so that everything it loads resolves from that project's
 * node_modules. It loads every public entry, tries an internal path, and constructs an `ApiKey` of the
 * INSTALLED package under Pulumi's mocks to capture the inputs (with `__provider`) it registers.
 * It writes its findings as JSON to the file named by its first argument.
 */

/** The package's public entries, as `package.json` `exports` lists them. */
export const PUBLIC_ENTRIES = ["", "/sdk", "/sdk/wire", "/emulator", "/provider/impl", "/package.json"] as const;

/** Paths inside the package that `exports` must keep private. */
export const INTERNAL_PATHS = ["/dist/sdk/http/transport", "/dist/provider/impl.js", "/dist/emulator/store"] as const;

/** What the probe reports. */
export interface ProbeReport {
  /** Per public entry: the file it resolved to and the names it exports. */
  entries: Record<string, { file: string; exports: string[] }>;
  /** Per internal path: the error code of resolving it (or "resolved", which is a failure). */
  internal: Record<string, string>;
  /** Where `@pulumi/pulumi` came from. */
  pulumi: string;
  /** The inputs `new ApiKey("packaged", ...)` registered. */
  inputs: Record<string, unknown>;
}

export function probeSource(pkg: string): string {
  return `"use strict";
const fs = require("node:fs");
const pkg = ${JSON.stringify(pkg)};
const report = { entries: {}, internal: {}, pulumi: require.resolve("@pulumi/pulumi"), inputs: {} };
for (const entry of ${JSON.stringify(PUBLIC_ENTRIES)}) {
  const spec = pkg + entry;
  report.entries[spec] = { file: require.resolve(spec), exports: Object.keys(require(spec)).sort() };
}
for (const entry of ${JSON.stringify(INTERNAL_PATHS)}) {
  try {
    require.resolve(pkg + entry);
    report.internal[pkg + entry] = "resolved";
  } catch (e) {
    report.internal[pkg + entry] = String(e.code);
  }
}
const pulumi = require("@pulumi/pulumi");
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      report.inputs = args.inputs;
      return { id: "probe", state: args.inputs };
    },
    call: () => ({}),
  },
  "pack-probe",
  "dev",
  false,
);
const { ApiKey } = require(pkg);
const key = new ApiKey("packaged", { description: "made by the installed package", expiresIn: "7d" });
key.urn.apply(() => fs.writeFileSync(process.argv[2], JSON.stringify(report)));
`;
}
