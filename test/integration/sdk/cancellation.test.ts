/**
 * The caller's AbortSignal against the emulator: what has not been sent fails at once, saying
 * nothing was sent; a write already on the wire runs to its end, and a create whose POST went out
 * returns its key (after a late answer, and after a lost one reconciled by name and owner).
 */
import type { RunningEmulator } from "../../../emulator";
import type { PaletteClient, PaletteLogEvent } from "../../../sdk";
import { clientFor, closeClients, collected, extraSecrets, failureOf, inDays, keyAuth, leaks, remember, seedSecrets, startEmu } from "./support";

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmu();
});
afterEach(() => {
  emu.faults.clear();
  emu.reset();
});
afterAll(async () => {
  await closeClients();
  await emu.close();
});

const managed = (): string[] => emu.keys().filter((k) => !k.seeded).map((k) => k.name).sort();
const posts = (): number => emu.requests().filter((r) => r.method === "POST" && r.path === "/v1/apiKeys").length;

/** A client whose `abort` fires as the first request with `method` on `path` goes on the wire. */
function abortingOnSend(method: string, path: RegExp, overrides: Parameters<typeof clientFor>[2] = {}): { client: PaletteClient; signal: AbortSignal } {
  const ac = new AbortController();
  const logger = (e: PaletteLogEvent): void => {
    if (e.type === "request" && e.method === method && path.test(e.path)) ac.abort();
  };
  return { client: clientFor(emu, keyAuth(emu.accounts.admin), { ...overrides, logger }), signal: ac.signal };
}

describe("a write already sent is never abandoned", () => {
  test("a create aborted once its POST is on the wire waits for the late answer and returns the key", async () => {
    emu.faults.add({ method: "POST", path: "/v1/apiKeys", action: { kind: "latency", ms: 400, afterHandling: true } });
    const { client, signal } = abortingOnSend("POST", /^\/v1\/apiKeys$/);
    const created = remember(await client.apiKeys.create({ name: "late-answer", expiresAt: inDays(emu, 7) }, { signal }));
    expect(signal.aborted).toBe(true);
    expect(created.apiKey.name).toBe("late-answer");
    expect(emu.keys().find((k) => k.name === "late-answer")?.uid).toBe(created.apiKey.uid);
    expect(managed()).toEqual(["late-answer"]);
  });

  test.each<[string, { kind: "lostResponse" } | { kind: "status"; status: number }, string]>([
    // The POST made the key, then the answer was lost: the key (its value gone) is deleted.
    ["whose answer is lost", { kind: "lostResponse" }, "The key made by the lost attempt was deleted; nothing was left behind."],
    // A 503 made nothing: there is nothing to delete.
    ["answered 503", { kind: "status", status: 503 }, "No key was left behind."],
  ])("a create aborted once its POST is on the wire, %s, sends no second POST and leaves no key", async (_label, action, note) => {
    emu.faults.add({ method: "POST", path: "/v1/apiKeys", times: Infinity, action });
    const { client, signal } = abortingOnSend("POST", /^\/v1\/apiKeys$/);
    const e = await failureOf(client.apiKeys.create({ name: "lost-answer", expiresAt: inDays(emu, 7) }, { signal }));
    expect(signal.aborted).toBe(true);
    // A new write after the cancel would be one the caller no longer wants.
    expect(posts()).toBe(1);
    expect(managed()).toEqual([]);
    expect(e).toMatchObject({ code: "ABORTED", mayHaveReachedServer: true });
    expect(e.orphanedKeyName).toBeUndefined();
    expect(e.message).toContain("cancelled after the request was sent, so it was not tried again");
    expect(e.message).toContain(note);
    expect(e.message).not.toContain("nothing was changed");
  });

  test("a delete and an update aborted once sent finish", async () => {
    const admin = clientFor(emu, keyAuth(emu.accounts.admin));
    const a = remember(await admin.apiKeys.create({ name: "to-delete", expiresAt: inDays(emu, 7) }));
    const b = remember(await admin.apiKeys.create({ name: "to-rename", description: "old", expiresAt: inDays(emu, 7) }));
    emu.faults.add({ method: "DELETE", action: { kind: "latency", ms: 200, afterHandling: true } });
    emu.faults.add({ method: "PUT", action: { kind: "latency", ms: 200, afterHandling: true } });
    const del = abortingOnSend("DELETE", /^\/v1\/apiKeys\//);
    await del.client.apiKeys.delete(a.apiKey.uid, { signal: del.signal });
    const put = abortingOnSend("PUT", /^\/v1\/apiKeys\//);
    const updated = await put.client.apiKeys.update(b.apiKey.uid, { name: "renamed", description: "new", expiresAt: inDays(emu, 8) }, { signal: put.signal });
    expect([del.signal.aborted, put.signal.aborted]).toEqual([true, true]);
    expect(updated).toMatchObject({ uid: b.apiKey.uid, name: "renamed", description: "new" });
    expect(managed()).toEqual(["renamed"]);
  });
});

describe("what has not been sent fails at once", () => {
  test("a create whose signal aborted before it started fails ABORTED, saying nothing was sent, and sends nothing", async () => {
    const admin = clientFor(emu, keyAuth(emu.accounts.admin));
    const ac = new AbortController();
    ac.abort();
    const before = emu.requests().length;
    const e = await failureOf(admin.apiKeys.create({ name: "never", expiresAt: inDays(emu, 7) }, { signal: ac.signal }));
    expect(e).toMatchObject({ code: "ABORTED", mayHaveReachedServer: false });
    expect(e.message).toContain("cancelled; nothing was sent");
    expect(e.orphanedKeyName).toBeUndefined();
    expect(emu.requests().length).toBe(before);
    expect(managed()).toEqual([]);
  });

  test("creates queued behind the pacer fail at once when aborted; each one already sent returns its key", async () => {
    // One POST a second after a burst of 2: of 8 creates, the first go out, the rest wait their turn.
    const ac = new AbortController();
    let sent = 0;
    const logger = (e: PaletteLogEvent): void => {
      if (e.type === "request" && e.method === "POST") sent += 1;
      if (sent === 2) ac.abort();
    };
    const client = clientFor(emu, keyAuth(emu.accounts.admin), { rateLimit: { perSecond: 1, burst: 2 }, logger });
    const names = Array.from({ length: 8 }, (_, i) => `paced-${i}`);
    const results = await Promise.allSettled(names.map((name) => client.apiKeys.create({ name, expiresAt: inDays(emu, 7) }, { signal: ac.signal })));
    const made = results.flatMap((r) => (r.status === "fulfilled" ? [remember(r.value).apiKey.name] : []));
    const failed = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    collected.push(...failed);
    expect(made.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    for (const f of failed) expect(f).toMatchObject({ code: "ABORTED", mayHaveReachedServer: false, message: expect.stringContaining("nothing was sent") });
    // Every key Palette holds was returned to its caller.
    expect(managed()).toEqual([...made].sort());
    expect(posts()).toBe(made.length);
  });

  test("a read aborted in flight still stops at once, saying nothing was changed", async () => {
    emu.faults.add({ method: "GET", path: "/v1/apiKeys", action: { kind: "latency", ms: 5_000 } });
    const { client, signal } = abortingOnSend("GET", /^\/v1\/apiKeys$/);
    const e = await failureOf(client.apiKeys.list({ signal }));
    expect(e).toMatchObject({ code: "ABORTED" });
    expect(e.message).toContain("nothing was changed");
  });
});

test("no error of this file carries a secret", () => {
  expect(leaks([...seedSecrets(emu), ...extraSecrets])).toEqual([]);
});
