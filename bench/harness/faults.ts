/**
 * The fault profile of the reliability runs, and the figures read back from the emulator's request
 * log (which records, per request, the fault applied and the status sent or that would have been).
 */
import type { FaultAction, RateLimitSettings, RecordedRequest, RunningEmulator } from "../../emulator";

/** One of each: 500, 502, 503, 429 with Retry-After, a dropped connection, added latency, a response lost after commit. */
export function faultMix(latencyMs: number, retryAfterSeconds = 1): FaultAction[] {
  return [
    { kind: "status", status: 500 },
    { kind: "status", status: 502 },
    { kind: "status", status: 503 },
    { kind: "status", status: 429, code: "TooManyRequests", message: "Injected: slow down", retryAfterSeconds },
    { kind: "drop" },
    { kind: "latency", ms: latencyMs },
    { kind: "lostResponse" },
  ];
}

/** Faults `rate` of all API requests with the mix above (the emulator's PRNG, seeded by `faultSeed`). */
export function injectFaults(emu: RunningEmulator, rate: number, latencyMs: number, retryAfterSeconds?: number): void {
  emu.faults.add({ path: /^\/v1\//, rate, action: faultMix(latencyMs, retryAfterSeconds) });
}

/**
 * The Retry-After of injected 429s under `limit`: Palette's 1 s at its 10 requests/s, scaled with
 * a time-scaled limit like the rest of the run (in whole seconds, so 0 at ten times the rate). The
 * SDK pauses the whole prefix for a 429's Retry-After; unscaled, each injected 429 would stop a
 * ten-times-faster run ten times longer than it stops a client at Palette's pace.
 */
export function injectedRetryAfterSeconds(limit: RateLimitSettings | false): number {
  return limit === false ? 1 : Math.floor(PALETTE_PER_SECOND / limit.perSecond);
}

const PALETTE_PER_SECOND = 10;

export const FAULT_LABELS = ["500", "502", "503", "429", "drop", "latency", "lostResponse"] as const;
export type FaultLabel = (typeof FAULT_LABELS)[number];

export interface EmulatorFigures {
  requests: number;
  faulted: number;
  byFault: Record<FaultLabel, number>;
  /** 429s from the emulator's own rate limiter (not injected). */
  rateLimited: number;
}

export function emulatorFigures(log: readonly RecordedRequest[]): EmulatorFigures {
  const byFault = Object.fromEntries(FAULT_LABELS.map((l) => [l, 0])) as Record<FaultLabel, number>;
  let faulted = 0;
  let rateLimited = 0;
  for (const r of log) {
    if (r.fault === undefined) {
      if (r.status === 429) rateLimited += 1;
      continue;
    }
    faulted += 1;
    const label = (r.fault === "status" ? String(r.status) : r.fault) as FaultLabel;
    if (label in byFault) byFault[label] += 1;
  }
  return { requests: log.length, faulted, byFault, rateLimited };
}

export function addFigures(a: EmulatorFigures, b: EmulatorFigures): EmulatorFigures {
  const byFault = { ...a.byFault };
  for (const l of FAULT_LABELS) byFault[l] += b.byFault[l];
  return { requests: a.requests + b.requests, faulted: a.faulted + b.faulted, byFault, rateLimited: a.rateLimited + b.rateLimited };
}

export const noFigures = (): EmulatorFigures => emulatorFigures([]);
