/**
 * Requests Palette sees per provider operation, and wall time, through the REAL dynamic-provider host
 * at Palette's limit (10 requests/s, burst 5; the SDK paces at 9/s), counted in the emulator's request
 * log: refresh of 20/100/500 keys (all reads at once, as the engine refreshes with default
 * parallelism), `up` of 200 new keys at parallel 16 and 64, and one create, edit, revoke,
 * re-activation and delete. Each against its floor (the fewest requests the operation can take).
 */
import { startEmulator, type RunningEmulator } from "../../emulator";
import { ProviderClient, secretConfig } from "../../runner/provider-client";
import { PaletteClient } from "../../sdk";
import { forEachLimited } from "./engine";
import type { GoalRow } from "./goals";
import { programInputs, providerText, type KeyArgs, type Props } from "./program";

const TYPE = "pulumi-nodejs:dynamic/palette:ApiKey";
const urn = (name: string): string => `urn:pulumi:dev::palette-requests::${TYPE}::${name}`;
const PALETTE_LIMIT = { perSecond: 10, burst: 5 } as const;

export interface Measured {
  label: string;
  requests: number;
  floorRequests: number;
  ms: number;
  /** Wall-time floor, when the operation has one (N requests at Palette's 10/s). */
  floorMs?: number;
  rateLimited: number;
  /** Keys left in Palette that no state holds, or expected keys missing. */
  orphans?: number;
  failures: number;
  detail: string;
}

export interface RequestFigures {
  runs: Measured[];
}

/** The table `npm run bench` prints: each operation against its floor. */
export function requestRows({ runs }: RequestFigures): string[][] {
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  return runs.map((r) => [
    r.label,
    `${r.requests} / ${r.floorRequests} = ${(r.requests / r.floorRequests).toFixed(2)}`,
    s(r.ms),
    r.floorMs !== undefined ? `${s(r.floorMs)} = ${(r.ms / r.floorMs).toFixed(2)}` : "-",
    `${r.rateLimited} / ${r.failures}${r.orphans !== undefined ? ` / ${r.orphans}` : ""}`,
    r.detail,
  ]);
}

/** Issue 10's request-count goals, for the bench's summary table. */
export function requestGoals({ runs }: RequestFigures): GoalRow[] {
  const rows: GoalRow[] = [];
  const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  for (const r of runs) {
    const clean = r.failures === 0 && (r.orphans ?? 0) === 0;
    if (r.label === "refresh of 500 keys") {
      rows.push({ goal: "refresh of 500 keys through one provider process: <= 3 requests", measured: `${r.requests} requests (${r.detail})`, ratio: r.requests / 3, pass: clean && r.requests <= 3 });
      rows.push({ goal: "refresh of 500 keys through one provider process: <= 2 s", measured: secs(r.ms), ratio: r.ms / 2_000, pass: clean && r.ms <= 2_000 });
    } else if (r.label.startsWith("up of") && r.floorMs !== undefined) {
      const ratio = r.ms / r.floorMs;
      rows.push({
        goal: `${r.label}: <= 1.3 x N/10 s, 0 429s surfaced, 0 orphans`,
        measured: `${secs(r.ms)}, ${r.failures} failed, ${r.orphans ?? 0} orphans (${r.rateLimited} 429s absorbed)`,
        ratio,
        pass: clean && Number(ratio.toFixed(2)) <= 1.3,
      });
    } else if (!r.label.startsWith("refresh")) {
      const bound = r.label.startsWith("update") ? 2 : r.floorRequests;
      rows.push({ goal: `${r.label}: <= ${bound} requests`, measured: `${r.requests} (${r.detail})`, ratio: r.requests / bound, pass: clean && r.requests <= bound });
    }
  }
  return rows;
}

export const REQUEST_HEADER = ["", "requests / floor = ratio", "wall time", "time floor (N/10 s) = ratio", "429s / failed / orphans", "what Palette saw"];

interface Key {
  name: string;
  id: string;
  inputs: Props;
  outputs: Props;
}

async function hostFor(emu: RunningEmulator, repo: string, env: Record<string, string | undefined>): Promise<ProviderClient> {
  const host = await ProviderClient.start({ cwd: repo, env, callTimeoutMs: 180_000 });
  await host.configure({ "palette:host": emu.url, "palette:apiKey": secretConfig(emu.accounts.admin.apiKey) });
  return host;
}

/** What `run` made Palette see: requests by "METHOD path-shape", 429s, and the wall time. */
async function observe<T>(emu: RunningEmulator, run: () => Promise<T>): Promise<{ result: T; ms: number; shapes: string[]; rateLimited: number }> {
  const before = emu.requests().length;
  const started = performance.now();
  const result = await run();
  const ms = performance.now() - started;
  const seen = emu.requests().slice(before);
  return {
    result,
    ms,
    shapes: seen.map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{24}/g, "{uid}")}`),
    rateLimited: seen.filter((r) => r.status === 429).length,
  };
}

const tally = (shapes: string[]): string => {
  const counts = new Map<string, number>();
  for (const s of shapes) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, n]) => `${n}× ${s}`).join(", ");
};

/** Keys made straight through the SDK with the emulator's limit off: the fleet a refresh reads. */
async function seedKeys(emu: RunningEmulator, count: number, prefix: string): Promise<string[]> {
  emu.setRateLimit(false);
  const sdk = new PaletteClient({ host: emu.url, auth: { apiKey: emu.accounts.admin.apiKey }, rateLimit: false });
  try {
    const expiresAt = new Date(Date.now() + 30 * 86_400_000);
    const uids: string[] = [];
    for (let i = 0; i < count; i += 25) {
      const batch = Array.from({ length: Math.min(25, count - i) }, (_, j) => sdk.apiKeys.create({ name: `${prefix}-${i + j}`, description: "fleet", expiresAt }));
      uids.push(...(await Promise.all(batch)).map((m) => m.apiKey.uid));
    }
    return uids;
  } finally {
    await sdk.close();
    emu.setRateLimit(PALETTE_LIMIT);
  }
}

async function refreshRun(emu: RunningEmulator, repo: string, env: Record<string, string | undefined>, count: number): Promise<Measured> {
  const uids = await seedKeys(emu, count, `fleet${count}`);
  // State as `ApiKey.get` leaves it: the host needs only the serialized provider to read a key.
  const state = { __provider: await providerText() };
  // A fresh provider process, as `pulumi refresh` starts one: who the caller is is asked once too.
  const host = await hostFor(emu, repo, env);
  try {
    const { result, ms, shapes, rateLimited } = await observe(emu, () =>
      Promise.allSettled(uids.map((uid, i) => host.read(uid, urn(`fleet${count}-${i}`), state, {}))),
    );
    const failures = result.filter((r, i) => r.status === "rejected" || r.value.id !== uids[i]).length;
    return { label: `refresh of ${count} keys`, requests: shapes.length, floorRequests: 1, ms, rateLimited, failures, detail: tally(shapes) };
  } finally {
    await host.close();
  }
}

async function upRun(emu: RunningEmulator, repo: string, env: Record<string, string | undefined>, count: number, parallel: number): Promise<Measured> {
  const provider = await providerText();
  const host = await hostFor(emu, repo, env);
  const prefix = `up${parallel}`;
  const made: Key[] = [];
  let failures = 0;
  try {
    const names = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
    const { ms, shapes, rateLimited } = await observe(emu, () =>
      forEachLimited(names, parallel, async (name) => {
        try {
          const checked = await host.check(urn(name), {}, programInputs(name, { name, description: "up" }, provider));
          const created = await host.create(urn(name), checked.inputs);
          made.push({ name, id: created.id, inputs: checked.inputs, outputs: created.properties });
        } catch {
          failures += 1;
        }
      }),
    );
    const inPalette = emu.keys().filter((k) => k.name.startsWith(`${prefix}-`));
    const recorded = new Set(made.map((m) => m.id));
    const orphans = inPalette.filter((k) => !recorded.has(k.uid)).length + made.filter((m) => !inPalette.some((k) => k.uid === m.id && k.name === m.name)).length;
    return {
      label: `up of ${count} new keys, parallel ${parallel}`,
      requests: shapes.length,
      floorRequests: count,
      ms,
      floorMs: (count / PALETTE_LIMIT.perSecond) * 1000,
      rateLimited,
      orphans,
      failures,
      detail: tally(shapes),
    };
  } finally {
    await host.close();
  }
}

/** One of each single-key operation on a warm provider process (who the caller is already known). */
async function operationRuns(emu: RunningEmulator, repo: string, env: Record<string, string | undefined>): Promise<Measured[]> {
  const provider = await providerText();
  const host = await hostFor(emu, repo, env);
  const runs: Measured[] = [];
  const measure = async <T>(label: string, floorRequests: number, run: () => Promise<T>): Promise<T> => {
    const { result, ms, shapes, rateLimited } = await observe(emu, run);
    runs.push({ label, requests: shapes.length, floorRequests, ms, rateLimited, failures: 0, detail: tally(shapes) });
    return result;
  };
  const up = async (key: Key, args: KeyArgs): Promise<Key> => {
    const checked = await host.check(urn(key.name), key.inputs, programInputs(key.name, args, provider));
    const { properties } = await host.update(key.id, urn(key.name), key.outputs, checked.inputs, key.inputs);
    return { ...key, inputs: checked.inputs, outputs: properties };
  };
  try {
    const create = async (name: string, args: KeyArgs): Promise<Key> => {
      const checked = await host.check(urn(name), {}, programInputs(name, args, provider));
      const created = await host.create(urn(name), checked.inputs);
      return { name, id: created.id, inputs: checked.inputs, outputs: created.properties };
    };
    await create("ops-warm", { name: "ops-warm", description: "warm-up" }); // who the caller is, the owner's email
    let key = await measure("create", 2, () => create("ops", { name: "ops", description: "d" }));
    key = await measure("update name", 1, () => up(key, { name: "ops-renamed", description: "d" }));
    key = await measure("update description + expiry", 1, () => up(key, { name: "ops-renamed", description: "d2", expiresIn: "60d" }));
    key = await measure("revoke", 1, () => up(key, { name: "ops-renamed", description: "d2", expiresIn: "60d", active: false }));
    key = await measure("re-activate", 1, () => up(key, { name: "ops-renamed", description: "d2", expiresIn: "60d", active: true }));
    await measure("delete", 1, () => host.delete(key.id, urn(key.name), key.outputs));
    return runs;
  } finally {
    await host.close();
  }
}

export async function measureRequests(repo: string, env: Record<string, string | undefined>, log: (line: string) => void): Promise<RequestFigures> {
  const emu = await startEmulator({ keyLimitPerUser: 5_000, rateLimit: PALETTE_LIMIT });
  try {
    const runs: Measured[] = [];
    for (const count of [20, 100, 500]) {
      log(`requests: refresh of ${count} keys through a fresh provider process`);
      runs.push(await refreshRun(emu, repo, env, count));
    }
    for (const parallel of [16, 64]) {
      log(`requests: up of 200 new keys at parallel ${parallel} (about 25 s)`);
      runs.push(await upRun(emu, repo, env, 200, parallel));
    }
    log("requests: one create, edit, revoke, re-activation and delete");
    runs.push(...(await operationRuns(emu, repo, env)));
    return { runs };
  } finally {
    await emu.close();
  }
}
