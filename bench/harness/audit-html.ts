/**
 * The audit's HTML report for a large tenant: 1,000 keys (every flag represented) rendered to a
 * string, against `--json`'s serialization of the same report in the same run, and the file
 * loaded and painted in headless Chromium, against a 10-key report in the same browser.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { audit, type AuditReport } from "../../cli/audit";
import { renderAuditHtml } from "../../cli/audit-html";
import type { ApiKey, User } from "../../sdk";
import { chromiumPath, launchChromium } from "./chromium";

const DAY = 86_400_000;
const ROUNDS = 20;
const LOADS = 5;

export interface HtmlFigures {
  keys: number;
  bytes: number;
  renderMs: number;
  jsonMs: number;
  /** Chromium: load and first frame of the 1,000-key file and of a 10-key one; undefined without a browser. */
  browser?: { largeMs: number; smallMs: number };
}

/** A tenant of `n` keys spread over a year before and after now: expired, expiring, revoked, orphaned, active. */
export function syntheticReport(n: number, now = new Date("2026-06-01T00:00:00Z")): AuditReport {
  const keys: ApiKey[] = Array.from({ length: n }, (_, i) => ({
    uid: i.toString(16).padStart(24, "0"),
    name: `pipeline-${i} <&>`,
    description: "",
    expiresAt: new Date(now.getTime() + ((i * 7919) % 730 - 365) * DAY),
    active: i % 11 !== 0,
    user: { uid: `u${i % 40}`, firstName: "Owner", lastName: String(i % 40) },
    createdAt: new Date(now.getTime() - 400 * DAY),
    updatedAt: null,
    annotations: {},
  }));
  const users: User[] = Array.from({ length: 38 }, (_, i) => ({ uid: `u${i}`, name: `u${i}`, email: `u${i}@example.test`, firstName: "", lastName: "", roles: [], active: i !== 3, createdAt: null }));
  return audit({ host: "https://palette.example.test", keys, users, states: new Map(), withinMs: 14 * DAY, now });
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

function timeRounds(f: () => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function measureAuditHtml(dir: string, progress: (line: string) => void): Promise<HtmlFigures> {
  const large = syntheticReport(1_000);
  const html = renderAuditHtml(large);
  const figures: HtmlFigures = {
    keys: large.keys.length,
    bytes: Buffer.byteLength(html),
    renderMs: timeRounds(() => renderAuditHtml(large)),
    jsonMs: timeRounds(() => JSON.stringify(large, null, 2)),
  };
  const browserPath = chromiumPath();
  if (browserPath === undefined) {
    progress("audit --html: no chromium, the browser figures are left out");
    return figures;
  }
  progress(`audit --html: 1,000 and 10 keys loaded in chromium, ${LOADS} times each`);
  const files = { large: path.join(dir, "audit-1000.html"), small: path.join(dir, "audit-10.html") };
  fs.writeFileSync(files.large, html);
  fs.writeFileSync(files.small, renderAuditHtml(syntheticReport(10)));
  const browser = await launchChromium(browserPath);
  try {
    const page = await browser.context.newPage();
    const load = async (file: string): Promise<number> => {
      const t0 = performance.now();
      await page.goto(`file://${file}`);
      // Two frames: layout and paint of what the load built.
      await page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))");
      return performance.now() - t0;
    };
    const largeMs: number[] = [];
    const smallMs: number[] = [];
    for (let i = 0; i < LOADS; i++) {
      smallMs.push(await load(files.small));
      largeMs.push(await load(files.large));
    }
    figures.browser = { largeMs: median(largeMs), smallMs: median(smallMs) };
  } finally {
    await browser.close();
  }
  return figures;
}
