/**
 * Where a `terraform plan` of one key spends its time, from one run with TF_LOG=trace: Terraform's
 * own work before the first provider process (configuration, state, and the check of the installed
 * package against the lock file's `h1:` hash, which reads every byte of the package), then per
 * provider process the time from spawn to its handshake line, the calls it serves (and how long the
 * provider itself spent reading the key from Palette), and from Terraform's Close to the process's
 * exit, and what Terraform does between and after the processes. The log's timestamps have
 * millisecond resolution and logging at trace level costs some time of its own: the breakdown
 * attributes, the timed plans (terraform-plan.ts) measure.
 */

/** One provider process of the plan. */
export interface TracedLaunch {
  /** The calls Terraform made, in order (Close left out). */
  rpcs: string[];
  toHandshakeMs: number;
  /** Handshake line to Terraform's Close: the calls, and Terraform's work while the process is up. */
  servingMs: number;
  /** What the provider logged as its own time in ReadResource (the SDK's first load and the Palette call). */
  readMs: number;
  /** Close to the process's exit. */
  exitMs: number;
}

export interface PlanTrace {
  totalMs: number;
  /** Spawn of terraform to its first provider process. */
  beforeFirstMs: number;
  /** Of which: the lock-file check's hashing of the installed package. */
  packageHashMs: number;
  launches: TracedLaunch[];
  /** Terraform's own work between one process's exit and the next one's start. */
  betweenMs: number;
  /** Last exit to terraform's own exit. */
  afterMs: number;
}

interface Line {
  at: number;
  text: string;
}

const parseLines = (log: string): Line[] =>
  log.split("\n").flatMap((l) => {
    const m = /^(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d)) \[\w+\]\s+(.*)$/.exec(l);
    return m?.[1] !== undefined && m[2] !== undefined ? [{ at: Date.parse(m[1]), text: m[2] }] : [];
  });

/** The breakdown of one traced plan, `startedAt`/`endedAt` being the spawn and exit of terraform (epoch ms). */
export function parsePlanTrace(log: string, startedAt: number, endedAt: number): PlanTrace {
  const lines = parseLines(log);
  const at = (i: number): number => lines[i]?.at ?? NaN;
  const hashLine = lines.findIndex((l) => l.text.includes("providercache.fillMetaCache: including"));
  const launches: TracedLaunch[] = [];
  const spans: { start: number; exit: number }[] = [];
  let current: { start: number; handshake?: number; close?: number; rpcs: string[]; readMs: number } | undefined;
  for (const l of lines) {
    if (l.text.startsWith("provider: starting plugin:")) current = { start: l.at, rpcs: [], readMs: 0 };
    else if (current === undefined) continue;
    else if (l.text.startsWith("provider: using plugin:")) current.handshake = l.at;
    else if (l.text.startsWith("GRPCProvider.v6: Close")) current.close = l.at;
    else if (/^GRPCProvider\.v6: \w+$/.test(l.text)) current.rpcs.push(l.text.slice("GRPCProvider.v6: ".length));
    else if (/^provider\.terraform-provider-[^:]+: ReadResource:/.test(l.text)) current.readMs += Number(/\bms=(\d+)/.exec(l.text)?.[1] ?? 0);
    else if (l.text.startsWith("provider: plugin process exited")) {
      const handshake = current.handshake ?? NaN;
      const close = current.close ?? l.at;
      launches.push({ rpcs: current.rpcs, toHandshakeMs: handshake - current.start, servingMs: close - handshake, readMs: current.readMs, exitMs: l.at - close });
      spans.push({ start: current.start, exit: l.at });
      current = undefined;
    }
  }
  const first = spans[0];
  const last = spans[spans.length - 1];
  return {
    totalMs: endedAt - startedAt,
    beforeFirstMs: first !== undefined ? first.start - startedAt : NaN,
    packageHashMs: hashLine >= 0 ? at(hashLine + 1) - at(hashLine) : NaN,
    launches,
    betweenMs: spans.slice(1).reduce((sum, s, i) => sum + s.start - (spans[i]?.exit ?? s.start), 0),
    afterMs: last !== undefined ? endedAt - last.exit : NaN,
  };
}

const ms = (v: number): string => (Number.isNaN(v) ? "-" : `${v.toFixed(0)} ms`);

/** A table's rows: one column per traced installation, labelled by the first one's calls. */
export function planTraceRows(traces: readonly PlanTrace[]): string[][] {
  const col = (f: (t: PlanTrace) => number): string[] => traces.map((t) => ms(f(t)));
  const count = Math.max(0, ...traces.map((t) => t.launches.length));
  const rows: string[][] = [
    ["terraform, before the first provider process", ...col((t) => t.beforeFirstMs)],
    ["  of which hashing the installed package for the lock file's h1:", ...col((t) => t.packageHashMs)],
  ];
  for (let i = 0; i < count; i++) {
    const launch = (t: PlanTrace): TracedLaunch | undefined => t.launches[i];
    const calls = traces.map((t) => launch(t)?.rpcs.join(", ")).find((c) => c !== undefined) ?? "";
    rows.push(
      [`process ${i + 1} (${calls}): spawn to handshake line`, ...col((t) => launch(t)?.toHandshakeMs ?? NaN)],
      ["  handshake to Close (the calls)", ...col((t) => launch(t)?.servingMs ?? NaN)],
      ...(traces.some((t) => (launch(t)?.readMs ?? 0) > 0) ? [["    of which ReadResource in the provider (SDK load + Palette)", ...col((t) => launch(t)?.readMs ?? NaN)]] : []),
      ["  Close to exit", ...col((t) => launch(t)?.exitMs ?? NaN)],
    );
  }
  rows.push(
    ["terraform, between processes", ...col((t) => t.betweenMs)],
    ["terraform, after the last exit", ...col((t) => t.afterMs)],
    ["total, spawn to exit of terraform (trace logging on)", ...col((t) => t.totalMs)],
    ["  in provider processes (spawn to exit, all)", ...col((t) => t.launches.reduce((s, l) => s + l.toHandshakeMs + l.servingMs + l.exitMs, 0))],
    ["    of which before handshake lines", ...col((t) => t.launches.reduce((s, l) => s + l.toHandshakeMs, 0))],
  );
  return rows;
}
