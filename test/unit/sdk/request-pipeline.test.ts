import { z } from "zod";
import { TransportFailure } from "../../../sdk/http/transport";
import { isPaletteError, type PaletteError } from "../../../sdk";
import { harness, json, noContent, pathOf, v1Error, type SentRequest } from "./support";

const Ok = z.object({ ok: z.boolean() });
const get = { method: "GET", path: "/v1/apiKeys", response: Ok, mode: "retry" } as const;

async function failure(p: Promise<unknown>): Promise<PaletteError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!isPaletteError(e)) throw new Error(`expected a PaletteError, got ${String(e)}`);
  return e;
}

describe("RequestPipeline", () => {
  test("sends the ApiKey header, JSON accept, user agent; parses the body", async () => {
    const h = harness({ handler: () => json(200, { ok: true, extra: 1 }) });
    await expect(h.pipeline.send(h.begin("t"), get)).resolves.toEqual({ ok: true });
    expect(h.sent[0]?.headers).toMatchObject({ ApiKey: "test-api-key-0000000000000000000", accept: "application/json", "user-agent": "test" });
    expect(h.sent[0]?.headers).not.toHaveProperty("content-type");
  });

  test("ProjectUid goes only to project-scoped paths", async () => {
    const h = harness({ handler: () => json(200, { ok: true }), projectUid: "p-1" });
    await h.pipeline.send(h.begin("t"), get);
    await h.pipeline.send(h.begin("t"), { ...get, path: "/v1/spectroclusters" });
    expect(h.sent[0]?.headers).not.toHaveProperty("ProjectUid");
    expect(h.sent[1]?.headers).toMatchObject({ ProjectUid: "p-1" });
  });

  test("query parameters are encoded into the URL, the error path has none", async () => {
    const h = harness({ handler: () => v1Error(400, "InvalidRequest") });
    const e = await failure(h.pipeline.send(h.begin("t"), { ...get, path: "/v1/users", query: { continue: "a b&c" } }));
    expect(h.sent[0]?.url).toBe("https://palette.test/v1/users?continue=a+b%26c");
    expect(e.path).toBe("/v1/users");
  });

  test("retries 503 and connection resets, then succeeds, with backoff waits", async () => {
    const answers = [v1Error(503, "Unavailable"), new TransportFailure("connection", "ECONNRESET"), json(200, { ok: true })];
    const h = harness({ handler: () => answers.shift()! });
    await expect(h.pipeline.send(h.begin("t"), get)).resolves.toEqual({ ok: true });
    expect(h.sent).toHaveLength(3);
    expect(h.clock.sleeps).toEqual([5, 10]); // full jitter with random 0.5: 0.5 * 10, 0.5 * 20
    expect(h.events.filter((e) => e.type === "retry").map((e) => e.code)).toEqual(["SERVER", "CONNECTION"]);
  });

  test("a connect that never came up is retried per reason, also in mode once (nothing was sent)", async () => {
    const answers = [new TransportFailure("connection", "EAI_AGAIN", { connect: "dns-temporary" }), json(200, { ok: true })];
    const h = harness({ handler: () => answers.shift()! });
    await expect(h.pipeline.send(h.begin("t"), { ...get, mode: "once" })).resolves.toEqual({ ok: true });
    expect(h.sent).toHaveLength(2);

    const refused = harness({ handler: () => new TransportFailure("connection", "ECONNREFUSED", { connect: "refused" }) });
    const e = await failure(refused.pipeline.send(refused.begin("t"), get));
    expect(e).toMatchObject({ code: "CONNECTION", connectFailure: "refused", attempts: 1, mayHaveReachedServer: false });
    expect(e.message).toContain("cannot connect to palette.test:443 (connection refused)");
  });

  test("an error says whether any attempt may have reached Palette", async () => {
    const answers = [new TransportFailure("connection", "ECONNRESET"), new TransportFailure("connection", "ENOTFOUND", { connect: "dns" })];
    const h = harness({ handler: () => answers.shift()! });
    // The reset came after the request went out: the later DNS failure does not make the call clean.
    expect(await failure(h.pipeline.send(h.begin("t"), get))).toMatchObject({ connectFailure: "dns", attempts: 2, mayHaveReachedServer: true });
    const answered = harness({ handler: () => v1Error(400, "InvalidRequest") });
    expect(await failure(answered.pipeline.send(answered.begin("t"), get))).toMatchObject({ mayHaveReachedServer: true });
  });

  test("gives up after maxRetries with the last error and the attempt count", async () => {
    const h = harness({ handler: () => v1Error(502, "BadGateway"), retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 1 } });
    const e = await failure(h.pipeline.send(h.begin("t"), get));
    expect(e).toMatchObject({ code: "SERVER", status: 502, attempts: 3 });
    expect(h.sent).toHaveLength(3);
  });

  test("never retries a 4xx, nor anything with retry false or mode once", async () => {
    for (const [status, code] of [[400, "INVALID_REQUEST"], [403, "FORBIDDEN"], [404, "NOT_FOUND"], [409, "CONFLICT"]] as const) {
      const h = harness({ handler: () => v1Error(status, "X") });
      expect(await failure(h.pipeline.send(h.begin("t"), get))).toMatchObject({ code, attempts: 1 });
      expect(h.sent).toHaveLength(1);
    }
    const off = harness({ handler: () => v1Error(503, "X"), retry: false });
    await failure(off.pipeline.send(off.begin("t"), get));
    expect(off.sent).toHaveLength(1);
    const once = harness({ handler: () => new TransportFailure("timeout", "UND_ERR_HEADERS_TIMEOUT") });
    expect(await failure(once.pipeline.send(once.begin("t"), { ...get, mode: "once" }))).toMatchObject({ code: "TIMEOUT", attempts: 1 });
    expect(once.sent).toHaveLength(1);
  });

  test("honours Retry-After (capped at maxDelayMs) on 429", async () => {
    const answers = [v1Error(429, "TooManyRequests", "slow", { "retry-after": "1" }), json(200, { ok: true })];
    const h = harness({ handler: () => answers.shift()!, retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 5_000 } });
    await h.pipeline.send(h.begin("t"), get);
    expect(h.clock.sleeps).toEqual([1_000]);
    const capped = [v1Error(429, "TooManyRequests", "slow", { "retry-after": "60" }), json(200, { ok: true })];
    const h2 = harness({ handler: () => capped.shift()!, retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 200 } });
    await h2.pipeline.send(h2.begin("t"), get);
    expect(h2.clock.sleeps).toEqual([200]);
  });

  test("does not start a backoff wait that would pass the deadline", async () => {
    const h = harness({
      handler: () => v1Error(429, "TooManyRequests", "slow", { "retry-after": "5" }),
      retry: { maxRetries: 5, baseDelayMs: 10, maxDelayMs: 10_000 },
      deadlineMs: 3_000,
    });
    const e = await failure(h.pipeline.send(h.begin("t"), get));
    expect(e).toMatchObject({ code: "RATE_LIMITED", retryAfterMs: 5_000, attempts: 1 });
    expect(h.clock.sleeps).toEqual([]);
  });

  test("the per-attempt timeout never exceeds what is left of the deadline", async () => {
    const h = harness({
      handler: (req) => {
        h.clock.now += req.timeoutMs;
        return new TransportFailure("timeout", "ATTEMPT_TIMEOUT");
      },
      timeoutMs: 400,
      deadlineMs: 1_000,
      retry: { maxRetries: 10, baseDelayMs: 0, maxDelayMs: 0 },
    });
    const e = await failure(h.pipeline.send(h.begin("t"), get));
    expect(e.code).toBe("TIMEOUT");
    expect(h.sent.map((r) => r.timeoutMs)).toEqual([400, 400, 200]);
  });

  test("an aborted signal stops before sending and during a backoff wait", async () => {
    const ac = new AbortController();
    ac.abort();
    const h = harness({ handler: () => json(200, { ok: true }) });
    expect(await failure(h.pipeline.send(h.begin("t", { signal: ac.signal }), get))).toMatchObject({ code: "ABORTED" });
    expect(h.sent).toHaveLength(0);

    const ac2 = new AbortController();
    const h2 = harness({
      handler: () => {
        ac2.abort();
        return v1Error(503, "X");
      },
    });
    expect(await failure(h2.pipeline.send(h2.begin("t", { signal: ac2.signal }), get))).toMatchObject({ code: "ABORTED" });
    expect(h2.sent).toHaveLength(1);
  });

  test("a transport abort is ABORTED, not retried", async () => {
    const h = harness({ handler: () => new TransportFailure("aborted", "ABORTED") });
    expect(await failure(h.pipeline.send(h.begin("t"), get))).toMatchObject({ code: "ABORTED", attempts: 1 });
    expect(h.sent).toHaveLength(1);
  });

  test("a 2xx body of the wrong shape is RESPONSE_INVALID with issues, not retried", async () => {
    const h = harness({ handler: () => json(200, { ok: "yes" }) });
    const e = await failure(h.pipeline.send(h.begin("t"), get));
    expect(e).toMatchObject({ code: "RESPONSE_INVALID", status: 200 });
    expect(e.issues?.[0]?.path).toBe("ok");
    const h2 = harness({ handler: () => ({ status: 200, headers: {}, body: "<html>" }) });
    expect((await failure(h2.pipeline.send(h2.begin("t"), get))).issues).toEqual([{ path: "", message: "body is not JSON" }]);
    expect(h2.sent).toHaveLength(1);
  });

  test("204 without a schema resolves undefined; a request body is JSON with content-type", async () => {
    const h = harness({ handler: () => noContent() });
    await expect(h.pipeline.send(h.begin("t"), { method: "PUT", path: "/v1/apiKeys/x/state", body: { isActive: false }, mode: "retry" })).resolves.toBeUndefined();
    expect(h.sent[0]).toMatchObject({ body: '{"isActive":false}', headers: { "content-type": "application/json" } });
  });

  test("DELETE: a 404 after an ambiguous attempt is success, a first 404 is NOT_FOUND", async () => {
    const answers = [new TransportFailure("connection", "UND_ERR_SOCKET"), v1Error(404, "ResourceNotFound")];
    const h = harness({ handler: () => answers.shift()! });
    const del = { method: "DELETE", path: "/v1/apiKeys/k", mode: "retry", notFoundAfterAmbiguousIsSuccess: true } as const;
    await expect(h.pipeline.send(h.begin("t"), del)).resolves.toBeUndefined();
    const h2 = harness({ handler: () => v1Error(404, "ResourceNotFound") });
    expect(await failure(h2.pipeline.send(h2.begin("t"), del))).toMatchObject({ code: "NOT_FOUND" });
  });

  test("validateBody rejects a bad body before sending", () => {
    const h = harness({ handler: () => noContent() });
    const Strict = z.strictObject({ name: z.string().min(1) });
    let err: unknown;
    try {
      h.pipeline.validateBody(h.begin("apiKeys.create"), "POST", "/v1/apiKeys", Strict, { name: "", extra: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "INVALID_REQUEST", attempts: 0 });
    expect((err as PaletteError).issues?.map((i) => i.path).sort()).toEqual(["", "name"]);
    expect(h.sent).toHaveLength(0);
  });

  test("log events carry method, path, status, attempt and delay, and no secret", async () => {
    const answers = [v1Error(503, "X", "bad test-api-key-0000000000000000000"), json(200, { ok: true })];
    const h = harness({ handler: () => answers.shift()! });
    await h.pipeline.send(h.begin("apiKeys.list"), get);
    expect(h.events.map((e) => [e.type, e.attempt, e.status])).toEqual([
      ["request", 1, undefined],
      ["response", 1, 503],
      ["retry", 1, 503],
      ["request", 2, undefined],
      ["response", 2, 200],
    ]);
    expect(h.events[2]).toMatchObject({ operation: "apiKeys.list", method: "GET", path: "/v1/apiKeys", delayMs: 5 });
    expect(JSON.stringify(h.events)).not.toContain("test-api-key");
  });

  test("a throwing logger never breaks a call", async () => {
    const h = harness({ handler: () => json(200, { ok: true }) });
    (h.pipeline.deps as { logger?: unknown }).logger = () => {
      throw new Error("logger broke");
    };
    await expect(h.pipeline.send(h.begin("t"), get)).resolves.toEqual({ ok: true });
  });
});

describe("token sessions", () => {
  const jwtFor = (n: number, expSec: number): string =>
    `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ n, exp: expSec })).toString("base64url")}.sig${n}`;
  const T0 = Date.parse("2025-01-01T00:00:00Z");

  function palette(opts: { refuseRefresh?: boolean; expiredAfter?: number } = {}) {
    let now = T0;
    let issued = 0;
    const valid = new Set<string>();
    const handler = (req: SentRequest) => {
      const p = pathOf(req);
      if (p === "/v1/auth/authenticate") {
        const body = JSON.parse(req.body ?? "{}") as { emailId?: string; password?: string };
        if (body.password !== "pw-correct-horse") return v1Error(401, "UnAuthorizedAccess", "wrong password");
        const t = jwtFor(++issued, Math.floor(now / 1000) + 900);
        valid.add(t);
        return json(200, { Authorization: t, isMfa: false });
      }
      if (p.startsWith("/v1/auth/refresh/")) {
        const old = decodeURIComponent(p.slice("/v1/auth/refresh/".length));
        if (opts.refuseRefresh === true || !valid.has(old)) return v1Error(401, "UnAuthorizedAccess", "refresh refused");
        const t = jwtFor(++issued, Math.floor(now / 1000) + 900);
        valid.add(t);
        return json(200, { Authorization: t, isMfa: false });
      }
      const token = req.headers["Authorization"];
      if (token === undefined || !valid.has(token)) return v1Error(401, "UnAuthorizedAccess", "bad token");
      return json(200, { ok: true });
    };
    return {
      handler,
      now: () => new Date(now),
      advance: (ms: number) => (now += ms),
      revokeAll: () => valid.clear(),
    };
  }
  const creds = { username: "bob@palette.local", password: "pw-correct-horse" };
  const paths = (sent: SentRequest[]): string[] => sent.map((r) => pathOf(r).replace(/refresh\/.*/, "refresh/{token}"));

  test("logs in once for concurrent calls (single flight) and sends the raw JWT", async () => {
    const p = palette();
    const h = harness({ handler: p.handler, auth: creds, now: p.now });
    await Promise.all(Array.from({ length: 5 }, () => h.pipeline.send(h.begin("t"), get)));
    expect(paths(h.sent).filter((x) => x === "/v1/auth/authenticate")).toHaveLength(1);
    const login = h.sent[0]!;
    expect(JSON.parse(login.body ?? "")).toEqual({ emailId: "bob@palette.local", password: "pw-correct-horse" });
    expect(login.headers).not.toHaveProperty("Authorization");
    expect(h.sent[1]?.headers["Authorization"]).toMatch(/^eyJ/);
  });

  test("refreshes when less than 2 of the 15 minutes remain, not before", async () => {
    const p = palette();
    const h = harness({ handler: p.handler, auth: creds, now: p.now });
    await h.pipeline.send(h.begin("t"), get);
    p.advance(12 * 60_000);
    await h.pipeline.send(h.begin("t"), get);
    expect(paths(h.sent)).toEqual(["/v1/auth/authenticate", "/v1/apiKeys", "/v1/apiKeys"]);
    p.advance(2 * 60_000);
    await h.pipeline.send(h.begin("t"), get);
    expect(paths(h.sent).slice(3)).toEqual(["/v1/auth/refresh/{token}", "/v1/apiKeys"]);
    expect(h.sent[4]?.headers["Authorization"]).not.toBe(h.sent[2]?.headers["Authorization"]);
  });

  test("logs in again when the token has expired, and when a refresh is refused", async () => {
    const p = palette();
    const h = harness({ handler: p.handler, auth: creds, now: p.now });
    await h.pipeline.send(h.begin("t"), get);
    p.advance(16 * 60_000);
    await h.pipeline.send(h.begin("t"), get);
    expect(paths(h.sent)).toEqual(["/v1/auth/authenticate", "/v1/apiKeys", "/v1/auth/authenticate", "/v1/apiKeys"]);

    const p2 = palette({ refuseRefresh: true });
    const h2 = harness({ handler: p2.handler, auth: creds, now: p2.now });
    await h2.pipeline.send(h2.begin("t"), get);
    p2.advance(14 * 60_000);
    await h2.pipeline.send(h2.begin("t"), get);
    expect(paths(h2.sent)).toEqual(["/v1/auth/authenticate", "/v1/apiKeys", "/v1/auth/refresh/{token}", "/v1/auth/authenticate", "/v1/apiKeys"]);
  });

  test("re-logs in once on a 401 and repeats the request", async () => {
    const p = palette();
    const h = harness({ handler: p.handler, auth: creds, now: p.now });
    await h.pipeline.send(h.begin("t"), get);
    p.revokeAll();
    await expect(h.pipeline.send(h.begin("t"), get)).resolves.toEqual({ ok: true });
    expect(paths(h.sent)).toEqual(["/v1/auth/authenticate", "/v1/apiKeys", "/v1/apiKeys", "/v1/auth/authenticate", "/v1/apiKeys"]);
  });

  test("a wrong password is UNAUTHENTICATED from auth.login, with advice and without the password", async () => {
    const p = palette();
    const h = harness({ handler: p.handler, auth: { username: "bob@palette.local", password: "pw-wrong-horse" }, now: p.now });
    const e = await failure(h.pipeline.send(h.begin("apiKeys.list"), get));
    expect(e).toMatchObject({ code: "UNAUTHENTICATED", operation: "auth.login", path: "/v1/auth/authenticate" });
    expect(e.message).toContain("check the username and password");
    expect(JSON.stringify(e) + String(e) + (e.stack ?? "")).not.toContain("pw-wrong-horse");
  });

  test("a static token gets no renewal: 401 is final", async () => {
    const h = harness({ handler: () => v1Error(401, "UnAuthorizedAccess"), auth: { token: "eyJhbGciOiJIUzI1NiJ9.e30.sig" } });
    const e = await failure(h.pipeline.send(h.begin("t"), get));
    expect(e).toMatchObject({ code: "UNAUTHENTICATED", attempts: 1 });
    expect(h.sent[0]?.headers["Authorization"]).toBe("eyJhbGciOiJIUzI1NiJ9.e30.sig");
    expect(e.message).toContain("tokens last 15 minutes");
  });

  test("the refresh path never shows the token in errors or logs", async () => {
    const p = palette();
    let failRefresh = false;
    const h = harness({
      handler: (req) => (failRefresh && pathOf(req).startsWith("/v1/auth/refresh/") ? v1Error(500, "Internal") : p.handler(req)),
      auth: creds,
      now: p.now,
      retry: { maxRetries: 1, baseDelayMs: 0, maxDelayMs: 0 },
    });
    await h.authenticator.login(h.begin("auth.login"));
    failRefresh = true;
    p.advance(14 * 60_000);
    // A refresh that fails for a non-auth reason keeps the still-valid token.
    await expect(h.pipeline.send(h.begin("t"), get)).resolves.toEqual({ ok: true });
    expect(paths(h.sent)).toEqual(["/v1/auth/authenticate", "/v1/auth/refresh/{token}", "/v1/auth/refresh/{token}", "/v1/apiKeys"]);
    const shown = JSON.stringify(h.events);
    expect(shown).toContain("/v1/auth/refresh/{token}");
    expect(shown).not.toMatch(/eyJ/);
  });
});
