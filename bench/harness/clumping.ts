/**
 * A burst through one SDK client at Palette's real limit, on a quiet process and on a starved one.
 * Starving is done by blocking the event loop now and then, as a busy machine does to a process:
 * requests the client paced apart are then sent, and read by the server, in a clump. What the SDK
 * guarantees (every call succeeds) is asserted in the tests; what timing decides is counted here.
 */
import { performance } from "node:perf_hooks";
import { startEmulator } from "../../emulator";
import { PaletteClient, type PaletteLogEvent } from "../../sdk";

export interface ClumpRun {
  label: string;
  calls: number;
  failed: number;
  durationMs: number;
  /** Requests the server answered 429. */
  rateLimited: number;
  retries: number;
  /** Requests the client sent while an earlier 429's Retry-After had not yet passed. */
  sentDuringPause: number;
}

export interface Starvation {
  /** How long the event loop is blocked each time. */
  readonly stallMs: number;
  /** How often. */
  readonly everyMs: number;
}

const LIMIT = { perSecond: 10, burst: 5 } as const;

/** `calls` parallel `apiKeys.list` calls through one client with default pacing and retries. */
export async function clumpRun(label: string, calls: number, starvation?: Starvation): Promise<ClumpRun> {
  const emu = await startEmulator({ rateLimit: LIMIT });
  const events: { at: number; event: PaletteLogEvent }[] = [];
  const client = new PaletteClient({ host: emu.url, auth: { apiKey: emu.accounts.admin.apiKey }, logger: (event) => events.push({ at: performance.now(), event }) });
  const stalls = starvation === undefined ? undefined : setInterval(() => block(starvation.stallMs), starvation.everyMs);
  try {
    const started = performance.now();
    const results = await Promise.allSettled(Array.from({ length: calls }, () => client.apiKeys.list()));
    const durationMs = performance.now() - started;
    return {
      label,
      calls,
      failed: results.filter((r) => r.status === "rejected").length,
      durationMs,
      rateLimited: emu.requests().filter((r) => r.status === 429).length,
      retries: events.filter((e) => e.event.type === "retry").length,
      sentDuringPause: sentDuringPause(events),
    };
  } finally {
    if (stalls !== undefined) clearInterval(stalls);
    await client.close();
    await emu.close();
  }
}

/** A busy wait: nothing else in this process (client or emulator) runs meanwhile. */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin
  }
}

function sentDuringPause(events: readonly { at: number; event: PaletteLogEvent }[]): number {
  const pauses = events
    .filter((e) => e.event.type === "retry" && e.event.status === 429)
    .map((e) => ({ from: e.at, to: e.at + (e.event.delayMs ?? 0) }));
  return events.filter((e) => e.event.type === "request" && pauses.some((p) => e.at > p.from && e.at < p.to)).length;
}
