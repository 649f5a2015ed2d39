/**
 * What the provider adds to the requests it sends: each operation (read, update, create) taken
 * through the REAL dynamic-provider host, against the same host answering a `check` with the
 * operation's payload (a call that makes no request) plus the very requests the operation sent,
 * replayed as raw HTTP from this process to the emulator's (emulator-process.ts). The three run
 * interleaved, one of each per round, so a neighbour's load on the machine falls on all three alike.
 *
 * Pacing is off on both sides (the emulator's limiter and the provider's client): it spaces requests
 * by design, and would time the rate limit, not the provider. The requests an operation sends are read
 * from the emulator's log, so the replay follows whatever the provider sends now.
 *
 * A raw call that has a use for its answer parses it: the replay reads a JSON answer as undici's
 * `body.json()` would (a create cannot find its key in a list it has not parsed). The time that takes
 * is also kept apart, so the ratio against the body read as text alone is printed beside the goal's.
 */
import { Pool } from "undici";
import type { ProviderClient } from "../../runner/provider-client";
import type { EmulatorProcess, LoggedRequest } from "./emulator-process";
import { programInputs, providerText, type Props } from "./program";

const TYPE = "pulumi-nodejs:dynamic/palette:ApiKey";
const urn = (name: string): string => `urn:pulumi:dev::palette-overhead::${TYPE}::${name}`;
const DAY_MS = 86_400_000;

export const OVERHEAD_OPS = ["read", "update", "create"] as const;
export type OverheadOp = (typeof OVERHEAD_OPS)[number];

/** Issue 10: an operation through the host takes at most this multiple of (no-request call + raw requests). */
export const OVERHEAD_GOAL = 1.25;

export interface OverheadFigures {
  op: OverheadOp;
  rounds: number;
  /** Requests the operation sent, per operation (from the emulator's log). */
  requestsPerOp: number;
  /** Totals over the measured rounds, ms. */
  opMs: number;
  noRequestMs: number;
  rawMs: number;
  /** opMs / (noRequestMs + rawMs) over all rounds: swayed by other processes' bursts on a shared machine. */
  ratio: number;
  /** Median of the per-round ratios: the goal's figure (at most {@link OVERHEAD_GOAL}). */
  medianRatio: number;
  /** The share of `rawMs` spent parsing JSON answers. */
  rawParseMs: number;
  /** Median of the per-round ratios against raw requests whose answers are read as text and not parsed. */
  medianRatioUnparsed: number;
}

export interface OverheadOptions {
  emu: EmulatorProcess;
  host: ProviderClient;
  /** Measured rounds per operation. */
  rounds: number;
  /** Rounds run first and not counted (JIT, connection set-up, the provider's one-off questions). */
  warmup: number;
  /** Which operations (default all three). */
  ops?: readonly OverheadOp[];
}

/** One raw HTTP client for the replays, kept alive like the provider's own. */
class RawClient {
  private readonly pool: Pool;
  /** A key of the replays' own: their PUTs change it, not the key the provider manages. */
  private scratch = "";

  constructor(
    url: string,
    private readonly apiKey: string,
  ) {
    this.pool = new Pool(url, { connections: 4 });
  }

  async start(): Promise<void> {
    // Palette answers a create with the owner's uid, not the key's: find the key by name.
    await this.send("POST", "/v1/apiKeys", keyBody("raw-scratch", "the replays' own key"));
    const list = JSON.parse(await this.send("GET", "/v1/apiKeys", undefined)) as { items?: { metadata?: { name?: string; uid?: string } }[] };
    const uid = list.items?.find((k) => k.metadata?.name === "raw-scratch")?.metadata?.uid;
    if (uid === undefined) throw new Error("overhead bench: the replays' own key was not created");
    this.scratch = uid;
  }

  /** Sends `r` again, with a body of the kind the provider sends on that route; returns the ms spent parsing its answer. */
  async replay(r: LoggedRequest, round: number): Promise<number> {
    const path = r.method === "PUT" ? r.path.replace(/^\/v1\/apiKeys\/[^/]+/, `/v1/apiKeys/${this.scratch}`) : r.path;
    const { text, json } = await this.answer(r.method, path, replayBody(r, round));
    if (!json || text === "") return 0;
    const t = performance.now();
    JSON.parse(text);
    return performance.now() - t;
  }

  private async send(method: string, path: string, body: string | undefined): Promise<string> {
    return (await this.answer(method, path, body)).text;
  }

  private async answer(method: string, path: string, body: string | undefined): Promise<{ text: string; json: boolean }> {
    const res = await this.pool.request({
      method: method as "GET",
      path,
      headers: { ApiKey: this.apiKey, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
    const type = res.headers["content-type"];
    return { text: await res.body.text(), json: typeof type === "string" && type.startsWith("application/json") };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** The body of a create (POST) or an update (PUT) of a key: name, description, an expiry 30 days on. */
function keyBody(name: string, description: string): string {
  return JSON.stringify({ metadata: { name, annotations: { description } }, spec: { expiry: new Date(Date.now() + 30 * DAY_MS).toISOString() } });
}

/** A body like the provider's for the request `r` (the log keeps no bodies). */
function replayBody(r: LoggedRequest, round: number): string | undefined {
  if (r.method === "GET" || r.method === "DELETE") return undefined;
  if (r.method === "POST" && r.path === "/v1/apiKeys") return keyBody(`raw-${round}`, "overhead");
  if (r.method === "PUT" && /^\/v1\/apiKeys\/[^/]+\/state$/.test(r.path)) return JSON.stringify({ isActive: true });
  if (r.method === "PUT" && /^\/v1\/apiKeys\/[^/]+$/.test(r.path)) return keyBody(`raw-put-${round}`, `raw ${round}`);
  if (r.method === "POST" && r.path === "/v1/users/summary") return JSON.stringify({ filter: { emailId: { eq: "nobody@example.com", ignoreCase: true } } });
  throw new Error(`overhead bench: no replay body for ${r.method} ${r.path}; teach replayBody this route`);
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await f();
  return [v, performance.now() - t];
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** One round: the operation, then the no-request call, then the operation's requests raw. */
type Round = (i: number) => Promise<{ opMs: number; noRequestMs: number; sent: LoggedRequest[] }>;

/**
 * Runs the rounds, counterbalanced: whichever process goes first after a pause pays for waking up
 * (about a millisecond on a busy machine), so even rounds replay the operation's requests after it,
 * odd rounds replay the previous round's requests (the same routes) before it.
 */
async function measure(op: OverheadOp, o: OverheadOptions, raw: RawClient, round: Round): Promise<OverheadFigures> {
  const per: { opMs: number; noRequestMs: number; rawMs: number; parseMs: number; requests: number }[] = [];
  // Observed like the other two (a mark in the emulator's log just before), so that each of the
  // three reaches an emulator in the same state; the log also proves the replay sent as many requests.
  const replay = async (sent: readonly LoggedRequest[], i: number): Promise<{ rawMs: number; parseMs: number }> => {
    let parseMs = 0;
    const replayed = await observed(o.emu, async () => {
      for (const r of sent) parseMs += await raw.replay(r, i);
    });
    if (replayed.sent.length !== sent.length) throw new Error(`overhead bench: the replay sent ${replayed.sent.length} requests, not ${sent.length}`);
    return { rawMs: replayed.ms, parseMs };
  };
  let previous: LoggedRequest[] = [];
  for (let i = 0; i < o.warmup + o.rounds; i++) {
    const before = i % 2 === 1 ? await replay(previous, i) : undefined;
    const { opMs, noRequestMs, sent } = await round(i);
    const { rawMs, parseMs } = before ?? (await replay(sent, i));
    if (i % 2 === 1 && sent.length !== previous.length) throw new Error(`overhead bench: ${op} sent ${sent.length} requests, the round before ${previous.length}`);
    previous = sent;
    if (i >= o.warmup) per.push({ opMs, noRequestMs, rawMs, parseMs, requests: sent.length });
  }
  const sum = (f: (p: (typeof per)[number]) => number): number => per.reduce((n, p) => n + f(p), 0);
  const opMs = sum((p) => p.opMs);
  const noRequestMs = sum((p) => p.noRequestMs);
  const rawMs = sum((p) => p.rawMs);
  return {
    op,
    rounds: per.length,
    requestsPerOp: sum((p) => p.requests) / per.length,
    opMs,
    noRequestMs,
    rawMs,
    ratio: opMs / (noRequestMs + rawMs),
    medianRatio: median(per.map((p) => p.opMs / (p.noRequestMs + p.rawMs))),
    rawParseMs: sum((p) => p.parseMs),
    medianRatioUnparsed: median(per.map((p) => p.opMs / (p.noRequestMs + p.rawMs - p.parseMs))),
  };
}

/** Times `f` and returns what it sent to the emulator. */
async function observed<T>(emu: EmulatorProcess, f: () => Promise<T>): Promise<{ value: T; ms: number; sent: LoggedRequest[] }> {
  const mark = await emu.mark();
  const [value, ms] = await timed(f);
  return { value, ms, sent: await emu.since(mark) };
}

/**
 * The call that makes no request: `check`, with the payload of the operation (the engine's own check
 * before a create or an update, and before a read's key is diffed). Its one-off questions
 * (credentials) are answered in the warm-up; a request after that fails the bench.
 */
async function noRequest(emu: EmulatorProcess, host: ProviderClient, name: string, olds: Props, news: Props): Promise<{ inputs: Props; ms: number }> {
  const { value, ms, sent } = await observed(emu, () => host.check(name, olds, news));
  if (sent.length > 0) throw new Error(`overhead bench: check sent ${sent.map((r) => `${r.method} ${r.path}`).join(", ")}`);
  if (value.failures.length > 0) throw new Error(`overhead bench: check failed: ${JSON.stringify(value.failures)}`);
  return { inputs: value.inputs, ms };
}

/** read, update and create, `o.rounds` of each after `o.warmup`, through `o.host` (configured, pacing off). */
export async function measureOverhead(o: OverheadOptions): Promise<OverheadFigures[]> {
  const { emu, host } = o;
  const provider = await providerText();
  const raw = new RawClient(emu.url, emu.admin.apiKey);
  await raw.start();
  const ops = new Set(o.ops ?? OVERHEAD_OPS);
  const figures: OverheadFigures[] = [];
  try {
    const name = urn("overhead");
    // The first check of a process asks Palette once whether the credentials work: not a round.
    const program = (description: string): Props => programInputs("overhead", { description }, provider);
    const first = await host.check(name, {}, program("overhead"));
    const made = await host.create(name, first.inputs);
    const key = { id: made.id, inputs: first.inputs, outputs: made.properties };

    if (ops.has("read"))
      figures.push(
        await measure("read", o, raw, async () => {
          const check = await noRequest(emu, host, name, key.inputs, program("overhead"));
          const read = await observed(emu, () => host.read(key.id, name, key.outputs, key.inputs));
          return { opMs: read.ms, noRequestMs: check.ms, sent: read.sent };
        }),
      );

    if (ops.has("update")) {
      let olds = key.outputs;
      let oldInputs = key.inputs;
      figures.push(
        await measure("update", o, raw, async (i) => {
          const check = await noRequest(emu, host, name, oldInputs, program(`overhead ${i}`));
          const update = await observed(emu, () => host.update(key.id, name, olds, check.inputs, oldInputs));
          olds = update.value.properties;
          oldInputs = check.inputs;
          return { opMs: update.ms, noRequestMs: check.ms, sent: update.sent };
        }),
      );
    }

    if (ops.has("create"))
      figures.push(
        await measure("create", o, raw, async (i) => {
          const n = `overhead-new-${i}`;
          const check = await noRequest(emu, host, urn(n), {}, programInputs(n, { description: "overhead" }, provider));
          const create = await observed(emu, () => host.create(urn(n), check.inputs));
          return { opMs: create.ms, noRequestMs: check.ms, sent: create.sent };
        }),
      );
    return figures;
  } finally {
    await raw.close();
  }
}
