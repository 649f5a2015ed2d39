/**
 * The end-state invariants of a reliability run: the emulator holds exactly the keys the state says,
 * with the state's (and the program's) properties; no orphan, no duplicate; every key in state has its
 * value, and the value authenticates as the key's owner exactly when the key is active.
 */
import type { RunningEmulator } from "../../emulator";
import { isPaletteError, PaletteClient } from "../../sdk";
import type { MiniEngine } from "./engine";
import type { Props } from "./program";

export interface InvariantReport {
  stateKeys: number;
  emulatorKeys: number;
  /** Keys in the emulator that no state entry (live or pending delete) knows. */
  orphans: string[];
  /** State entries whose key is not in the emulator. */
  missing: string[];
  /** uids held by two state entries, or (owner, name) pairs held by two keys. */
  duplicates: string[];
  /** Properties that differ between the emulator, the state's outputs and its checked inputs. */
  mismatches: string[];
  /** State entries without a key value. */
  withoutValue: string[];
  /** Values that did not authenticate as their owner (active keys) or did (revoked keys). */
  valueFailures: string[];
  /** Values checked against the emulator. */
  valuesChecked: number;
  pendingDeletes: number;
  initErrors: number;
}

/** Every way the report says the run did not converge; empty when it did. */
export function violations(r: InvariantReport): string[] {
  return [
    ...r.orphans.map((x) => `orphan: ${x}`),
    ...r.missing.map((x) => `missing: ${x}`),
    ...r.duplicates.map((x) => `duplicate: ${x}`),
    ...r.mismatches.map((x) => `mismatch: ${x}`),
    ...r.withoutValue.map((x) => `no value: ${x}`),
    ...r.valueFailures.map((x) => `value: ${x}`),
    ...(r.pendingDeletes > 0 ? [`${r.pendingDeletes} pending deletes`] : []),
    ...(r.initErrors > 0 ? [`${r.initErrors} resources with init errors`] : []),
  ];
}

export interface InvariantOptions {
  /** uid of the user the provider authenticates as: the owner of keys whose program names none. */
  callerUid: string;
  /** Authenticate every value against the emulator (needs faults off). */
  verifyValues: boolean;
}

/** Compares the engine's state with the emulator. Turn faults (and the rate limit) off first. */
export async function checkInvariants(emu: RunningEmulator, engine: MiniEngine, o: InvariantOptions): Promise<InvariantReport> {
  const live = emu.keys().filter((k) => !k.seeded);
  const byUid = new Map(live.map((k) => [k.uid, k]));
  const uidByEmail = new Map([emu.accounts.admin, ...emu.accounts.users].map((a) => [a.email.toLowerCase(), a.uid]));
  const known = new Set<string>();
  const report: InvariantReport = {
    stateKeys: engine.resources.size,
    emulatorKeys: live.length,
    orphans: [],
    missing: [],
    duplicates: [],
    mismatches: [],
    withoutValue: [],
    valueFailures: [],
    valuesChecked: 0,
    pendingDeletes: engine.pendingDeletes.length,
    initErrors: [...engine.resources.values()].filter((r) => r.initErrors).length,
  };

  for (const id of [...[...engine.resources.values()].map((r) => r.id), ...engine.pendingDeletes.map((p) => p.id)]) {
    if (known.has(id)) report.duplicates.push(`uid ${id} in state twice`);
    known.add(id);
  }
  const pairs = new Set<string>();
  for (const k of live) {
    if (!known.has(k.uid)) report.orphans.push(`${k.uid} "${k.name}" of ${k.ownerUid}`);
    const pair = `${k.ownerUid}/${k.name}`;
    if (pairs.has(pair)) report.duplicates.push(`two keys named "${k.name}" of ${k.ownerUid}`);
    pairs.add(pair);
  }

  for (const [name, r] of engine.resources) {
    const k = byUid.get(r.id);
    if (k === undefined) {
      report.missing.push(`${name} (${r.id})`);
      continue;
    }
    const owner = expectedOwner(r.inputs, o.callerUid, uidByEmail);
    const expect: [string, unknown, unknown, unknown][] = [
      ["name", k.name, r.outputs.name, r.inputs.name],
      ["description", k.description, r.outputs.description, r.inputs.description],
      ["expiresAt", k.expiresAt.toISOString(), r.outputs.expiresAt, r.inputs.expiresAt],
      ["active", k.active, r.outputs.active, r.inputs.active],
      ["owner", k.ownerUid, r.outputs.userUid, owner],
    ];
    for (const [prop, palette, output, input] of expect) {
      if (palette !== output || palette !== input) {
        report.mismatches.push(`${name}.${prop}: palette ${String(palette)}, state ${String(output)}, program ${String(input)}`);
      }
    }
    if (typeof r.outputs.key !== "string" || r.outputs.key === "") report.withoutValue.push(name);
  }

  if (o.verifyValues) {
    for (const [name, r] of engine.resources) {
      const k = byUid.get(r.id);
      if (k === undefined || typeof r.outputs.key !== "string" || r.outputs.key === "") continue;
      report.valuesChecked += 1;
      const who = await authenticate(emu.url, r.outputs.key);
      if (k.active && who !== k.ownerUid) report.valueFailures.push(`${name}: active key's value authenticated as ${who}`);
      if (!k.active && who !== "refused") report.valueFailures.push(`${name}: revoked key's value was not refused (${who})`);
    }
  }
  return report;
}

function expectedOwner(inputs: Props, callerUid: string, uidByEmail: Map<string, string>): string | undefined {
  const user = inputs.user as { uid?: unknown; email?: unknown } | undefined;
  if (user === undefined) return callerUid;
  if (typeof user.uid === "string") return user.uid;
  return typeof user.email === "string" ? uidByEmail.get(user.email.toLowerCase()) : undefined;
}

/** The user uid a key value authenticates as; "refused" for a 401. */
export async function authenticate(url: string, value: string): Promise<string> {
  const client = new PaletteClient({ host: url, auth: { apiKey: value }, retry: false, rateLimit: false, timeoutMs: 5_000 });
  try {
    return (await client.users.me()).userUid;
  } catch (e) {
    if (isPaletteError(e) && e.code === "UNAUTHENTICATED") return "refused";
    return `error ${isPaletteError(e) ? e.code : String(e)}`;
  } finally {
    await client.close();
  }
}
