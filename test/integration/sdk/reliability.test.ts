/**
 * Retries, pacing, timeouts and the create that survives a lost answer, against the emulator's
 * rate limit and fault injection.
 */
import type { RunningEmulator } from "../../../emulator";
import { performance } from "node:perf_hooks";
import { PaletteClient, type PaletteLogEvent } from "../../../sdk";
import { DEFAULT_RATE_LIMIT } from "../../../sdk/config";
import { clientFor, closeClients, collected, extraSecrets, failureOf, inDays, keyAuth, leaks, remember, seedSecrets, startEmu } from "./support";

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmu();
});
afterEach(async () => {
  await closeClients();
  emu.reset();
  emu.setRateLimit(false);
});
afterAll(async () => {
  await closeClients();
  await emu.close();
});

const admin = () => emu.accounts.admin;
const alice = () => emu.accounts.users[0]!;
const statuses = (method: string, path: string | RegExp): number[] =>
  emu
    .requests()
    .filter((r) => r.method === method && (typeof path === "string" ? r.path === path : path.test(r.path)))
    .map((r) => r.status);

describe("rate limit", () => {
  // Whether a burst meets 429s depends on timing (a starved process sends paced requests in a clump),
  // so these tests check the guarantee, every call succeeding; `npm run bench` reports the 429s seen.
  test("a burst of 30 calls through one client with default pacing and retries: every call succeeds", async () => {
    emu.setRateLimit({ perSecond: 10, burst: 5 });
    const client = new PaletteClient({ host: emu.url, auth: keyAuth(admin()) });
    try {
      const results = await Promise.all(Array.from({ length: 30 }, () => client.apiKeys.list()));
      expect(results.every((keys) => keys.length >= 2)).toBe(true);
    } finally {
      await client.close();
    }
    const seen = statuses("GET", "/v1/apiKeys");
    expect(seen.filter((s) => s === 200)).toHaveLength(30);
    expect(seen.filter((s) => s !== 200 && s !== 429)).toEqual([]);
  });

  test("a 429 despite pacing: the client sends nothing on that prefix until its Retry-After has passed, and every call succeeds", async () => {
    emu.faults.add({ method: "GET", path: "/v1/apiKeys", times: 1, action: { kind: "status", status: 429, code: "TooManyRequests", retryAfterSeconds: 1 } });
    // Stamped on the pacer's own clock; with an API key nothing is awaited between a slot and its `request` event.
    const log: { at: number; event: PaletteLogEvent }[] = [];
    const client = clientFor(emu, keyAuth(admin()), {
      rateLimit: DEFAULT_RATE_LIMIT,
      retry: { maxRetries: 4, baseDelayMs: 1, maxDelayMs: 2_000 },
      logger: (event) => log.push({ at: performance.now(), event }),
    });
    const results = await Promise.all(Array.from({ length: 10 }, () => client.apiKeys.list()));
    expect(results).toHaveLength(10);
    const limitedAt = log.find((e) => e.event.type === "response" && e.event.status === 429)?.at ?? NaN;
    const sent = log.filter((e) => e.event.type === "request" && e.at > limitedAt).map((e) => e.at - limitedAt);
    expect(sent.length).toBeGreaterThan(0); // at least the retry of the call that met the 429
    expect(sent.filter((ms) => ms < 1_000)).toEqual([]);
    expect(statuses("GET", "/v1/apiKeys").filter((s) => s === 200)).toHaveLength(10);
  });

  test("with pacing off, 429s are retried after Retry-After and every call succeeds", async () => {
    emu.setRateLimit({ perSecond: 10, burst: 5 });
    const client = clientFor(emu, keyAuth(admin()), { rateLimit: false, retry: { maxRetries: 6, baseDelayMs: 1, maxDelayMs: 2_000 } });
    const results = await Promise.all(Array.from({ length: 12 }, () => client.apiKeys.list()));
    expect(results).toHaveLength(12);
    const seen = statuses("GET", "/v1/apiKeys");
    expect(seen.filter((s) => s === 200)).toHaveLength(12);
    expect(seen.filter((s) => s !== 200 && s !== 429)).toEqual([]);
  });

  test("429s beyond the retry budget end in RATE_LIMITED with Retry-After and the attempts made", async () => {
    emu.faults.add({ method: "GET", path: "/v1/apiKeys", times: Infinity, action: { kind: "status", status: 429, code: "TooManyRequests", retryAfterSeconds: 0 } });
    const client = clientFor(emu, keyAuth(admin()), { retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    const e = await failureOf(client.apiKeys.list());
    expect(e).toMatchObject({ code: "RATE_LIMITED", status: 429, paletteCode: "TooManyRequests", attempts: 3, retryAfterMs: 0 });
    expect(e.message).toContain("(3 attempts made)");
    expect(statuses("GET", "/v1/apiKeys")).toEqual([429, 429, 429]);
  });
});

describe("server errors and resets", () => {
  test("5xx answers are retried on GET, PUT and DELETE", async () => {
    const client = clientFor(emu, keyAuth(alice()));
    const { apiKey } = remember(await client.apiKeys.create({ name: "flaky", expiresAt: inDays(emu, 3) }));
    emu.faults.add({ method: "GET", path: "/v1/apiKeys", times: 2, action: { kind: "status", status: 503 } });
    emu.faults.add({ method: "PUT", path: `/v1/apiKeys/${apiKey.uid}/state`, times: 1, action: { kind: "status", status: 500 } });
    emu.faults.add({ method: "DELETE", path: `/v1/apiKeys/${apiKey.uid}`, times: 1, action: { kind: "status", status: 502 } });
    expect((await client.apiKeys.list()).some((k) => k.uid === apiKey.uid)).toBe(true);
    await client.apiKeys.setActive(apiKey.uid, false);
    expect(emu.keys().find((k) => k.uid === apiKey.uid)?.active).toBe(false);
    await client.apiKeys.delete(apiKey.uid);
    expect(emu.keys().some((k) => k.uid === apiKey.uid)).toBe(false);
    expect(statuses("GET", "/v1/apiKeys").slice(-3)).toEqual([503, 503, 200]);
    expect(statuses("PUT", /\/state$/)).toEqual([500, 204]);
    expect(statuses("DELETE", /^\/v1\/apiKeys\//)).toEqual([502, 204]);
  });

  test("5xx beyond the retry budget is SERVER with the ref and attempts", async () => {
    emu.faults.add({ method: "GET", path: "/v1/users/info", times: Infinity, action: { kind: "status", status: 503, code: "ServiceUnavailable", message: "maintenance" } });
    const e = await failureOf(clientFor(emu, keyAuth(alice())).users.me());
    expect(e).toMatchObject({ code: "SERVER", status: 503, paletteCode: "ServiceUnavailable", paletteMessage: "maintenance", attempts: 5 });
    expect(e.message).toContain(`quote ref ${e.ref ?? "?"}`);
  });

  test("dropped connections are retried (the change was not made)", async () => {
    const client = clientFor(emu, keyAuth(alice()));
    const { apiKey } = remember(await client.apiKeys.create({ name: "dropped", description: "a", expiresAt: inDays(emu, 3) }));
    emu.faults.add({ method: "GET", path: `/v1/apiKeys/${apiKey.uid}`, times: 2, action: { kind: "drop" } });
    emu.faults.add({ method: "PUT", path: `/v1/apiKeys/${apiKey.uid}`, times: 1, action: { kind: "drop" } });
    const updated = await client.apiKeys.update(apiKey.uid, { description: "b" });
    expect(updated.description).toBe("b");
    expect(emu.faults.stats.byKind.drop).toBe(3);
  });

  test("a DELETE whose answer is lost still succeeds (the retry's 404 is its own deletion)", async () => {
    const client = clientFor(emu, keyAuth(alice()));
    const { apiKey } = remember(await client.apiKeys.create({ name: "lost-delete", expiresAt: inDays(emu, 3) }));
    emu.faults.add({ method: "DELETE", path: `/v1/apiKeys/${apiKey.uid}`, action: { kind: "lostResponse" } });
    await client.apiKeys.delete(apiKey.uid);
    expect(emu.keys().some((k) => k.uid === apiKey.uid)).toBe(false);
  });

  test("connection failures beyond the budget are CONNECTION naming the host", async () => {
    emu.faults.add({ method: "GET", path: "/v1/apiKeys", times: Infinity, action: { kind: "drop" } });
    const e = await failureOf(clientFor(emu, keyAuth(alice()), { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } }).apiKeys.list());
    expect(e).toMatchObject({ code: "CONNECTION", attempts: 2, mayHaveReachedServer: true });
    expect(e.message).toContain(`Check that ${emu.url} is the Palette API host`);
  });
});

describe("timeouts and deadlines", () => {
  test("an attempt slower than timeoutMs is abandoned and retried", async () => {
    emu.faults.add({ method: "GET", path: "/v1/users/info", times: 1, action: { kind: "latency", ms: 1_000 } });
    const me = await clientFor(emu, keyAuth(alice()), { timeoutMs: 100 }).users.me();
    expect(me.userUid).toBe(alice().uid);
    expect(emu.faults.stats.byKind.latency).toBe(1);
  });

  test("the deadline ends the call with TIMEOUT, no hang, however many retries are allowed", async () => {
    emu.faults.add({ method: "GET", path: "/v1/users/info", times: Infinity, action: { kind: "latency", ms: 1_500 } });
    const client = clientFor(emu, keyAuth(alice()), { timeoutMs: 100, deadlineMs: 350, retry: { maxRetries: 50, baseDelayMs: 1, maxDelayMs: 5 } });
    const e = await failureOf(client.users.me());
    expect(e.code).toBe("TIMEOUT");
    // 50 retries of 100 ms would need 5 s; the 350 ms deadline allows at most 4 attempts (fewer when
    // the process is starved and a 100 ms timer fires late).
    expect(emu.faults.stats.byKind.latency).toBeGreaterThanOrEqual(1);
    expect(emu.faults.stats.byKind.latency).toBeLessThanOrEqual(4);
  });

  test("per-call options override the client's timeouts", async () => {
    emu.faults.add({ method: "GET", path: "/v1/users/info", times: Infinity, action: { kind: "latency", ms: 1_500 } });
    const client = clientFor(emu, keyAuth(alice()), { timeoutMs: 10_000, deadlineMs: 60_000 });
    const e = await failureOf(client.users.me({ timeoutMs: 50, deadlineMs: 120 }));
    expect(e.code).toBe("TIMEOUT");
    expect(e.message).toMatch(/within 50 ms|deadline of 120 ms/);
  });

  test("an AbortSignal cancels a call waiting on a slow answer", async () => {
    emu.faults.add({ method: "GET", path: "/v1/users/info", times: 1, action: { kind: "latency", ms: 1_500 } });
    const ac = new AbortController();
    const p = clientFor(emu, keyAuth(alice())).users.me({ signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    const e = await failureOf(p);
    expect(e.code).toBe("ABORTED");
  });
});

describe("create after an ambiguous failure", () => {
  test("a lost answer after commit: the call succeeds, one key of that name remains, and its value works", async () => {
    const client = clientFor(emu, keyAuth(alice()));
    emu.faults.add({ method: "POST", path: "/v1/apiKeys", action: { kind: "lostResponse" } });
    const created = remember(await client.apiKeys.create({ name: "survivor", description: "x", expiresAt: inDays(emu, 3) }));
    const named = emu.keys().filter((k) => k.name === "survivor");
    expect(named.map((k) => k.uid)).toEqual([created.apiKey.uid]);
    expect(emu.faults.stats.byKind.lostResponse).toBe(1);
    expect(statuses("POST", "/v1/apiKeys")).toHaveLength(2);
    expect(statuses("DELETE", /^\/v1\/apiKeys\//)).toEqual([204]);
    const viaKey = clientFor(emu, { apiKey: created.value });
    expect((await viaKey.users.me()).userUid).toBe(alice().uid);
  });

  test("a dropped create (nothing made) is retried without deleting anything", async () => {
    const client = clientFor(emu, keyAuth(admin()));
    emu.faults.add({ method: "POST", path: "/v1/apiKeys", action: { kind: "drop" } });
    const created = remember(await client.apiKeys.create({ name: "dropped-create", expiresAt: inDays(emu, 3), userUid: alice().uid }));
    expect(emu.keys().filter((k) => k.name === "dropped-create").map((k) => k.uid)).toEqual([created.apiKey.uid]);
    expect(statuses("DELETE", /^\/v1\/apiKeys\//)).toEqual([]);
  });

  test("a 503 and a timeout on create are retried; still exactly one key", async () => {
    const client = clientFor(emu, keyAuth(alice()), { timeoutMs: 200 });
    emu.faults.add({ method: "POST", path: "/v1/apiKeys", times: 1, action: { kind: "status", status: 503 } });
    emu.faults.add({ method: "POST", path: "/v1/apiKeys", times: 1, action: { kind: "latency", ms: 600 } });
    const created = remember(await client.apiKeys.create({ name: "stubborn", expiresAt: inDays(emu, 3) }));
    expect(emu.faults.stats.byKind).toMatchObject({ status: 1, latency: 1 });
    expect(emu.keys().filter((k) => k.name === "stubborn").map((k) => k.uid)).toEqual([created.apiKey.uid]);
  });

  test("when the answer is lost on every try, the call fails and leaves no key behind", async () => {
    const client = clientFor(emu, keyAuth(alice()), { retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    emu.faults.add({ method: "POST", path: "/v1/apiKeys", times: Infinity, action: { kind: "lostResponse" } });
    const e = await failureOf(client.apiKeys.create({ name: "doomed", expiresAt: inDays(emu, 3) }));
    expect(e).toMatchObject({ code: "CONNECTION", operation: "apiKeys.create" });
    expect(e.message).toContain("nothing was left behind");
    expect(emu.keys().filter((k) => k.name === "doomed")).toEqual([]);
    expect(statuses("POST", "/v1/apiKeys")).toHaveLength(3);
  });
});

test("no error thrown in this suite carries a secret, a JWT or a created key value", () => {
  expect(collected.length).toBeGreaterThanOrEqual(7);
  expect(leaks([...seedSecrets(emu), ...extraSecrets])).toEqual([]);
});
