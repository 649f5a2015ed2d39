// Copies the emulator's API-keys page (emulator/page: HTML, script, style; no build step of their
// own) beside the compiled emulator, where emulator/routes/page.ts reads them: dist/emulator/page.
// Usage: node scripts/copy-emulator-page.mjs   (cwd = the package)
import { cpSync, existsSync, rmSync } from "node:fs";

const from = "emulator/page";
const to = "dist/emulator/page";
if (!existsSync(from)) {
  console.error(`copy-emulator-page: ${from} is missing`);
  process.exit(1);
}
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
