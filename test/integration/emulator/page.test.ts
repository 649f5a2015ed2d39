/**
 * The API-keys page at the emulator's root, in headless Chromium: sign-in with the emulator's own
 * credentials, the keys the API lets that user see with their statuses at the emulator's clock
 * (moved days ahead of the browser's), the refresh after a change made through the API, the
 * filters, an unknown query parameter, and no credential or key value anywhere on the page.
 * One browser for the file; a screenshot is kept in test-artifacts/.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Page } from "playwright-core";
import type { RunningEmulator } from "../../../emulator";
import { chromiumPath, launchChromium, NO_CHROMIUM, type Browser } from "../../../bench/harness/chromium";
import { call, createKey, inDays, keyOf, startForTest } from "./support";

const BROWSER = chromiumPath();
const PASSWORD = "PagePassw0rdForTheBrowserTest";
const ARTIFACTS = path.resolve(__dirname, "../../../test-artifacts");
const DAY = 86_400_000;
/** Two poll periods and some: the page lists every 2 s. */
const REFRESH_MS = 10_000;

if (BROWSER === undefined) console.warn(`skipping the emulator page's browser tests: ${NO_CHROMIUM}`);
const suite = BROWSER === undefined ? describe.skip : describe;

suite("the emulator's API-keys page", () => {
  let emu: RunningEmulator;
  let browser: Browser;
  /** Every value a page must never show: key values, the password, the seeded keys. */
  const secrets: string[] = [PASSWORD];
  const uids: Record<string, string> = {};

  beforeAll(async () => {
    emu = await startForTest({ password: PASSWORD });
    const admin = keyOf(emu.accounts.admin);
    const [alice, bob] = emu.accounts.users;
    if (alice === undefined || bob === undefined) throw new Error("seed without alice and bob");
    secrets.push(emu.accounts.admin.apiKey, alice.apiKey);
    const made = async (name: string, extra: Parameters<typeof createKey>[3] = {}): Promise<void> => {
      const key = await createKey(emu, admin, name, extra);
      uids[name] = key.uid;
      secrets.push(key.value);
    };
    // Expires in 2 days; the clock then moves 3 days on: expired to the emulator, not to the browser's clock.
    await made("nightly-old", { expiry: inDays(emu, 2), description: "<b>expired</b> & gone" });
    emu.clock.advance(3 * DAY);
    await made("alice-ci", { userUid: alice.uid, description: "Alice's pipeline" });
    await made("bob-revoked", { userUid: bob.uid });
    expect((await call(emu, "PATCH", `/v1/apiKeys/${uids["bob-revoked"]}`, { auth: admin, body: { isActive: false } })).status).toBe(204);
    browser = await launchChromium(BROWSER ?? "");
  });

  afterAll(async () => {
    await browser?.close();
    await emu?.close();
  });

  /** A new tab (its own sessionStorage), signed in as `email`. */
  async function signedIn(email: string, query = ""): Promise<Page> {
    const page = await browser.context.newPage();
    const res = await page.goto(`${emu.url}/${query}`);
    expect(res?.status()).toBe(200);
    await page.fill("#email", email);
    await page.fill("#password", PASSWORD);
    await page.click("button[type=submit]");
    await page.waitForSelector("#key-table tbody tr");
    return page;
  }

  /** The listed rows: uid -> status. */
  async function rows(page: Page): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const tr of await page.locator("#key-table tbody tr").all()) out[(await tr.getAttribute("data-uid")) ?? ""] = (await tr.getAttribute("data-status")) ?? "";
    return out;
  }

  /** No secret in the rendered HTML, the visible text, the address or the page's storage but the session token. */
  async function expectNoSecrets(page: Page): Promise<void> {
    const shown = `${await page.content()}\n${await page.innerText("body")}\n${page.url()}`;
    for (const s of secrets) expect(shown).not.toContain(s);
    expect(shown).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
  }

  it("shows the tenant admin every key with its status at the emulator's clock, and updates after a change through the API", async () => {
    const page = await signedIn("admin@palette.local");
    const seeded = Object.fromEntries(emu.keys().filter((k) => k.seeded).map((k) => [k.uid, "active"]));
    expect(await rows(page)).toEqual({ ...seeded, [uids["nightly-old"]!]: "expired", [uids["alice-ci"]!]: "active", [uids["bob-revoked"]!]: "revoked" });
    expect(await page.textContent("#scope")).toContain("tenant admin");
    const alice = page.locator(`tr[data-uid="${uids["alice-ci"]}"]`);
    expect(await alice.locator("td.owner").textContent()).toBe("Alice Anders");
    expect(await alice.locator("td.description").textContent()).toBe("Alice's pipeline");
    // Markup in a description is text, not HTML.
    expect(await page.locator(`tr[data-uid="${uids["nightly-old"]}"] td.description`).textContent()).toBe("<b>expired</b> & gone");

    // Through the API, as a pipeline would: a new key, a revoke, a delete.
    const added = await createKey(emu, keyOf(emu.accounts.admin), "added-later");
    secrets.push(added.value);
    await call(emu, "PATCH", `/v1/apiKeys/${uids["alice-ci"]}`, { auth: keyOf(emu.accounts.admin), body: { isActive: false } });
    await call(emu, "DELETE", `/v1/apiKeys/${uids["bob-revoked"]}`, { auth: keyOf(emu.accounts.admin) });
    await page.waitForSelector(`tr[data-uid="${added.uid}"][data-status="active"]`, { timeout: REFRESH_MS });
    await page.waitForSelector(`tr[data-uid="${uids["alice-ci"]}"][data-status="revoked"]`, { timeout: REFRESH_MS });
    await page.waitForSelector(`tr[data-uid="${uids["bob-revoked"]}"]`, { state: "detached", timeout: REFRESH_MS });

    // Filters: by status, then by owner as well.
    await page.selectOption("#status-filter", "revoked");
    expect(Object.keys(await rows(page))).toEqual([uids["alice-ci"]]);
    await page.selectOption("#status-filter", "");
    await page.selectOption("#owner-filter", { label: "Alice Anders" });
    expect(Object.keys(await rows(page)).sort()).toEqual(emu.keys().filter((k) => k.ownerUid === emu.accounts.users[0]?.uid).map((k) => k.uid).sort());
    await page.selectOption("#owner-filter", "");

    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const shot = path.join(ARTIFACTS, "emulator-page.png");
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`emulator page screenshot: ${shot}`);
    await expectNoSecrets(page);
    await page.close();
  });

  it("shows a plain user only their own keys, and ignores an unknown query parameter", async () => {
    const alice = emu.accounts.users[0]!;
    const page = await signedIn("alice@palette.local", "?tab=all&status=zzz&owner=admin");
    const own = emu.keys().filter((k) => k.ownerUid === alice.uid).map((k) => k.uid).sort();
    expect(own.length).toBeGreaterThan(1);
    expect(Object.keys(await rows(page)).sort()).toEqual(own);
    expect(await page.textContent("#scope")).toContain("Your own keys");
    const plain = await fetch(`${emu.url}/`).then((r) => r.text());
    const odd = await fetch(`${emu.url}/?unknown=1&ApiKey=`).then(async (r) => [r.status, r.headers.get("content-type"), await r.text()]);
    expect(odd).toEqual([200, "text/html; charset=utf-8", plain]);
    await expectNoSecrets(page);

    // A session that ends (sign-out) leaves nothing behind in the tab.
    await page.click("#sign-out");
    expect(await page.isVisible("#sign-in")).toBe(true);
    expect(await page.evaluate("sessionStorage.length")).toBe(0);
    expect(await page.locator("#key-table tbody tr").count()).toBe(0);
    await page.close();
  });

  it("refuses a wrong password on the page, with the emulator's reason", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${emu.url}/`);
    await page.fill("#email", "bob@palette.local");
    await page.fill("#password", "not-the-password");
    await page.click("button[type=submit]");
    await page.waitForSelector("#sign-in-error:not([hidden])");
    expect(await page.textContent("#sign-in-error")).toContain("Invalid credentials");
    expect(page.url()).toBe(`${emu.url}/`);
    await page.close();
  });
});
