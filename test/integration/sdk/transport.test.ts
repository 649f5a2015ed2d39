/**
 * The undici transport against a tiny node:http server of our own: resets, slow answers, non-JSON
 * bodies, aborts and connection reuse, without the emulator.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Pool } from "undici";
import { createDispatcher, MAX_RESPONSE_BYTES, sendHttp, TransportFailure, type Dispatcher } from "../../../sdk/http/transport";
import { PaletteClient, isPaletteError } from "../../../sdk";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let base: string;
let handler: Handler = (_req, res) => res.end();
const sockets = new Set<Socket>();
const timers = new Set<NodeJS.Timeout>();
let dispatcher: Dispatcher;

beforeAll(async () => {
  server = createServer((req, res) => handler(req, res));
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dispatcher = createDispatcher();
});

afterEach(() => {
  for (const t of timers) clearTimeout(t);
  timers.clear();
});

afterAll(async () => {
  await dispatcher.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const later = (ms: number, fn: () => void): void => {
  timers.add(setTimeout(fn, ms));
};

async function failureOf(p: Promise<unknown>): Promise<TransportFailure> {
  const e: unknown = await p.then(() => undefined, (x: unknown) => x);
  if (!(e instanceof TransportFailure)) throw new Error(`expected a TransportFailure, got ${String(e)}`);
  return e;
}

describe("sendHttp", () => {
  test("returns status, lower-case headers and the whole body; sends method, headers and body", async () => {
    let seen: { method?: string | undefined; apikey?: string; body: string } = { body: "" };
    handler = (req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        seen = { method: req.method, apikey: req.headers["apikey"] as string, body };
        res.writeHead(201, { "Content-Type": "application/json", "X-Thing": "a" });
        res.end(JSON.stringify({ ok: true }));
      });
    };
    const res = await sendHttp({ url: `${base}/v1/apiKeys`, method: "POST", headers: { ApiKey: "k" }, body: "{}", timeoutMs: 2_000, dispatcher });
    expect(res).toEqual({ status: 201, headers: expect.objectContaining({ "content-type": "application/json", "x-thing": "a" }), body: '{"ok":true}' });
    expect(seen).toEqual({ method: "POST", apikey: "k", body: "{}" });
  });

  test("a non-JSON error body comes back as text with its status", async () => {
    handler = (_req, res) => {
      res.writeHead(502, { "Content-Type": "text/html" });
      res.end("<html>Bad Gateway</html>");
    };
    const res = await sendHttp({ url: `${base}/x`, method: "GET", headers: {}, timeoutMs: 2_000, dispatcher });
    expect(res).toMatchObject({ status: 502, body: "<html>Bad Gateway</html>" });
  });

  test("a connection reset before the answer is a connection failure", async () => {
    handler = (req) => req.socket.destroy();
    const f = await failureOf(sendHttp({ url: `${base}/x`, method: "GET", headers: {}, timeoutMs: 2_000, dispatcher }));
    expect(f.kind).toBe("connection");
    expect(f.causeCode).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
  });

  test("a reset in the middle of the body is a connection failure too", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json", "Content-Length": "100" });
      res.write('{"items":[');
      later(20, () => res.socket?.destroy());
    };
    const f = await failureOf(sendHttp({ url: `${base}/x`, method: "GET", headers: {}, timeoutMs: 2_000, dispatcher }));
    expect(f.kind).toBe("connection");
  });

  test("a body past MAX_RESPONSE_BYTES is refused, and a multi-chunk body under it arrives whole", async () => {
    const chunk = Buffer.alloc(1024 * 1024, "a");
    const chunks = (n: number): Handler => (_req, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      for (let i = 0; i < n; i++) res.write(chunk);
      res.end(n * chunk.length > MAX_RESPONSE_BYTES ? "b" : "");
    };
    handler = chunks(MAX_RESPONSE_BYTES / chunk.length);
    const whole = await sendHttp({ url: `${base}/big`, method: "GET", headers: {}, timeoutMs: 10_000, dispatcher });
    expect(whole.body.length).toBe(MAX_RESPONSE_BYTES);
    handler = chunks(MAX_RESPONSE_BYTES / chunk.length + 1);
    const e = await failureOf(sendHttp({ url: `${base}/too-big`, method: "GET", headers: {}, timeoutMs: 10_000, dispatcher }));
    expect([e.kind, e.causeCode]).toEqual(["connection", "RESPONSE_TOO_LARGE"]);
  });

  test("a refused connection is a connection failure", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const f = await failureOf(sendHttp({ url: `http://127.0.0.1:${port}/x`, method: "GET", headers: {}, timeoutMs: 2_000, dispatcher }));
    expect(f).toMatchObject({ kind: "connection", causeCode: "ECONNREFUSED" });
  });

  test("no headers within the per-attempt budget is a timeout, and it does not wait for the server", async () => {
    let answered = false;
    handler = (_req, res) =>
      later(3_000, () => {
        answered = true;
        res.end();
      });
    const f = await failureOf(sendHttp({ url: `${base}/slow`, method: "GET", headers: {}, timeoutMs: 100, dispatcher }));
    expect(f.kind).toBe("timeout");
    expect(answered).toBe(false);
  });

  test("a body that stalls past the budget is a timeout", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write("{");
      later(3_000, () => res.end("}"));
    };
    const f = await failureOf(sendHttp({ url: `${base}/stall`, method: "GET", headers: {}, timeoutMs: 100, dispatcher }));
    expect(f.kind).toBe("timeout");
  });

  test("the caller's signal aborts an attempt in flight", async () => {
    handler = (_req, res) => later(3_000, () => res.end());
    const ac = new AbortController();
    later(30, () => ac.abort());
    const f = await failureOf(sendHttp({ url: `${base}/slow`, method: "GET", headers: {}, timeoutMs: 5_000, signal: ac.signal, dispatcher }));
    expect(f.kind).toBe("aborted");
  });

  test("bodies are consumed, so a single-connection pool serves request after request", async () => {
    const ports = new Set<number>();
    handler = (req, res) => {
      ports.add(req.socket.remotePort ?? 0);
      res.writeHead(404, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ code: "ResourceNotFound", message: "x".repeat(10_000) }));
    };
    // With one connection, an unconsumed body would block the next request until it timed out.
    const own = new Pool(base, { connections: 1, pipelining: 1 });
    try {
      for (let i = 0; i < 5; i += 1) {
        const res = await sendHttp({ url: `${base}/k`, method: "GET", headers: {}, timeoutMs: 2_000, dispatcher: own });
        expect(res.status).toBe(404);
      }
    } finally {
      await own.close();
    }
    expect(ports.size).toBe(1);
  });
});

describe("PaletteClient over a raw server", () => {
  test("retries a slow answer as TIMEOUT and stops at the deadline without hanging", async () => {
    let hits = 0;
    handler = (_req, res) => {
      hits += 1;
      later(5_000, () => res.end());
    };
    // 50 retries of 100 ms would take 5 s; the 450 ms deadline must cut that short.
    const client = new PaletteClient({ host: base, auth: { apiKey: "k-secret-000" }, timeoutMs: 100, deadlineMs: 450, retry: { maxRetries: 50, baseDelayMs: 1, maxDelayMs: 5 }, rateLimit: false });
    try {
      const e: unknown = await client.apiKeys.list().catch((x: unknown) => x);
      expect(isPaletteError(e) && e.code).toBe("TIMEOUT");
      expect(hits).toBeGreaterThanOrEqual(1); // 2 or more unless the process is starved past the deadline
      expect(hits).toBeLessThanOrEqual(5);
    } finally {
      await client.close();
    }
  });

  test("close() leaves a caller's dispatcher open and closes its own", async () => {
    handler = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ items: [] }));
    };
    const mine = createDispatcher();
    const client = new PaletteClient({ host: base, auth: { apiKey: "k" }, dispatcher: mine });
    await client.apiKeys.list();
    await client.close();
    await client.close();
    const res = await sendHttp({ url: `${base}/v1/apiKeys`, method: "GET", headers: {}, timeoutMs: 2_000, dispatcher: mine });
    expect(res.status).toBe(200);
    await mine.close();
    const own = new PaletteClient({ host: base, auth: { apiKey: "k" } });
    await own.close();
    const e: unknown = await own.apiKeys.list().catch((x: unknown) => x);
    expect(isPaletteError(e) && e.code).toBe("CONNECTION");
    expect(String(e)).toContain("client is closed");
  });
});
