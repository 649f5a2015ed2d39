// Gives every file named in package.json "bin" its run bit. tsc writes its output with the default
// file mode (0644), so in a checkout `npx palette-emulator` (npm links the bin, it does not chmod it)
// fails with "Permission denied" after every build. npm sets the bit itself only when it installs
// the package from a tarball.
// Usage: node scripts/bin-mode.mjs   (cwd = the package)
import { chmodSync, readFileSync, statSync } from "node:fs";

const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const bins = typeof pkg.bin === "string" ? [pkg.bin] : Object.values(pkg.bin ?? {});
const missing = [];
for (const file of bins) {
  let mode;
  try {
    mode = statSync(file).mode;
  } catch {
    missing.push(file);
    continue;
  }
  // Execute wherever there is read: the owner, and group and others as far as they may read it.
  chmodSync(file, (mode & 0o777) | ((mode & 0o444) >> 2));
}
if (missing.length > 0) {
  console.error(`bin-mode: package.json "bin" names files the build did not write: ${missing.join(", ")}`);
  process.exit(1);
}
