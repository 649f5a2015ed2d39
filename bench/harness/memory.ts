/**
 * Memory at tenant scale, each process measured alone after forced garbage collections: the emulator
 * holding 10,000 keys, and the REAL dynamic-provider host after refreshing 500 keys, then refreshing
 * them 10 times more (a leak check: the heap after each round, and its slope).
 *
 * Pacing is off on both sides, as it changes when requests leave, not what is kept.
 */
import * as fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Pool } from "undici";
import { ProviderClient, secretConfig } from "../../runner/provider-client";
import { EmulatorProcess } from "./emulator-process";
import { hostProbeEnv } from "./sdk-probe";
import { providerText, type Props } from "./program";

const TYPE = "pulumi-nodejs:dynamic/palette:ApiKey";
const urn = (name: string): string => `urn:pulumi:dev::palette-memory::${TYPE}::${name}`;
const DAY_MS = 86_400_000;

export interface EmulatorMemory {
  keys: number;
  bytesPerKey: number;
}

export interface LeakCheck {
  keys: number;
  /** Heap after the first refresh, minus the heap before it (one key read), per key: compiled code included. */
  bytesPerKey: number;
  /** Heap (bytes) after each measured round (after {@link SETTLING_ROUNDS} more), each after a forced GC. */
  rounds: number[];
  /** Least-squares growth per round, bytes. */
  slopePerRound: number;
  /** The slope stays under {@link LEAK_THRESHOLD_PER_KEY} bytes per key per round. */
  leaks: boolean;
}

/**
 * The slope that counts as a leak. Anything kept per read (a key's JSON is about 600 B, its uid
 * alone with a map entry about 100 B) grows the heap by that much per key per round; a heap that
 * keeps nothing still grows a little as V8 compiles more code (tens of KB a round, not per key).
 */
export const LEAK_THRESHOLD_PER_KEY = 128;

/** Refreshes run after the first and before the measured rounds, so that compiled code settles. */
const SETTLING_ROUNDS = 2;

/** POSTs `count` keys as the tenant admin, `parallel` at a time. */
async function postKeys(pool: Pool, apiKey: string, prefix: string, count: number, parallel = 20): Promise<void> {
  const expiry = new Date(Date.now() + 30 * DAY_MS).toISOString();
  for (let i = 0; i < count; i += parallel) {
    await Promise.all(
      Array.from({ length: Math.min(parallel, count - i) }, async (_, j) => {
        const body = JSON.stringify({ metadata: { name: `${prefix}-${i + j}`, annotations: { description: "a typical description of a key" } }, spec: { expiry } });
        const res = await pool.request({ method: "POST", path: "/v1/apiKeys", headers: { ApiKey: apiKey, "content-type": "application/json" }, body });
        await res.body.text();
        if (res.statusCode !== 201) throw new Error(`POST /v1/apiKeys -> ${res.statusCode}`);
      }),
    );
  }
}

/** The emulator's heap per stored key (its request-log entry included: the log keeps the last 10,000). */
export async function emulatorMemory(keys = 10_000): Promise<EmulatorMemory> {
  const emu = await EmulatorProcess.start({ keyLimitPerUser: keys + 100, rateLimit: false });
  const pool = new Pool(emu.url, { connections: 20 });
  try {
    await postKeys(pool, emu.admin.apiKey, "warm", 50); // code paths compiled before the baseline
    const before = await emu.heapUsed();
    await postKeys(pool, emu.admin.apiKey, "mem", keys);
    const after = await emu.heapUsed();
    return { keys, bytesPerKey: Math.round((after - before) / keys) };
  } finally {
    await pool.close();
    await emu.close();
  }
}

/** Least-squares slope of `ys` against 0, 1, 2, ... */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return den === 0 ? 0 : num / den;
}

/** The host's heap after a forced GC, read through the probe preload (SIGUSR2 appends it to `file`). */
async function hostHeap(host: ProviderClient, file: string): Promise<number> {
  const lines = (): string[] => fs.readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
  const seen = lines().length;
  if (host.pid === undefined) throw new Error("memory bench: the provider host has no pid");
  process.kill(host.pid, "SIGUSR2");
  for (let waited = 0; waited < 60_000; waited += 20) {
    const now = lines();
    if (now.length > seen) return Number(now[now.length - 1]);
    await sleep(20);
  }
  throw new Error("memory bench: the provider host did not report its heap");
}

/** Refreshes 500 keys through one provider host, then 10 more times; `dir` holds the heap reports. */
export async function providerLeakCheck(repo: string, dir: string, keys = 500, rounds = 10, parallel = 16): Promise<LeakCheck> {
  const emu = await EmulatorProcess.start({ keyLimitPerUser: keys + 10, rateLimit: false });
  const heapFile = `${dir}/provider-heap.txt`;
  fs.writeFileSync(heapFile, "");
  const env = { ...hostProbeEnv(undefined, { rateLimit: false }), PALETTE_PROBE_HEAP: heapFile };
  const host = await ProviderClient.start({ cwd: repo, env: { SPECTROCLOUD_HOST: undefined, SPECTROCLOUD_APIKEY: undefined, ...env } });
  const pool = new Pool(emu.url, { connections: 20 });
  try {
    await host.configure({ "palette:host": emu.url, "palette:apiKey": secretConfig(emu.admin.apiKey) });
    await postKeys(pool, emu.admin.apiKey, "leak", keys);
    const listed = JSON.parse(await (await pool.request({ method: "GET", path: "/v1/apiKeys", headers: { ApiKey: emu.admin.apiKey } })).body.text()) as {
      items: { metadata: { uid: string; name: string } }[];
    };
    const uids = listed.items.filter((k) => k.metadata.name.startsWith("leak-")).map((k) => k.metadata.uid);
    if (uids.length !== keys) throw new Error(`memory bench: ${uids.length} keys listed, ${keys} made`);
    // The stack's state, as `pulumi import` would record it: each key read once by uid.
    const text = await providerText();
    const state = new Map<string, { outputs: Props; inputs: Props }>();
    const refresh = async (): Promise<void> => {
      for (let i = 0; i < uids.length; i += parallel) {
        await Promise.all(
          uids.slice(i, i + parallel).map(async (uid) => {
            const was = state.get(uid) ?? { outputs: { __provider: text }, inputs: { __provider: text } };
            const r = await host.read(uid, urn(uid), was.outputs, was.inputs);
            if (r.id !== uid) throw new Error(`memory bench: ${uid} read as gone`);
            state.set(uid, { outputs: r.properties, inputs: r.inputs });
          }),
        );
      }
    };
    await host.read(uids[0] ?? "", urn("warm"), { __provider: text }, { __provider: text }); // code paths loaded before the baseline
    const before = await hostHeap(host, heapFile);
    await refresh();
    const first = await hostHeap(host, heapFile);
    for (let r = 0; r < SETTLING_ROUNDS; r++) await refresh();
    const heaps: number[] = [];
    for (let r = 0; r < rounds; r++) {
      await refresh();
      heaps.push(await hostHeap(host, heapFile));
    }
    const perRound = slope(heaps);
    return {
      keys,
      bytesPerKey: Math.round((first - before) / keys),
      rounds: heaps,
      slopePerRound: Math.round(perRound),
      leaks: perRound > LEAK_THRESHOLD_PER_KEY * keys,
    };
  } finally {
    await pool.close();
    await host.close();
    await emu.close();
  }
}
