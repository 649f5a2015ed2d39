/**
 * The fault-convergence scenario: a stack of N ApiKeys taken through create (mixed options), in-place
 * updates, revoke and re-activate, owner changes (replacements) and destroy, against an emulator that
 * faults a share of all requests, each phase re-run the way a user re-runs `pulumi up` until it
 * succeeds (bounded). After every phase, with faults off: the invariants, and a preview that must
 * plan nothing.
 */
import type { RateLimitSettings, RunningEmulator } from "../../emulator";
import { MiniEngine, type EngineStats } from "./engine";
import { addFigures, emulatorFigures, injectedRetryAfterSeconds, injectFaults, noFigures, type EmulatorFigures } from "./faults";
import { checkInvariants, violations, type InvariantReport } from "./invariants";
import type { ProviderPort } from "./ports";
import { programInputs, providerText, type KeyArgs, type Props } from "./program";

export interface LifecycleOptions {
  emu: RunningEmulator;
  port: ProviderPort;
  keys: number;
  /** uid of the user the provider authenticates as (must be a tenant admin: the program makes keys for others). */
  callerUid: string;
  /** Share of requests faulted. @default 0.2 */
  faultRate?: number;
  /** Size of the latency fault. @default 100 */
  latencyMs?: number;
  /** The emulator's rate limit during the phases. */
  rateLimit: RateLimitSettings | false;
  /** `pulumi up` runs per phase at most (the first plus re-runs). @default 6 */
  maxRuns?: number;
  parallel?: number;
  callDeadlineMs?: number;
  log?: (line: string) => void;
}

export interface PhaseReport {
  phase: string;
  runs: number;
  /** Errors of the last run (empty: the phase converged). */
  errors: string[];
  invariants: InvariantReport;
  problems: string[];
  /** What a preview after the phase would still change (empty: converged). */
  pendingChanges: string[];
  emulator: EmulatorFigures;
}

export interface LifecycleReport {
  phases: PhaseReport[];
  stats: EngineStats;
  emulator: EmulatorFigures;
  /** Every phase converged with no invariant broken. */
  ok: boolean;
  reRuns: number;
  durationMs: number;
  engine: MiniEngine;
}

const DAY_MS = 86_400_000;
const day = (days: number): string => new Date(Date.now() + days * DAY_MS).toISOString().slice(0, 10);

type Owner = "caller" | "alice" | "bob";
const NEXT_OWNER: Record<Owner, Owner> = { caller: "alice", alice: "bob", bob: "caller" };

/** The program of phase `phase` (1..5) for key `i`; undefined when the key is not in that program. */
export function keyArgs(i: number, phase: number, emails: Record<Exclude<Owner, "caller">, string>): KeyArgs | undefined {
  if (phase >= 5 || (phase === 4 && i % 2 === 1)) return undefined;
  let owner: Owner = i % 6 === 1 ? "alice" : i % 6 === 2 ? "bob" : "caller";
  if (phase >= 3 && i % 7 === 0) owner = NEXT_OWNER[owner];
  const args: KeyArgs = {};
  if (i % 3 === 0) args.name = phase === 1 ? `rel-${i}` : `rel-${i}-b`;
  if (phase === 1 ? i % 2 === 0 : true) args.description = phase === 1 ? `key ${i}` : `key ${i} v2`;
  const expiry = i % 4;
  if (expiry === 1) args.expiresIn = phase === 1 ? "7d" : "14d";
  if (expiry === 2) args.expiresIn = "90d";
  if (expiry === 3) args.expiresAt = phase === 1 ? day(45) : day(60);
  if (phase === 1 && i % 5 === 0) args.active = false;
  if (phase === 2) {
    if (i % 5 === 0) args.active = true;
    if (i % 5 === 1) args.active = false;
  }
  if (owner !== "caller") args.user = { email: emails[owner] };
  return args;
}

const PHASES = ["create", "update in place, revoke", "re-activate, change owners", "remove half", "destroy"] as const;

export async function runLifecycle(o: LifecycleOptions): Promise<LifecycleReport> {
  const started = performance.now();
  const { emu } = o;
  const provider = await providerText();
  const [alice, bob] = emu.accounts.users;
  if (alice === undefined || bob === undefined) throw new Error("the emulator seeds alice and bob");
  const emails = { alice: alice.email, bob: bob.email };
  const engine = new MiniEngine({ port: o.port, parallel: o.parallel ?? 10, callDeadlineMs: o.callDeadlineMs ?? 60_000 });
  const phases: PhaseReport[] = [];
  let total = noFigures();

  for (const [index, phase] of PHASES.entries()) {
    const program = new Map<string, Props>();
    for (let i = 0; i < o.keys; i++) {
      const args = keyArgs(i, index + 1, emails);
      if (args !== undefined) program.set(`key-${i}`, programInputs(`key-${i}`, args, provider));
    }
    emu.setRateLimit(o.rateLimit);
    injectFaults(emu, o.faultRate ?? 0.2, o.latencyMs ?? 100, injectedRetryAfterSeconds(o.rateLimit));
    const from = emu.requests().length;
    const { runs, errors } = await engine.upUntilDone(program, o.maxRuns ?? 6);
    const figures = emulatorFigures(emu.requests().slice(from));
    total = addFigures(total, figures);

    // Verification talks to a quiet emulator: no faults, no rate limit.
    emu.faults.clear();
    emu.setRateLimit(false);
    const invariants = await checkInvariants(emu, engine, { callerUid: o.callerUid, verifyValues: index === 0 || index === 2 });
    const pendingChanges = await engine.pendingChanges(program);
    const problems = violations(invariants);
    phases.push({ phase, runs, errors, invariants, problems, pendingChanges, emulator: figures });
    o.log?.(
      `${phase}: ${runs} run(s), ${invariants.stateKeys} keys in state, ${invariants.emulatorKeys} in Palette, ` +
        `${figures.faulted}/${figures.requests} requests faulted, problems: ${problems.length + pendingChanges.length + errors.length}`,
    );
  }
  const ok = phases.every((p) => p.errors.length === 0 && p.problems.length === 0 && p.pendingChanges.length === 0);
  return {
    phases,
    stats: engine.stats,
    emulator: total,
    ok,
    reRuns: phases.reduce((n, p) => n + p.runs - 1, 0),
    durationMs: Math.round(performance.now() - started),
    engine,
  };
}
