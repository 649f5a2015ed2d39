/**
 * The audit report's timeline of expiries: one mark per key on a time axis, with now and the
 * `--within` window drawn. Each kind of mark has its own shape as well as its own colour (an
 * Okabe-Ito hue), so it reads for colour-blind readers and in black-and-white print. Marks that
 * would overlap are packed into rows; a very crowded tenant is squeezed into a bounded height
 * rather than growing a page per hundred keys.
 */
import type { AuditedKey, AuditReport } from "./audit-report";
import { escapeHtml } from "./html-escape";

/** How a key is drawn: its status, and for an active key whether it expires within the window. */
export type MarkKind = "expired" | "expiring" | "revoked" | "active" | "never";

export const MARK_KINDS: readonly { kind: MarkKind; label: string }[] = [
  { kind: "expired", label: "expired (✕)" },
  { kind: "expiring", label: "expiring within the window (▲)" },
  { kind: "revoked", label: "revoked (□)" },
  { kind: "active", label: "active (●)" },
  { kind: "never", label: "no expiry (◇, right of the axis)" },
];

export function markKind(key: AuditedKey): MarkKind {
  if (key.status === "expired") return "expired";
  if (key.status === "revoked") return "revoked";
  if (key.expiresAt === null) return "never";
  return key.flags.includes("expiring") ? "expiring" : "active";
}

const WIDTH = 960;
const LEFT = 20;
const RIGHT = 70;
const TOP = 48;
const AXIS = 34;
const MARK = 9;
const MAX_PLOT_HEIGHT = 420;
const MIN_ROW = 3;
const MAX_ROW = 14;
const DAY = 86_400_000;

/** The shapes, defined once and used by every mark (and by the legend), centred on 0,0. */
export const SYMBOL_DEFS = `<defs>
<symbol id="m-expired" viewBox="-5 -5 10 10" overflow="visible"><path d="M-4 -4L4 4M-4 4L4 -4" stroke="#d55e00" stroke-width="2.4" fill="none"/></symbol>
<symbol id="m-expiring" viewBox="-5 -5 10 10" overflow="visible"><path d="M0 -4.6L4.4 3.8H-4.4Z" fill="#e69f00" stroke="#7a4f00" stroke-width="0.8"/></symbol>
<symbol id="m-revoked" viewBox="-5 -5 10 10" overflow="visible"><rect x="-3.6" y="-3.6" width="7.2" height="7.2" fill="#fff" stroke="#444" stroke-width="1.8"/></symbol>
<symbol id="m-active" viewBox="-5 -5 10 10" overflow="visible"><circle r="3.8" fill="#0072b2"/></symbol>
<symbol id="m-never" viewBox="-5 -5 10 10" overflow="visible"><path d="M0 -4.4L4.4 0L0 4.4L-4.4 0Z" fill="#fff" stroke="#009e73" stroke-width="1.6"/></symbol>
<pattern id="window-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#fff4dc"/><line x1="0" y1="0" x2="0" y2="8" stroke="#e69f00" stroke-width="2" stroke-opacity="0.55"/></pattern>
</defs>`;

interface Placed {
  readonly key: AuditedKey;
  readonly kind: MarkKind;
  readonly x: number;
  row: number;
}

interface Tick {
  readonly at: number;
  readonly label: string;
}

/** Axis ticks: days for a span up to two months, else months in steps that give at most ~9 ticks. */
export function ticks(fromMs: number, toMs: number): Tick[] {
  const span = toMs - fromMs;
  const out: Tick[] = [];
  if (span <= 62 * DAY) {
    const step = [1, 2, 7, 14].find((d) => span / (d * DAY) <= 9) ?? 14;
    for (let t = Math.ceil(fromMs / DAY) * DAY; t <= toMs; t += step * DAY) out.push({ at: t, label: new Date(t).toISOString().slice(0, 10) });
    return out;
  }
  const months = span / (30.4 * DAY);
  const step = [1, 2, 3, 6, 12, 24, 60, 120].find((m) => months / m <= 9) ?? 120;
  const start = new Date(fromMs);
  const y = start.getUTCFullYear();
  let m = start.getUTCMonth() + 1;
  // Steps of a year or more start in January; shorter ones on a month that is a multiple of the step.
  while ((y * 12 + m) % step !== 0) m += 1;
  for (;;) {
    const t = Date.UTC(y, m, 1);
    if (t > toMs) break;
    out.push({ at: t, label: new Date(t).toISOString().slice(0, step >= 12 ? 4 : 7) });
    m += step;
  }
  return out;
}

/** The SVG of the timeline, one `<g class="mark">` per key of the report. */
export function renderTimeline(report: AuditReport): string {
  const now = Date.parse(report.generatedAt);
  const windowEnd = now + report.withinMs;
  const dated = report.keys.flatMap((k) => (k.expiresAt === null ? [] : [Date.parse(k.expiresAt)]));
  let from = Math.min(now, ...dated);
  let to = Math.max(windowEnd, ...dated);
  const pad = Math.max((to - from) * 0.03, DAY);
  from -= pad;
  to += pad;
  const plotRight = WIDTH - RIGHT;
  const x = (t: number): number => LEFT + ((t - from) / (to - from)) * (plotRight - LEFT);

  const placed: Placed[] = report.keys
    .map((key) => ({ key, kind: markKind(key), x: key.expiresAt === null ? plotRight + RIGHT / 2 : x(Date.parse(key.expiresAt)), row: 0 }))
    .sort((a, b) => a.x - b.x);
  // Greedy packing: each mark goes to the lowest row whose last mark is a mark's width away.
  const rowEnds: number[] = [];
  for (const p of placed) {
    let row = rowEnds.findIndex((end) => end <= p.x - MARK);
    if (row < 0) row = rowEnds.push(0) - 1;
    rowEnds[row] = p.x;
    p.row = row;
  }
  const rows = Math.max(1, rowEnds.length);
  const rowHeight = Math.max(MIN_ROW, Math.min(MAX_ROW, MAX_PLOT_HEIGHT / rows));
  const shownRows = Math.max(1, Math.min(rows, Math.floor(MAX_PLOT_HEIGHT / rowHeight)));
  const plotHeight = shownRows * rowHeight + MAX_ROW;
  const scale = Math.min(1, rowHeight / MAX_ROW + 0.25);
  const height = TOP + plotHeight + AXIS;
  const axisY = TOP + plotHeight;
  const n = (v: number): string => (Math.round(v * 10) / 10).toString();

  const parts: string[] = [];
  parts.push(
    `<svg class="timeline" viewBox="0 0 ${WIDTH} ${n(height)}" width="100%" role="img" aria-labelledby="timeline-title" xmlns="http://www.w3.org/2000/svg">`,
    `<title id="timeline-title">Expiry timeline: ${report.keys.length} keys; now is ${escapeHtml(report.generatedAt.slice(0, 10))}</title>`,
    SYMBOL_DEFS,
  );
  const nowX = x(now);
  const endX = x(windowEnd);
  parts.push(
    `<rect class="window" x="${n(nowX)}" y="${TOP - 8}" width="${n(Math.max(endX - nowX, 1))}" height="${n(plotHeight + 8)}" fill="url(#window-hatch)"/>`,
  );
  for (const t of ticks(from, to)) {
    const tx = x(t.at);
    parts.push(`<line class="grid" x1="${n(tx)}" x2="${n(tx)}" y1="${TOP - 8}" y2="${n(axisY)}"/><text class="tick" x="${n(tx)}" y="${n(axisY + 16)}">${escapeHtml(t.label)}</text>`);
  }
  parts.push(
    `<line class="axis" x1="${LEFT}" x2="${plotRight}" y1="${n(axisY)}" y2="${n(axisY)}"/>`,
    `<line class="now" x1="${n(nowX)}" x2="${n(nowX)}" y1="${TOP - 40}" y2="${n(axisY + 4)}"/>`,
  );
  // Labels on the side of the line with room for them: now above, the window's end below it.
  const side = (at: number): string => (at < WIDTH / 2 ? `x="${n(at + 4)}" text-anchor="start"` : `x="${n(at - 4)}" text-anchor="end"`);
  parts.push(
    `<text class="label now-label" ${side(nowX)} y="${TOP - 28}">now ${escapeHtml(report.generatedAt.slice(0, 10))}</text>`,
    `<text class="label" ${side(endX)} y="${TOP - 13}">window end ${escapeHtml(new Date(windowEnd).toISOString().slice(0, 10))}</text>`,
  );
  if (placed.some((p) => p.kind === "never")) {
    parts.push(`<text class="tick" x="${n(plotRight + RIGHT / 2)}" y="${n(axisY + 16)}">never</text>`);
  }
  const size = n(MARK * 1.2 * scale);
  const half = (MARK * 1.2 * scale) / 2;
  for (const p of placed) {
    const y = axisY - MAX_ROW / 2 - (p.row % shownRows) * rowHeight - rowHeight / 2;
    const when = p.key.expiresAt === null ? "no expiry" : `expires ${p.key.expiresAt.slice(0, 16).replace("T", " ")} UTC`;
    const flags = p.key.flags.length > 0 ? `; ${p.key.flags.join(", ")}` : "";
    parts.push(
      `<g class="mark ${p.kind}" data-uid="${escapeHtml(p.key.uid)}"><title>${escapeHtml(p.key.name)}: ${p.key.status}, ${escapeHtml(when)}${escapeHtml(flags)}</title>` +
        `<use href="#m-${p.kind}" x="${n(p.x - half)}" y="${n(y - half)}" width="${size}" height="${size}"/></g>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}
