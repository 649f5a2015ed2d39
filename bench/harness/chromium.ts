/**
 * The system's Chromium (Debian's `chromium` package) driven by playwright-core, which never
 * downloads a browser of its own. Shared by the bench (the audit report's rendering) and the tests
 * that look at the emulator's page and the report; `.ci/run` installs the package where it is missing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/**
 * Headless without a GPU or sandbox (containers), and without the background traffic (updates,
 * sync, field trials) that a closed network refuses and that would slow every launch.
 */
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The browser's path: CHROMIUM_PATH when set, else Debian's; undefined when there is none. */
export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const given = env.CHROMIUM_PATH;
  if (given !== undefined && given !== "") return fs.existsSync(given) ? given : undefined;
  return CANDIDATES.find((p) => fs.existsSync(p));
}

export const NO_CHROMIUM = "no chromium: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH";

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** One browser with a fresh profile, removed on close. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "palette-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: ARGS,
      viewport: { width: 1200, height: 800 },
    });
    return {
      context,
      async close() {
        await context.close().catch(() => undefined);
        fs.rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}
