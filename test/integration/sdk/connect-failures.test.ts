/**
 * Wrong hosts against real local sockets: a closed port, a plain-HTTP emulator addressed with
 * https://, a name that never resolves and a certificate nobody trusts. Each fails on its first
 * attempt, says what to check, and is known not to have reached Palette, so a create neither
 * reconciles nor warns that a key "may have been created". Timing belongs to the bench: these tests
 * count attempts.
 */
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { createServer as createNetServer, type AddressInfo } from "node:net";
import { selfSignedCertificate } from "../../../provider/tfplugin6/plugin/certificate";
import { createDispatcher, sendHttp, TransportFailure } from "../../../sdk/http/transport";
import { PaletteClient, type PaletteLogEvent } from "../../../sdk";
import type { RunningEmulator } from "../../../emulator";
import { closedPort } from "../../helpers/closed-port";
import { closeClients, failureOf, leaks, seedSecrets, startEmu } from "./support";

const API_KEY = "SentinelConnectKeyA1b2C3d4E5f6G7h8";

let emu: RunningEmulator;
let tlsServer: HttpsServer;
let tlsPort: number;
const events: PaletteLogEvent[] = [];
const clients: PaletteClient[] = [];

/** A client with the default retry policy (the one that used to spend two minutes), logging its attempts. */
function clientAt(host: string): PaletteClient {
  const client = new PaletteClient({ host, auth: { apiKey: API_KEY }, rateLimit: false, logger: (e) => events.push(e) });
  clients.push(client);
  return client;
}

const requests = (): string[] => events.filter((e) => e.type === "request").map((e) => `${e.method} ${e.path}`);
const create = (client: PaletteClient) => client.apiKeys.create({ name: "ci", expiresAt: new Date(Date.now() + 86_400_000) });

beforeAll(async () => {
  emu = await startEmu();
  const cert = selfSignedCertificate();
  tlsServer = createHttpsServer({ cert: cert.certPem, key: cert.keyPem }, (_req, res) => res.end("{}"));
  await new Promise<void>((resolve) => tlsServer.listen(0, "127.0.0.1", resolve));
  tlsPort = (tlsServer.address() as AddressInfo).port;
});

beforeEach(() => {
  events.length = 0;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await closeClients();
  await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  await emu.close();
});

describe("a create against a wrong host", () => {
  test("a closed port: one attempt, connection refused, host and port named, no reconciliation", async () => {
    const port = await closedPort();
    const e = await failureOf(create(clientAt(`http://127.0.0.1:${port}`)));
    expect(e).toMatchObject({ code: "CONNECTION", connectFailure: "refused", mayHaveReachedServer: false, attempts: 1 });
    expect(e.message).toContain(`cannot connect to 127.0.0.1:${port} (connection refused)`);
    expect(e.message).toMatch(/check the Palette host and port/i);
    expect(e.message).toContain("nothing was sent");
    expect(e.message).not.toMatch(/may have been created/);
    expect(e.orphanedKeyName).toBeUndefined();
    // Nothing but the POST: no identity lookup, no listing for a lost key.
    expect(requests()).toEqual(["POST /v1/apiKeys"]);
  });

  test("https:// to a plain-HTTP Palette: one attempt, the message says to write http://", async () => {
    const target = emu.url.replace(/^http:\/\//, "");
    const e = await failureOf(create(clientAt(`https://${target}`)));
    expect(e).toMatchObject({ code: "CONNECTION", connectFailure: "tls", mayHaveReachedServer: false, attempts: 1 });
    expect(e.message).toContain(`TLS handshake with ${target} failed`);
    expect(e.message).toContain(`does not speak HTTPS: if it is plain HTTP, write the host as http://${target}`);
    expect(e.message).not.toMatch(/may have been created/);
    expect(requests()).toEqual(["POST /v1/apiKeys"]);
    expect(emu.keys().filter((k) => !k.seeded)).toEqual([]);
  });

  test("a host name that does not resolve: not retried (a temporary resolver failure once)", async () => {
    const e = await failureOf(create(clientAt("palette.invalid")));
    expect(e.code).toBe("CONNECTION");
    // `.invalid` never resolves (RFC 6761); a machine without any DNS answers EAI_AGAIN instead.
    expect(["dns", "dns-temporary"]).toContain(e.connectFailure);
    expect(e.attempts).toBe(e.connectFailure === "dns" ? 1 : 2);
    expect(e.mayHaveReachedServer).toBe(false);
    expect(e.message).toContain("cannot resolve the host name palette.invalid");
    expect(e.message).not.toMatch(/may have been created/);
    expect(requests().every((r) => r === "POST /v1/apiKeys")).toBe(true);
  });

  test("a certificate this machine does not trust: one attempt, the message names NODE_EXTRA_CA_CERTS", async () => {
    const e = await failureOf(create(clientAt(`https://localhost:${tlsPort}`)));
    expect(e).toMatchObject({ code: "CONNECTION", connectFailure: "certificate", mayHaveReachedServer: false, attempts: 1 });
    expect(e.message).toContain(`the TLS certificate of localhost:${tlsPort} is not trusted`);
    expect(e.message).toContain("NODE_EXTRA_CA_CERTS");
    expect(e.message).not.toMatch(/may have been created/);
    expect(requests()).toEqual(["POST /v1/apiKeys"]);
  });
});

describe("other calls against a wrong host", () => {
  test("a retried GET is not retried when nothing listens", async () => {
    const e = await failureOf(clientAt(`http://127.0.0.1:${await closedPort()}`).apiKeys.list());
    expect(e).toMatchObject({ code: "CONNECTION", connectFailure: "refused", attempts: 1, mayHaveReachedServer: false });
  });

  test("a connection dropped after the request was sent still may have reached Palette, and is retried", async () => {
    emu.faults.add({ method: "GET", path: "/v1/apiKeys", times: Infinity, action: { kind: "drop" } });
    try {
      const client = new PaletteClient({ host: emu.url, auth: { apiKey: emu.accounts.admin.apiKey }, rateLimit: false, retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } });
      clients.push(client);
      const e = await failureOf(client.apiKeys.list());
      expect(e).toMatchObject({ code: "CONNECTION", attempts: 2, mayHaveReachedServer: true });
      expect(e.connectFailure).toBeUndefined();
    } finally {
      emu.faults.clear();
    }
  });
});

describe("sendHttp marks connects that never came up", () => {
  const dispatcher = createDispatcher();
  afterAll(() => dispatcher.close());

  async function transportFailure(url: string): Promise<TransportFailure> {
    const e: unknown = await sendHttp({ url, method: "GET", headers: {}, timeoutMs: 5_000, dispatcher }).then(
      () => undefined,
      (x: unknown) => x,
    );
    if (!(e instanceof TransportFailure)) throw new Error(`expected a TransportFailure, got ${String(e)}`);
    return e;
  }

  test.each([
    ["a closed port", async () => `http://127.0.0.1:${await closedPort()}/x`, "refused", "ECONNREFUSED"],
    ["https:// to plain HTTP", async () => `${emu.url.replace(/^http:/, "https:")}/x`, "tls", "ERR_SSL_WRONG_VERSION_NUMBER"],
    ["an untrusted certificate", async () => `https://localhost:${tlsPort}/x`, "certificate", "DEPTH_ZERO_SELF_SIGNED_CERT"],
  ])("%s", async (_label, url, reason, code) => {
    const f = await transportFailure(await url());
    expect(f).toMatchObject({ kind: "connection", connect: reason, causeCode: code });
  });

  test("a server that hangs up during the TLS handshake: marked by our connector whatever the code", async () => {
    const rude = createNetServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => rude.listen(0, "127.0.0.1", resolve));
    try {
      const f = await transportFailure(`https://127.0.0.1:${(rude.address() as AddressInfo).port}/x`);
      expect(f).toMatchObject({ kind: "connection", connect: "other", causeCode: "ECONNRESET" });
    } finally {
      await new Promise<void>((resolve) => rude.close(() => resolve()));
    }
  });

  test("a reset after the request went out is not a connect failure", async () => {
    const port = Number(new URL(emu.url).port);
    emu.faults.add({ method: "GET", path: "/x", times: 1, action: { kind: "drop" } });
    try {
      const f = await transportFailure(`http://127.0.0.1:${port}/x`);
      expect(f.kind).toBe("connection");
      expect(f.connect).toBeUndefined();
    } finally {
      emu.faults.clear();
    }
  });
});

test("no error holds the client's API key or a seeded secret", () => {
  expect(leaks([API_KEY, ...seedSecrets(emu)])).toEqual([]);
});
