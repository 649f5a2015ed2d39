/** The audit's HTML report as a string: escaping, the counts, one timeline mark per key, the table's rows, nothing external. */
import { audit, formatTable, type AuditReport } from "../../../cli/audit";
import { tableRows } from "../../../cli/audit-report";
import { renderAuditHtml, shownHost } from "../../../cli/audit-html";
import { markKind, renderTimeline, ticks } from "../../../cli/audit-timeline";
import { escapeHtml } from "../../../cli/html-escape";
import type { ApiKey, User } from "../../../sdk";

const now = new Date("2026-06-01T00:00:00Z");
const DAY = 86_400_000;
const HOSTILE = `<script>alert("x")</script> & 'quotes'`;

const key = (uid: string, name: string, expiresInDays: number | null, active = true, ownerUid = "u1"): ApiKey => ({
  uid,
  name,
  description: "",
  expiresAt: expiresInDays === null ? null : new Date(now.getTime() + expiresInDays * DAY),
  active,
  user: { uid: ownerUid, firstName: "Ann", lastName: "Owner" },
  createdAt: new Date("2026-01-01T00:00:00Z"),
  updatedAt: null,
  annotations: {},
});
const user = (uid: string, active: boolean): User => ({ uid, name: uid, email: `${uid}@example.test`, firstName: "", lastName: "", roles: [], active, createdAt: null });

function report(keys: ApiKey[], states = new Map<string, { uid: string; address: string }[]>()): AuditReport {
  return audit({ host: "https://user:pa55@palette.example.test/?ApiKey=abc", keys, users: [user("u1", true), user("u2", false)], states, withinMs: 14 * DAY, now });
}

const KEYS = [
  key("k-expired", "old", -3),
  key("k-expiring", "soon", 5),
  key("k-revoked", HOSTILE, 40, false),
  key("k-active", "fine", 200),
  key("k-orphan", "left", 90, true, "u2"),
  key("k-never", "forever", null),
];

const count = (html: string, re: RegExp): number => html.match(re)?.length ?? 0;
const attr = (html: string, uid: string, tag: "tr" | "g", name: string): string | undefined =>
  new RegExp(`<${tag} [^>]*data-uid="${uid}"[^>]*`).exec(html)?.[0].match(new RegExp(`${name}="([^"]*)"`))?.[1];

describe("renderAuditHtml", () => {
  const r = report(KEYS, new Map([["dev.json", [{ uid: "k-active", address: "a" }, { uid: "k-gone", address: "palette_api_key.gone" }]]]));
  const html = renderAuditHtml(r);

  it("escapes every value: a hostile key name is text, never markup", () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });

  it("is self-contained: no script, link, external source, and no credential from the host", () => {
    expect(html).not.toMatch(/<(script|link|iframe|img|object)\b/i);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//i);
    expect(html).not.toContain("pa55");
    expect(html).not.toContain("ApiKey=");
    expect(html).toContain("https://palette.example.test");
    expect(shownHost("palette.example.test")).toBe("palette.example.test");
    expect(shownHost("user:secret@palette.example.test?x=1")).toBe("palette.example.test");
  });

  it("shows each flag's count as the JSON has it", () => {
    for (const [flag, n] of Object.entries(r.counts)) {
      expect(new RegExp(`data-flag="${flag}"><span class="count">(\\d+)<`).exec(html)?.[1]).toBe(String(n));
    }
    expect(r.counts).toMatchObject({ expired: 1, expiring: 1, revoked: 1, orphaned: 1, unmanaged: 5, missing: 1 });
    expect(html).toContain("palette_api_key.gone");
  });

  it("has one timeline mark per key, shaped by status, and one table row per key with the JSON's flags", () => {
    expect(count(html, /<g class="mark /g)).toBe(KEYS.length);
    expect(count(html, /<tr class="key /g)).toBe(KEYS.length);
    for (const k of r.keys) {
      expect(attr(html, k.uid, "g", "class")).toBe(`mark ${markKind(k)}`);
      expect(attr(html, k.uid, "tr", "data-flags")).toBe(k.flags.join(","));
    }
    expect(r.keys.map((k) => [k.uid, markKind(k)])).toEqual([
      ["k-expired", "expired"],
      ["k-expiring", "expiring"],
      ["k-revoked", "revoked"],
      ["k-active", "active"],
      ["k-orphan", "active"],
      ["k-never", "never"],
    ]);
    // The text table's rows, cell by cell, are the HTML table's (the flags cell shown as badges).
    const unescape = (t: string): string => t.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
    for (const row of tableRows(r)) {
      const tr = new RegExp(`<tr [^>]*data-uid="${row.key.uid}"[^>]*>(.*?)</tr>`).exec(html)?.[1] ?? "";
      const cells = [...tr.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((m) => unescape(m[1] ?? ""));
      expect(cells.slice(0, -1)).toEqual(row.cells.slice(0, -1));
      expect(cells.at(-1)?.match(/[a-z]+|-/g)?.join(",")).toBe(row.cells.at(-1));
      expect(formatTable(r).some((line) => line.startsWith(row.cells[0] ?? "?"))).toBe(true);
    }
  });

  it("draws now and the window to scale, marks left of now for expired keys and inside the window for expiring ones", () => {
    const svg = renderTimeline(r);
    const window = /<rect class="window" x="([\d.]+)" y="[\d.-]+" width="([\d.]+)"/.exec(svg);
    const nowLine = /<line class="now" x1="([\d.]+)"/.exec(svg);
    expect(window?.[1]).toBe(nowLine?.[1]);
    const xOf = (uid: string): number => Number(new RegExp(`data-uid="${uid}">.*?<use href="#m-\\w+" x="([\\d.-]+)"`).exec(svg)?.[1]);
    const nowX = Number(nowLine?.[1]);
    const endX = nowX + Number(window?.[2]);
    expect(xOf("k-expired")).toBeLessThan(nowX);
    expect(xOf("k-expiring")).toBeGreaterThan(nowX - 10);
    expect(xOf("k-expiring")).toBeLessThan(endX);
    expect(xOf("k-active")).toBeGreaterThan(endX);
    expect(svg).toContain("now 2026-06-01");
  });

  it("keeps a 1,000-key tenant within a bounded height, still one mark per key", () => {
    const many = Array.from({ length: 1000 }, (_, i) => key(`k${i}`, `key-${i}`, 1 + (i % 3)));
    const svg = renderTimeline(report(many));
    expect(count(svg, /<g class="mark /g)).toBe(1000);
    const height = Number(/viewBox="0 0 960 ([\d.]+)"/.exec(svg)?.[1]);
    expect(height).toBeLessThan(600);
  });

  it("labels the axis in days for a short span and in months or years for a long one", () => {
    const start = Date.parse("2026-06-01T00:00:00Z");
    expect(ticks(start, start + 10 * DAY).map((t) => t.label)).toContain("2026-06-03");
    expect(ticks(start, start + 300 * DAY).map((t) => t.label)).toEqual(["2026-07", "2026-09", "2026-11", "2027-01", "2027-03"]);
    expect(ticks(start, start + 5000 * DAY).every((t) => /^\d{4}$/.test(t.label))).toBe(true);
  });
});
