import { TransportFailure } from "../../../sdk/http/transport";
import { failure, FakeClock, harness, json, noContent, pathOf, v1Error, type SentRequest } from "./support";

const ME = "aaaaaaaaaaaaaaaaaaaaaaa1";
const OTHER = "bbbbbbbbbbbbbbbbbbbbbbb2";
const EXPIRY = new Date("2025-02-01T00:00:00.000Z");

interface StoredKey {
  uid: string;
  name: string;
  owner: string;
  createdAt: string;
  value: string;
}

/** A minimal in-memory Palette for the create flow, with one scripted fault per request index. */
function fakePalette(opts: { createUid?: "key" | "user"; now?: string } = {}) {
  const keys: StoredKey[] = [];
  let seq = 0;
  const faults = new Map<number, "lostResponse" | "drop" | "503" | "429" | "timeout-after-commit" | "garbage-201">();
  let n = 0;
  const wire = (k: StoredKey) => ({
    metadata: { uid: k.uid, name: k.name, creationTimestamp: k.createdAt, annotations: { ownerUid: k.owner } },
    spec: { expiry: EXPIRY.toISOString(), user: { uid: k.owner, firstName: "F", lastName: "L" } },
    status: { isActive: true },
  });
  const handler = (req: SentRequest) => {
    n += 1;
    const fault = faults.get(n);
    const p = pathOf(req);
    if (fault === "drop") return new TransportFailure("connection", "UND_ERR_SOCKET");
    if (fault === "503") return v1Error(503, "ServiceUnavailable");
    if (fault === "429") return v1Error(429, "TooManyRequests", "slow", { "retry-after": "0" });
    if (p === "/v1/users/info") return json(200, { userUid: ME, tenantUid: "t", orgName: "o" });
    if (p === "/v1/apiKeys" && req.method === "GET") return json(200, { items: keys.map(wire) });
    if (p === "/v1/apiKeys" && req.method === "POST") {
      const body = JSON.parse(req.body ?? "{}") as { metadata: { name: string }; spec: { userUid?: string } };
      const owner = body.spec.userUid ?? ME;
      if (keys.some((k) => k.name === body.metadata.name && k.owner === owner)) return v1Error(409, "AlreadyExists");
      seq += 1;
      const k = { uid: `key${String(seq).padStart(21, "0")}`, name: body.metadata.name, owner, createdAt: opts.now ?? "2025-01-01T00:00:00.000Z", value: `value-${seq}-xxxxxxxxxxxxxxxxxxxx` };
      keys.push(k);
      if (fault === "lostResponse") return new TransportFailure("connection", "UND_ERR_SOCKET");
      if (fault === "timeout-after-commit") return new TransportFailure("timeout", "UND_ERR_HEADERS_TIMEOUT");
      if (fault === "garbage-201") return json(201, { nope: true });
      return json(201, { apiKey: k.value, uid: opts.createUid === "key" ? k.uid : owner });
    }
    const m = /^\/v1\/apiKeys\/([^/]+)$/.exec(p);
    if (m !== null) {
      const k = keys.find((x) => x.uid === m[1]);
      if (k === undefined) return v1Error(404, "ResourceNotFound");
      if (req.method === "GET") return json(200, wire(k));
      if (req.method === "DELETE") {
        keys.splice(keys.indexOf(k), 1);
        return noContent();
      }
    }
    return json(404, { code: 404, message: `path ${p} was not found` });
  };
  return { keys, faults, handler };
}

const calls = (sent: SentRequest[]): string[] => sent.map((r) => `${r.method} ${pathOf(r).replace(/key0+\d+|a{23}1/, "{uid}")}`);

describe("apiKeys.create", () => {
  test("finds the key of a user uid answer in one list, by name + owner: two requests, no identity lookup", async () => {
    const fp = fakePalette({ createUid: "user" });
    const h = harness({ handler: fp.handler });
    const created = await h.apiKeys.create({ name: "ci", description: "d", expiresAt: EXPIRY });
    expect(created.apiKey).toMatchObject({ uid: fp.keys[0]?.uid, name: "ci", user: { uid: ME } });
    expect(created.value).toBe(fp.keys[0]?.value);
    expect(calls(h.sent)).toEqual(["POST /v1/apiKeys", "GET /v1/apiKeys"]);
    expect(JSON.parse(h.sent[0]?.body ?? "")).toEqual({
      metadata: { name: "ci", annotations: { description: "d" } },
      spec: { expiry: "2025-02-01T00:00:00.000Z" },
    });
  });

  test("finds the key of a key uid answer in one list, by uid", async () => {
    const fp = fakePalette({ createUid: "key" });
    const h = harness({ handler: fp.handler });
    const created = await h.apiKeys.create({ name: "ci", expiresAt: EXPIRY, userUid: OTHER });
    expect(created.apiKey.user.uid).toBe(OTHER);
    expect(calls(h.sent)).toEqual(["POST /v1/apiKeys", "GET /v1/apiKeys"]);
    expect(JSON.parse(h.sent[0]?.body ?? "").spec).toEqual({ expiry: "2025-02-01T00:00:00.000Z", userUid: OTHER });
  });

  test.each(["user", "key"] as const)("concurrent creates (%s uid answers) share the lists that find their keys", async (createUid) => {
    const fp = fakePalette({ createUid });
    const h = harness({ handler: fp.handler });
    const made = await Promise.all(Array.from({ length: 8 }, (_, i) => h.apiKeys.create({ name: `ci-${i}`, expiresAt: EXPIRY })));
    expect(made.map((m) => m.apiKey.name)).toEqual(fp.keys.map((k) => k.name));
    expect(made.map((m) => m.apiKey.uid)).toEqual(fp.keys.map((k) => k.uid));
    const lists = calls(h.sent).filter((c) => c === "GET /v1/apiKeys").length;
    expect(calls(h.sent).filter((c) => c !== "GET /v1/apiKeys")).toEqual(Array.from({ length: 8 }, () => "POST /v1/apiKeys"));
    expect(lists).toBeLessThanOrEqual(2);
  });

  test.each(["lostResponse", "timeout-after-commit", "garbage-201"] as const)(
    "after a %s it deletes the lost key, retries, and ends with exactly one key",
    async (fault) => {
      const fp = fakePalette({ createUid: "key" });
      fp.faults.set(1, fault);
      const h = harness({ handler: fp.handler });
      const created = await h.apiKeys.create({ name: "ci", expiresAt: EXPIRY });
      expect(fp.keys).toHaveLength(1);
      expect(fp.keys[0]?.uid).toBe(created.apiKey.uid);
      expect(created.value).toBe(fp.keys[0]?.value);
      expect(calls(h.sent)).toEqual([
        "POST /v1/apiKeys",
        "GET /v1/users/info",
        "GET /v1/apiKeys",
        "DELETE /v1/apiKeys/{uid}",
        "POST /v1/apiKeys",
        "GET /v1/apiKeys",
      ]);
    },
  );

  test("after a drop (nothing made) it lists, finds nothing and retries", async () => {
    const fp = fakePalette({ createUid: "key" });
    fp.faults.set(1, "drop");
    const h = harness({ handler: fp.handler });
    await h.apiKeys.create({ name: "ci", expiresAt: EXPIRY });
    expect(fp.keys).toHaveLength(1);
    expect(calls(h.sent)).toEqual(["POST /v1/apiKeys", "GET /v1/users/info", "GET /v1/apiKeys", "POST /v1/apiKeys", "GET /v1/apiKeys"]);
  });

  test("after 503 and 429 it reconciles and retries within the policy", async () => {
    const fp = fakePalette({ createUid: "key" });
    fp.faults.set(1, "503");
    fp.faults.set(4, "429");
    const h = harness({ handler: fp.handler });
    await h.apiKeys.create({ name: "ci", expiresAt: EXPIRY });
    expect(fp.keys).toHaveLength(1);
    expect(calls(h.sent).filter((c) => c === "POST /v1/apiKeys")).toHaveLength(3);
  });

  test("confirming the new key outlasts the pipeline's retries: one key, and its value returned", async () => {
    const fp = fakePalette({ createUid: "user" });
    // The confirm GET fails 4 times (1 + 3 retries), then its list fails 4 times more.
    for (let i = 2; i <= 5; i += 1) fp.faults.set(i, "503");
    for (let i = 8; i <= 11; i += 1) fp.faults.set(i, "drop");
    const h = harness({ handler: fp.handler });
    const created = await h.apiKeys.create({ name: "ci", expiresAt: EXPIRY });
    expect(fp.keys).toHaveLength(1);
    expect(created.apiKey.uid).toBe(fp.keys[0]?.uid);
    expect(created.value).toBe(fp.keys[0]?.value);
    expect(calls(h.sent).filter((c) => c === "POST /v1/apiKeys")).toHaveLength(1);
  });

  test("removing a lost key outlasts the pipeline's retries too, so no second key is made beside it", async () => {
    const fp = fakePalette({ createUid: "key" });
    fp.faults.set(1, "lostResponse");
    for (let i = 3; i <= 6; i += 1) fp.faults.set(i, "503");
    const h = harness({ handler: fp.handler });
    const created = await h.apiKeys.create({ name: "ci", expiresAt: EXPIRY });
    expect(fp.keys.map((k) => k.uid)).toEqual([created.apiKey.uid]);
  });

  test("a clear failure (4xx) is never retried", async () => {
    const fp = fakePalette();
    const h = harness({ handler: fp.handler });
    await h.apiKeys.create({ name: "ci", expiresAt: EXPIRY });
    const before = h.sent.length;
    const e = await failure(h.apiKeys.create({ name: "ci", expiresAt: EXPIRY }));
    expect(e).toMatchObject({ code: "CONFLICT", status: 409, operation: "apiKeys.create" });
    expect(h.sent.length - before).toBe(1);
  });

  test("never deletes an older key of the same name that predates the call", async () => {
    const fp = fakePalette({ createUid: "key" });
    fp.keys.push({ uid: "old000000000000000000001", name: "ci", owner: ME, createdAt: "2024-06-01T00:00:00.000Z", value: "old-value" });
    fp.faults.set(1, "drop");
    const h = harness({ handler: fp.handler });
    const e = await failure(h.apiKeys.create({ name: "ci", expiresAt: EXPIRY }));
    expect(e.code).toBe("CONFLICT");
    expect(fp.keys.map((k) => k.uid)).toEqual(["old000000000000000000001"]);
    expect(calls(h.sent)).not.toContain("DELETE /v1/apiKeys/{uid}");
  });

  test("when retries run out it cleans up and says nothing was left behind", async () => {
    const fp = fakePalette({ createUid: "key" });
    for (let i = 1; i <= 20; i += 1) fp.faults.set(i, i % 4 === 1 ? "lostResponse" : ("x" as never));
    const h = harness({ handler: fp.handler, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const e = await failure(h.apiKeys.create({ name: "ci", expiresAt: EXPIRY }));
    expect(e).toMatchObject({ code: "CONNECTION", operation: "apiKeys.create" });
    expect(e.message).toContain("nothing was left behind");
    expect(fp.keys).toHaveLength(0);
  });

  test("with retry false an ambiguous failure is cleaned up and reported, not retried", async () => {
    const fp = fakePalette({ createUid: "key" });
    fp.faults.set(1, "lostResponse");
    const h = harness({ handler: fp.handler, retry: false });
    const e = await failure(h.apiKeys.create({ name: "ci", expiresAt: EXPIRY }));
    expect(e.code).toBe("CONNECTION");
    expect(fp.keys).toHaveLength(0);
    expect(calls(h.sent).filter((c) => c === "POST /v1/apiKeys")).toHaveLength(1);
  });

  test("a cancel during the back-off after a lost answer ends the wait: the lost key is deleted and no second POST is sent", async () => {
    const fp = fakePalette({ createUid: "key" });
    fp.faults.set(1, "lostResponse");
    const ac = new AbortController();
    // The cancel arrives while create waits before its next POST (the POST itself went out before it).
    const clock = new (class extends FakeClock {
      override sleep(ms: number, signal?: AbortSignal): Promise<void> {
        ac.abort();
        return super.sleep(ms, signal);
      }
    })();
    const h = harness({ handler: fp.handler, clock });
    const e = await failure(h.apiKeys.create({ name: "ci", expiresAt: EXPIRY }, { signal: ac.signal }));
    expect(e).toMatchObject({ code: "ABORTED", mayHaveReachedServer: true, operation: "apiKeys.create" });
    expect(e.orphanedKeyName).toBeUndefined();
    expect(e.message).toContain("cancelled after the request was sent, so it was not tried again");
    expect(e.message).toContain("no usable answer (CONNECTION)");
    expect(e.message).toContain("The key made by the lost attempt was deleted; nothing was left behind.");
    expect(fp.keys).toHaveLength(0);
    expect(calls(h.sent)).toEqual(["POST /v1/apiKeys", "GET /v1/users/info", "GET /v1/apiKeys", "DELETE /v1/apiKeys/{uid}"]);
  });

  test("a cancel while the lost key is being removed lets the removal finish, then sends no second POST", async () => {
    const fp = fakePalette({ createUid: "key" });
    fp.faults.set(1, "lostResponse");
    const ac = new AbortController();
    const h = harness({
      handler: (req) => {
        // The clean-up's DELETE is on its way when the caller cancels.
        if (req.method === "DELETE") ac.abort();
        return fp.handler(req);
      },
    });
    const e = await failure(h.apiKeys.create({ name: "ci", expiresAt: EXPIRY }, { signal: ac.signal }));
    expect(e).toMatchObject({ code: "ABORTED", mayHaveReachedServer: true });
    expect(e.message).toContain("The key made by the lost attempt was deleted; nothing was left behind.");
    expect(fp.keys).toHaveLength(0);
    expect(calls(h.sent).filter((c) => c === "POST /v1/apiKeys")).toHaveLength(1);
  });

  test.each([
    ["refused", "ECONNREFUSED"],
    ["tls", "ERR_SSL_WRONG_VERSION_NUMBER"],
    ["dns", "ENOTFOUND"],
    ["certificate", "CERT_HAS_EXPIRED"],
  ] as const)("a connect that never came up (%s) made nothing: one attempt, no reconciliation, no warning", async (reason, code) => {
    const h = harness({ handler: () => new TransportFailure("connection", code, { connect: reason }) });
    const e = await failure(h.apiKeys.create({ name: "ci", expiresAt: EXPIRY }));
    expect(e).toMatchObject({ code: "CONNECTION", connectFailure: reason, mayHaveReachedServer: false, attempts: 1, operation: "apiKeys.create" });
    expect(calls(h.sent)).toEqual(["POST /v1/apiKeys"]);
    expect(e.message).not.toMatch(/may have been created|left behind/);
    expect(e.orphanedKeyName).toBeUndefined();
  });

  test("a temporary resolver failure is retried once without reconciling, and makes one key", async () => {
    const fp = fakePalette({ createUid: "key" });
    let first = true;
    const h = harness({
      handler: (req) => {
        if (!first) return fp.handler(req);
        first = false;
        return new TransportFailure("connection", "EAI_AGAIN", { connect: "dns-temporary" });
      },
    });
    const created = await h.apiKeys.create({ name: "ci", expiresAt: EXPIRY });
    expect(calls(h.sent)).toEqual(["POST /v1/apiKeys", "POST /v1/apiKeys", "GET /v1/apiKeys"]);
    expect(fp.keys.map((k) => k.uid)).toEqual([created.apiKey.uid]);
  });

  test("a key that may be left behind is named in a field, and the message names no SDK method", async () => {
    const fp = fakePalette({ createUid: "key" });
    fp.faults.set(1, "lostResponse");
    for (let i = 2; i <= 40; i += 1) fp.faults.set(i, "503");
    const h = harness({ handler: fp.handler, retry: { maxRetries: 0, baseDelayMs: 1, maxDelayMs: 1 } });
    const e = await failure(h.apiKeys.create({ name: "ci", expiresAt: EXPIRY }));
    expect(e).toMatchObject({ code: "CONNECTION", orphanedKeyName: "ci", mayHaveReachedServer: true });
    expect(e.message).toContain('A key named "ci" may have been created without its value reaching us: find it by name and delete it.');
    expect(e.message).not.toMatch(/findByName/);
  });

  test("a key created but not confirmed is named too", async () => {
    const fp = fakePalette({ createUid: "key" });
    for (let i = 2; i <= 400; i += 1) fp.faults.set(i, "503");
    const h = harness({ handler: fp.handler, deadlineMs: 5_000 });
    const e = await failure(h.apiKeys.create({ name: "ci", expiresAt: EXPIRY }));
    expect(e).toMatchObject({ code: "SERVER", orphanedKeyName: "ci" });
    expect(e.message).toContain('The key "ci" was created but could not be confirmed: find it by name and delete it.');
    expect(e.message).not.toMatch(/findByName/);
    expect(fp.keys).toHaveLength(1);
  });

  test("invalid params are rejected before anything is sent", async () => {
    const h = harness({ handler: fakePalette().handler });
    expect(await failure(h.apiKeys.create({ name: "", expiresAt: EXPIRY }))).toMatchObject({ code: "INVALID_REQUEST", attempts: 0 });
    expect(await failure(h.apiKeys.create({ name: " pad ", expiresAt: EXPIRY }))).toMatchObject({ code: "INVALID_REQUEST" });
    expect(await failure(h.apiKeys.create({ name: "ok", expiresAt: new Date("nope") }))).toMatchObject({ code: "INVALID_REQUEST" });
    expect(h.sent).toHaveLength(0);
  });

  test("created key values are redacted from then on", async () => {
    const fp = fakePalette({ createUid: "key" });
    const h = harness({ handler: fp.handler });
    const { value } = await h.apiKeys.create({ name: "ci", expiresAt: EXPIRY });
    expect(h.secrets.redact(`echo ${value}`)).toBe("echo [REDACTED]");
  });
});

describe("apiKeys.update and friends", () => {
  test("update fills missing fields from a GET, PUTs the full body and returns the key afterwards", async () => {
    const fp = fakePalette({ createUid: "key" });
    const puts: unknown[] = [];
    const h = harness({
      handler: (req) => {
        if (req.method === "PUT") {
          puts.push(JSON.parse(req.body ?? ""));
          return noContent();
        }
        return fp.handler(req);
      },
    });
    const { apiKey } = await h.apiKeys.create({ name: "ci", expiresAt: EXPIRY });
    const edited = h.sent.length;
    const after = await h.apiKeys.update(apiKey.uid, { description: "new" });
    // Nothing read back: the GET's view with the edit applied.
    expect(calls(h.sent.slice(edited))).toEqual(["GET /v1/apiKeys/{uid}", "PUT /v1/apiKeys/{uid}"]);
    expect(after).toMatchObject({ uid: apiKey.uid, name: "ci", description: "new", expiresAt: EXPIRY });
    expect(puts).toEqual([{ metadata: { name: "ci", annotations: { description: "new" } }, spec: { expiry: EXPIRY.toISOString() } }]);
    const before = h.sent.length;
    await h.apiKeys.update(apiKey.uid, { name: "n", description: "", expiresAt: EXPIRY });
    expect(calls(h.sent.slice(before))).toEqual(["PUT /v1/apiKeys/{uid}", "GET /v1/apiKeys/{uid}"]);
  });

  test("setActive sends an explicit boolean to /state; findByName filters by owner", async () => {
    const fp = fakePalette({ createUid: "key" });
    const bodies: string[] = [];
    const h = harness({
      handler: (req) => {
        if (req.method === "PUT") {
          bodies.push(`${pathOf(req).endsWith("/state")} ${req.body ?? ""}`);
          return noContent();
        }
        return fp.handler(req);
      },
    });
    await h.apiKeys.create({ name: "ci", expiresAt: EXPIRY });
    await h.apiKeys.setActive(fp.keys[0]!.uid, false);
    expect(bodies).toEqual(['true {"isActive":false}']);
    expect((await h.apiKeys.findByName("ci"))?.uid).toBe(fp.keys[0]?.uid);
    expect(await h.apiKeys.findByName("ci", OTHER)).toBeUndefined();
    expect(await h.apiKeys.findByName("nope")).toBeUndefined();
  });
});
