/**
 * `palette-apikeys audit --html` against the emulator, opened in headless Chromium: one timeline
 * mark per key and the flags of the same run's --json, the counts, nothing fetched from anywhere,
 * no credential or key value in the file; and an unwritable --html path refused (exit 2) before
 * any request. One browser for the file; a screenshot is kept in test-artifacts/.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { auditCommand, type AuditReport } from "../../../cli/audit";
import { runCli } from "../../../cli/palette-apikeys";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { chromiumPath, launchChromium, NO_CHROMIUM, type Browser } from "../../../bench/harness/chromium";
import { PaletteClient } from "../../../sdk";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";

const BROWSER = chromiumPath();
const ADMIN_KEY = "HtmlAuditAdminKey0123456789abcdef";
const ALICE_KEY = "HtmlAuditAliceKey0123456789abcdef";
const PASSWORD = "HtmlAuditPassw0rd";
const ARTIFACTS = path.resolve(__dirname, "../../../test-artifacts");
const DAY = 86_400_000;

interface Run {
  code: number;
  out: string;
  err: string;
}

if (BROWSER === undefined) console.warn(`skipping the audit report's browser test: ${NO_CHROMIUM}`);

describe("palette-apikeys audit --html", () => {
  let emu: RunningEmulator;
  let dir: string;
  const secrets = [ADMIN_KEY, ALICE_KEY, PASSWORD];
  const saved = { ...process.env };

  /** The command in this process at the emulator's clock (moved days on), with only the emulator's credentials. */
  async function audit(args: string[]): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const env = { SPECTROCLOUD_HOST: emu.url, SPECTROCLOUD_APIKEY: ADMIN_KEY };
    const code = await auditCommand(args, { out: (l) => out.push(l), err: (l) => err.push(l) }, { env, now: () => emu.clock.now() });
    return { code, out: out.join("\n"), err: err.join("\n") };
  }

  /** The whole CLI, as the bin dispatches (usage errors become exit 2). */
  async function cli(args: string[]): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(["audit", ...args], { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join("\n"), err: err.join("\n") };
  }

  beforeAll(async () => {
    // The bin's dispatcher reads the process's environment: only the emulator's credentials.
    for (const k of Object.keys(NO_ENV_CREDENTIALS)) delete process.env[k];
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit-html-"));
    emu = await startEmulator({ adminKey: ADMIN_KEY, userKey: ALICE_KEY, password: PASSWORD, rateLimit: false, now: new Date("2030-03-01T00:00:00Z") });
    process.env.SPECTROCLOUD_HOST = emu.url;
    process.env.SPECTROCLOUD_APIKEY = ADMIN_KEY;
    const sdk = new PaletteClient({ host: emu.url, auth: { apiKey: ADMIN_KEY }, rateLimit: false, retry: false });
    const at = (days: number): Date => new Date(emu.clock.now().getTime() + days * DAY);
    const [alice, bob] = emu.accounts.users;
    if (alice === undefined || bob === undefined) throw new Error("seed without alice and bob");
    try {
      const created = async (name: string, days: number, userUid?: string): Promise<string> => {
        const key = await sdk.apiKeys.create({ name, expiresAt: at(days), description: `<i>${name}</i>`, ...(userUid !== undefined ? { userUid } : {}) });
        secrets.push(key.value);
        return key.apiKey.uid;
      };
      await created("nightly-old", 2);
      emu.clock.advance(3 * DAY);
      await created("deploy-soon", 5, alice.uid);
      const revoked = await created("<script>alert(1)</script>", 60);
      await sdk.apiKeys.setActive(revoked, false);
      await created("bob-left", 120, bob.uid);
      emu.removeUser(bob.uid);
    } finally {
      await sdk.close();
    }
  });

  afterAll(async () => {
    process.env = saved;
    await emu?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  (BROWSER === undefined ? it.skip : it)("renders one timeline mark per key and the flags of --json, with nothing external and no secret", async () => {
    const file = path.join(dir, "report.html");
    const run = await audit(["--json", "--html", file, "--within", "14d"]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.out) as AuditReport;
    expect(report.counts).toMatchObject({ expired: 1, expiring: 1, revoked: 1, orphaned: 1 });
    const html = fs.readFileSync(file, "utf8");
    for (const s of secrets) expect(`${html}${run.out}${run.err}`).not.toContain(s);
    expect(html).not.toContain("<script>alert");

    const browser: Browser = await launchChromium(BROWSER ?? "");
    try {
      const page = await browser.context.newPage();
      const fetched: string[] = [];
      page.on("request", (r) => fetched.push(r.url()));
      await page.goto(`file://${file}`);
      expect(fetched).toEqual([`file://${file}`]);
      expect(await page.locator("svg.timeline g.mark").count()).toBe(report.keys.length);
      for (const k of report.keys) {
        const mark = page.locator(`svg.timeline g.mark[data-uid="${k.uid}"]`);
        expect(await mark.count()).toBe(1);
        expect(await page.locator(`tr.key[data-uid="${k.uid}"]`).getAttribute("data-flags")).toBe(k.flags.join(","));
        // The mark's shape says the status: expired, revoked, or (active) expiring within the window.
        const kind = k.status === "active" ? (k.flags.includes("expiring") ? "expiring" : "active") : k.status;
        expect(await mark.getAttribute("class")).toBe(`mark ${kind}`);
        expect(await mark.boundingBox()).not.toBeNull();
      }
      for (const [flag, n] of Object.entries(report.counts)) {
        expect(await page.locator(`li[data-flag="${flag}"] .count`).textContent()).toBe(String(n));
      }
      // The hostile name is shown as text.
      expect(await page.locator("table.findings").innerText()).toContain("<script>alert(1)</script>");
      const shown = `${await page.content()}\n${await page.innerText("body")}`;
      for (const s of secrets) expect(shown).not.toContain(s);

      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const shot = path.join(ARTIFACTS, "audit-report.png");
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`audit report screenshot: ${shot}`);
    } finally {
      await browser.close();
    }
  });

  it("refuses an --html path it cannot write with exit 2, before any request", async () => {
    const before = emu.requests().length;
    for (const target of [path.join(dir, "no-such-dir", "report.html"), dir]) {
      const run = await cli(["--html", target]);
      expect(run).toMatchObject({ code: 2, out: "" });
      expect(run.err).toContain(`--html: cannot write ${target}`);
    }
    expect(emu.requests().length).toBe(before);
    expect(fs.existsSync(path.join(dir, "no-such-dir"))).toBe(false);
  });
});
