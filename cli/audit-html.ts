/**
 * `palette-apikeys audit --html <file>`: the report as one self-contained HTML file a nightly job
 * keeps as an artifact: inline CSS and SVG, no script, nothing fetched. The summary counts per
 * flag, the timeline of expiries (cli/audit-timeline.ts) and the findings table, whose rows are
 * the text table's (cli/audit-report.ts). Every value from Palette or a state file is escaped; the
 * report holds no key value, and the host is shown without any user or query part.
 */
import { FLAGS, TABLE_HEAD, tableRows, type AuditFlag, type AuditReport } from "./audit-report";
import { MARK_KINDS, markKind, renderTimeline } from "./audit-timeline";
import { escapeHtml } from "./html-escape";

/** A glyph per flag, so a flag never depends on its colour alone. */
export const FLAG_MARK: Readonly<Record<AuditFlag, string>> = {
  expired: "✕",
  expiring: "▲",
  revoked: "□",
  orphaned: "◆",
  unmanaged: "○",
  missing: "∅",
};

const FLAG_MEANING: Readonly<Record<AuditFlag, string>> = {
  expired: "past its expiry",
  expiring: "expires within the window",
  revoked: "revoked, not expired",
  orphaned: "owner gone or disabled",
  unmanaged: "in none of the given states",
  missing: "in a state, gone from Palette",
};

const STYLE = `
:root { --ink: #1d2333; --muted: #5b6478; --line: #d8dce6; color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 8px; }
.meta, .note { color: var(--muted); margin: 2px 0; }
.summary { display: flex; flex-wrap: wrap; gap: 10px; margin: 16px 0 0; padding: 0; list-style: none; }
.summary li { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 92px; }
.summary .count { display: block; font-size: 24px; font-weight: 700; font-variant-numeric: tabular-nums; }
.summary .hit { border-width: 2px; border-color: var(--ink); }
.legend { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 6px 0 0; padding: 0; list-style: none; color: var(--muted); }
.legend svg { width: 14px; height: 14px; vertical-align: -2px; margin-right: 4px; }
.timeline { display: block; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
.timeline .grid { stroke: #eceef3; }
.timeline .axis { stroke: var(--ink); }
.timeline .now { stroke: var(--ink); stroke-width: 2; }
.timeline .tick { font-size: 11px; fill: var(--muted); text-anchor: middle; }
.timeline .label { font-size: 11px; fill: var(--ink); }
.timeline .now-label { font-weight: 700; }
td.date { white-space: nowrap; }
table { width: 100%; border-collapse: collapse; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f7; font-size: 12px; letter-spacing: 0.03em; }
td.uid { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
tr.expired td:first-child { border-left: 4px solid #d55e00; }
tr.expiring td:first-child { border-left: 4px dashed #e69f00; }
tr.revoked td:first-child { border-left: 4px dotted #444; }
.flag { display: inline-block; white-space: nowrap; border: 1px solid var(--muted); border-radius: 3px; padding: 0 5px; margin: 0 4px 2px 0; font-size: 12px; }
.flag-expired { color: #a33f00; border-color: #d55e00; }
.flag-expiring { color: #7a4f00; border-color: #e69f00; border-style: dashed; }
.flag-revoked { color: #333; border-style: dotted; }
@media print {
  :root { font-size: 10pt; }
  body { max-width: none; padding: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .timeline { break-inside: avoid; border-color: #999; }
  h2 { break-after: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
}
`;

/** The host as shown: never a user, password or query a URL may carry. */
export function shownHost(host: string): string {
  if (host.includes("://")) {
    try {
      const u = new URL(host);
      return `${u.protocol}//${u.host}${u.pathname === "/" ? "" : u.pathname}`;
    } catch {
      // not a URL after all: strip by hand below
    }
  }
  return host.replace(/^([a-z][\w+.-]*:\/\/)?[^/@]*@/i, "$1").replace(/[?#].*$/, "");
}

const days = (ms: number): string => (ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : `${Math.round(ms / 3_600_000)}h`);

function summary(report: AuditReport): string {
  const haveStates = report.missing.length > 0 || report.keys.some((k) => k.managedBy !== null);
  const items = FLAGS.map((f) => {
    const unknown = (f === "orphaned" && !report.ownersKnown) || ((f === "unmanaged" || f === "missing") && !haveStates);
    const count = report.counts[f];
    return (
      `<li class="flag-count${count > 0 ? " hit" : ""}" data-flag="${f}"><span class="count">${count}</span>` +
      `${FLAG_MARK[f]} ${f}${unknown ? " <small>(not checked)</small>" : ""}<br><small class="note">${FLAG_MEANING[f]}</small></li>`
    );
  });
  return `<ul class="summary"><li data-flag="keys"><span class="count">${report.keys.length}</span>keys<br><small class="note">visible to these credentials</small></li>${items.join("")}</ul>`;
}

function legend(): string {
  const entries = MARK_KINDS.map(
    ({ kind, label }) => `<li><svg viewBox="-6 -6 12 12" aria-hidden="true"><use href="#m-${kind}" x="-5" y="-5" width="10" height="10"/></svg>${escapeHtml(label)}</li>`,
  );
  return `<ul class="legend">${entries.join("")}<li>hatched band: now to the end of the window; heavy line: now</li></ul>`;
}

/** Classes of the findings' cells by column (TABLE_HEAD): the uid in monospace, dates unbroken. */
const CELL_CLASS: Readonly<Record<number, string>> = { 1: "uid", 5: "date" };

function findings(report: AuditReport): string {
  const head = TABLE_HEAD.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join("");
  const body = tableRows(report).map(({ key, cells }) => {
    const flagsCell =
      key.flags.length === 0 ? "-" : key.flags.map((f) => `<span class="flag flag-${f}">${FLAG_MARK[f]} ${f}</span>`).join("");
    const tds = cells.map((c, i) => (i === cells.length - 1 ? `<td class="flags">${flagsCell}</td>` : `<td${CELL_CLASS[i] !== undefined ? ` class="${CELL_CLASS[i]}"` : ""}>${escapeHtml(c)}</td>`));
    return `<tr class="key ${markKind(key)}" data-uid="${escapeHtml(key.uid)}" data-flags="${key.flags.join(",")}">${tds.join("")}</tr>`;
  });
  return `<table class="findings"><thead><tr>${head}</tr></thead><tbody>\n${body.join("\n")}\n</tbody></table>`;
}

function missingList(report: AuditReport): string {
  if (report.missing.length === 0) return "";
  const items = report.missing.map(
    (m) => `<li class="missing" data-uid="${escapeHtml(m.uid)}">${FLAG_MARK.missing} <code>${escapeHtml(m.address)}</code> (${escapeHtml(m.uid)}) in ${escapeHtml(m.source)} no longer exists in Palette</li>`,
  );
  return `<h2>Missing: managed, gone from Palette</h2><ul>${items.join("")}</ul>`;
}

/** The whole report, one string: summary, timeline with legend, findings, missing keys. */
export function renderAuditHtml(report: AuditReport): string {
  const host = escapeHtml(shownHost(report.host));
  const notes: string[] = [];
  if (!report.ownersKnown) notes.push("Owners unknown: only a tenant admin may list users, so orphaned keys cannot be determined.");
  if (report.keys.some((k) => k.managedAs === "kept")) {
    notes.push("Kept: keys a rotation replaced, kept alive by keepPrevious / keep_previous until their delete-after; managed, not unmanaged.");
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Palette API keys audit: ${host}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Palette API keys audit</h1>
<p class="meta">${host} · generated ${escapeHtml(report.generatedAt)} · expiring window ${days(report.withinMs)}</p>
${notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join("\n")}
${summary(report)}
<h2>Expiry timeline</h2>
${renderTimeline(report)}
${legend()}
<h2>Findings</h2>
${findings(report)}
${missingList(report)}
<p class="note">palette-apikeys audit. No key value is ever in this report: Palette shows a key's value once, at its creation.</p>
</body>
</html>
`;
}
