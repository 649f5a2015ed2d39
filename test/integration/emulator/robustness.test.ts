import { request } from "node:http";
import { connect } from "node:net";
import fc from "fast-check";
import { ErrorEnvelopeWire } from "../../../sdk/wire";
import type { RunningEmulator } from "../../../emulator";
import { emulatorPerFile } from "../../helpers/emulator-per-file";
import { call, errorCode, keyOf, startForTest } from "./support";

let emu: RunningEmulator;
emulatorPerFile(startForTest, (started) => (emu = started));

const admin = () => keyOf(emu.accounts.admin);

/** Sends raw bytes over TCP and returns everything the server answers before closing. */
function rawExchange(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(emu.port, "127.0.0.1", () => socket.end(bytes));
    const chunks: Buffer[] = [];
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")));
    socket.on("error", reject);
  });
}

/** A request through node:http, which (unlike fetch) sends the path exactly as given. */
function rawRequest(method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: emu.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("request bodies", () => {
  it.each([
    ["not JSON", "{nope"],
    ["empty", ""],
    ["a JSON array", "[]"],
    ["a JSON number", "42"],
    ["JSON null", "null"],
    ["a string", '"metadata"'],
  ])("answers %s with 400 InvalidRequest", async (_what, rawBody) => {
    const res = await call(emu, "POST", "/v1/apiKeys", { auth: admin(), rawBody, headers: { "Content-Type": "application/json" } });
    expect([res.status, errorCode(res)]).toEqual([400, "InvalidRequest"]);
    expect(ErrorEnvelopeWire.parse(res.json).ref).toMatch(/^ref-/);
  });

  it("answers wrong types with 400 InvalidRequest naming each field", async () => {
    const res = await call(emu, "POST", "/v1/apiKeys", {
      auth: admin(),
      body: { metadata: { name: 7, annotations: { description: 1 } }, spec: { expiry: true, userUid: [] } },
    });
    expect(res.status).toBe(400);
    const fields = (res.json as { details: { field: string }[] }).details.map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(["metadata.name", "metadata.annotations.description", "spec.expiry", "spec.userUid"]));
  });

  it("answers a body over 1 MiB with 413, and the server keeps serving", async () => {
    const big = JSON.stringify({ metadata: { name: "x".repeat(1024 * 1024) }, spec: {} });
    const res = await call(emu, "POST", "/v1/apiKeys", { auth: admin(), rawBody: big, headers: { "Content-Type": "application/json" } });
    expect([res.status, errorCode(res)]).toEqual([413, "RequestEntityTooLarge"]);
    expect((await call(emu, "GET", "/v1/users/info", { auth: admin() })).status).toBe(200);
  });
});

describe("paths and methods", () => {
  it("answers an unknown path with 404 and a numeric code, as go-openapi does", async () => {
    const res = await call(emu, "GET", "/v1/x", { auth: admin() });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ code: 404, message: "path /v1/x was not found" });
    expect((await call(emu, "GET", "/v1/apiKeys/")).status).toBe(404);
    expect((await call(emu, "GET", "/v1/apiKeys/a/b/c")).status).toBe(404);
  });

  it("answers a wrong method with 405, a numeric code and Allow", async () => {
    const res = await call(emu, "DELETE", "/v1/apiKeys", { auth: admin() });
    expect(res.status).toBe(405);
    expect(res.json).toEqual({ code: 405, message: "method DELETE is not allowed, but [GET, POST] are" });
    expect(res.headers.get("allow")).toBe("GET, POST");
    // A literal segment wins over a parameter: /v1/users/summary is never user "summary".
    expect((await call(emu, "GET", "/v1/users/summary", { auth: admin() })).status).toBe(405);
  });

  it("answers bad percent-encoding in a path parameter with 400, and odd but valid uids with 404", async () => {
    const bad = await rawRequest("GET", "/v1/apiKeys/%E0%A4%A", { ApiKey: emu.accounts.admin.apiKey });
    expect(bad.status).toBe(400);
    expect(ErrorEnvelopeWire.parse(JSON.parse(bad.body)).code).toBe("InvalidRequest");
    const odd = await rawRequest("GET", "/v1/apiKeys/%2F..%2Fusers", { ApiKey: emu.accounts.admin.apiKey });
    expect([odd.status, JSON.parse(odd.body).code]).toEqual([404, "ResourceNotFound"]);
    const long = await rawRequest("GET", `/v1/apiKeys/${"a".repeat(5000)}`, { ApiKey: emu.accounts.admin.apiKey });
    expect(long.status).toBe(404);
  });

  it("accepts an absolute-form request target", async () => {
    const res = await rawRequest("GET", `http://127.0.0.1:${emu.port}/v1/users/info`, { ApiKey: emu.accounts.admin.apiKey });
    expect(res.status).toBe(200);
  });
});

describe("malformed HTTP", () => {
  it("answers garbage with a 400 JSON envelope", async () => {
    const answer = await rawExchange("THIS IS NOT HTTP\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain("Content-Type: application/json");
    expect(answer).toContain('"code":"InvalidRequest"');
  });

  it("answers oversized headers with 431", async () => {
    const answer = await rawExchange(`GET /v1/users/info HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
  });

  it("survives a client that disconnects in the middle of a body", async () => {
    await rawExchange(
      `POST /v1/apiKeys HTTP/1.1\r\nHost: x\r\nApiKey: ${emu.accounts.admin.apiKey}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"metadata":`,
    );
    expect((await call(emu, "GET", "/v1/users/info", { auth: admin() })).status).toBe(200);
    expect(emu.keys().filter((k) => !k.seeded)).toHaveLength(0);
  });
});

describe("any request", () => {
  const routes = [
    ["GET", "/v1/apiKeys"],
    ["POST", "/v1/apiKeys"],
    ["GET", "/v1/apiKeys/:x"],
    ["PUT", "/v1/apiKeys/:x"],
    ["PATCH", "/v1/apiKeys/:x"],
    ["DELETE", "/v1/apiKeys/:x"],
    ["PUT", "/v1/apiKeys/:x/state"],
    ["POST", "/v1/auth/authenticate"],
    ["GET", "/v1/auth/refresh/:x"],
    ["GET", "/v1/users"],
    ["GET", "/v1/users/meta"],
    ["POST", "/v1/users/summary"],
    ["GET", "/v1/users/:x"],
    ["OPTIONS", "/v1/:x"],
  ] as const;

  it("gets a JSON answer below 500: fuzzed bodies, segments, queries and credentials", async () => {
    const seededKeyUid = emu.accounts.admin.apiKeyUid;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(fc.constant(seededKeyUid), fc.string(), fc.stringMatching(/^[0-9a-f]{24}$/)),
        fc.oneof(fc.json(), fc.string(), fc.constant("")),
        fc.oneof(fc.constant(undefined), fc.constant(emu.accounts.admin.apiKey), fc.string({ minLength: 1 })),
        fc.oneof(fc.constant(""), fc.constant("?limit=1"), fc.string().map((s) => `?${encodeURIComponent(s)}`)),
        async ([method, template], segment, rawBody, apiKey, query) => {
          emu.reset();
          const path = template.replace(":x", encodeURIComponent(segment) || "x") + query;
          const headers: Record<string, string> = { "Content-Type": "application/json" };
          // Header values must be legal for fetch; odd ones go in the query instead.
          if (apiKey !== undefined && /^[\x21-\x7e]+$/.test(apiKey)) headers.ApiKey = apiKey;
          const res = await fetch(`${emu.url}${path}`, {
            method,
            headers,
            ...(method === "GET" || method === "DELETE" || method === "OPTIONS" ? {} : { body: rawBody }),
          });
          const text = await res.text();
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.headers.get("content-type")).toBe("application/json");
            expect(ErrorEnvelopeWire.safeParse(JSON.parse(text)).success).toBe(true);
          }
        },
      ),
      { numRuns: 250, seed: 20250101 },
    );
    // Whatever the fuzzing did (it may have revoked the seeded key), the emulator still answers.
    emu.reset();
    expect((await call(emu, "GET", "/v1/users/info", { auth: admin() })).status).toBe(200);
  });
});
