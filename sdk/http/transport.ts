/**
 * The only module that talks to undici. One function sends one HTTP attempt and always consumes or
 * destroys the response body (undici keeps the connection hostage otherwise). It knows nothing
 * about Palette: no retries, no auth, no error mapping.
 */
import { Agent, buildConnector, request, type Dispatcher } from "undici";
import type { ConnectFailureReason } from "../errors";

export type { Dispatcher };

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HttpRequest {
  readonly url: string;
  readonly method: HttpMethod;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Per-attempt budget: headers, body and the whole attempt each end within it. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  readonly dispatcher: Dispatcher;
}

export interface HttpResponse {
  readonly status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** How an attempt ended without a response. */
export type TransportFailureKind = "timeout" | "connection" | "aborted";

export type { ConnectFailureReason };

/** An attempt that produced no (complete) response. */
export class TransportFailure extends Error {
  /** Set when the connection was never established: the request did not reach the server. */
  readonly connect?: ConnectFailureReason;

  constructor(
    readonly kind: TransportFailureKind,
    /** Low-level code, e.g. `ECONNRESET`, `UND_ERR_SOCKET`, `UND_ERR_HEADERS_TIMEOUT`. */
    readonly causeCode: string,
    // Not `ErrorOptions`: that is lib es2022, and the declarations must compile for consumers on es2020.
    options?: { readonly cause?: unknown; readonly connect?: ConnectFailureReason },
  ) {
    super(`${kind} (${causeCode})`, options);
    this.name = "TransportFailure";
    if (options?.connect !== undefined) this.connect = options.connect;
  }
}

/** Bodies larger than this are refused: every Palette answer we read is a few KB. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

/** Node's names for X.509 verification failures (`tls.TLSSocket#authorizationError`), plus the name check. */
const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  "UNABLE_TO_GET_ISSUER_CERT", "UNABLE_TO_GET_CRL", "UNABLE_TO_DECRYPT_CERT_SIGNATURE", "UNABLE_TO_DECRYPT_CRL_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY", "CERT_SIGNATURE_FAILURE", "CRL_SIGNATURE_FAILURE", "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED", "CRL_NOT_YET_VALID", "CRL_HAS_EXPIRED", "ERROR_IN_CERT_NOT_BEFORE_FIELD", "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "ERROR_IN_CRL_LAST_UPDATE_FIELD", "ERROR_IN_CRL_NEXT_UPDATE_FIELD", "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "CERT_CHAIN_TOO_LONG", "CERT_REVOKED", "INVALID_CA",
  "PATH_LENGTH_EXCEEDED", "INVALID_PURPOSE", "CERT_UNTRUSTED", "CERT_REJECTED", "HOSTNAME_MISMATCH", "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/**
 * Codes that only a connect can raise, for dispatchers a caller brings (ours marks its connect
 * failures, see `createDispatcher`). TLS errors other than these few handshake ones can also come
 * from a live connection, where the request may already have been sent, so they are not listed.
 */
const CONNECT_ONLY_CODES: Readonly<Record<string, ConnectFailureReason>> = {
  ECONNREFUSED: "refused",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns-temporary",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  ERR_SSL_WRONG_VERSION_NUMBER: "tls",
  ERR_SSL_UNSUPPORTED_PROTOCOL: "tls",
  ERR_SSL_PACKET_LENGTH_TOO_LONG: "tls",
  ERR_TLS_HANDSHAKE_TIMEOUT: "tls",
  EPROTO: "tls",
};

/** Errors raised while connecting through a dispatcher of ours: whatever their code, nothing was sent. */
const connectErrors = new WeakSet<object>();

/** A keep-alive connection pool for one client; the client closes it. */
export function createDispatcher(): Dispatcher {
  const connect = buildConnector({ timeout: 10_000 });
  return new Agent({
    keepAliveTimeout: 4_000,
    // undici hands connect errors on unchanged; marking them here is the one sure sign that the
    // connection (TCP, DNS, TLS handshake) never came up, whatever code the failure carries.
    connect: (options, callback) =>
      connect(options, (...args) => {
        if (args[0] !== null) connectErrors.add(args[0]);
        callback(...args);
      }),
  });
}

/** Why `err` (a failed attempt's error) means the connection never came up, or undefined when it may have. */
export function connectFailureOf(err: unknown): ConnectFailureReason | undefined {
  const code = errorCode(err);
  const byCode = CERTIFICATE_CODES.has(code) ? "certificate" : CONNECT_ONLY_CODES[code];
  if (byCode !== undefined) return byCode;
  return causeChain(err).some((e) => connectErrors.has(e)) ? "other" : undefined;
}

/** Sends one attempt. Resolves with any status; rejects only with `TransportFailure`. */
export async function sendHttp(req: HttpRequest): Promise<HttpResponse> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new TransportFailure("timeout", "ATTEMPT_TIMEOUT")), req.timeoutMs);
  const signal = req.signal === undefined ? timeout.signal : AbortSignal.any([req.signal, timeout.signal]);
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body ?? null,
      dispatcher: req.dispatcher,
      headersTimeout: req.timeoutMs,
      bodyTimeout: req.timeoutMs,
      signal,
    });
    const body = await readBody(res.body);
    return { status: res.statusCode, headers: flattenHeaders(res.headers), body };
  } catch (err) {
    if (err instanceof TransportFailure && err.kind !== "timeout") throw err;
    if (req.signal?.aborted === true) throw new TransportFailure("aborted", "ABORTED", { cause: err });
    const code = errorCode(err);
    const connect = connectFailureOf(err);
    if (connect !== undefined) throw new TransportFailure(connect === "timeout" ? "timeout" : "connection", code, { cause: err, connect });
    if (TIMEOUT_CODES.has(code)) throw new TransportFailure("timeout", code, { cause: err });
    if (timeout.signal.aborted) throw new TransportFailure("timeout", "ATTEMPT_TIMEOUT", { cause: err });
    throw new TransportFailure("connection", code, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

/** The whole body as text, refused past MAX_RESPONSE_BYTES (events, not `for await`: a read is on every call's path). */
function readBody(body: Dispatcher.ResponseData["body"]): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on("data", (data: Buffer | Uint8Array) => {
      const chunk = Buffer.isBuffer(data) ? data : Buffer.from(data);
      size += chunk.length;
      if (size > MAX_RESPONSE_BYTES) {
        body.destroy();
        reject(new TransportFailure("connection", "RESPONSE_TOO_LARGE"));
        return;
      }
      chunks.push(chunk);
    });
    body.once("end", () => resolve(Buffer.concat(chunks, size).toString("utf8")));
    body.once("error", reject);
  });
}

function flattenHeaders(headers: Dispatcher.ResponseData["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** `err` and its causes, outermost first (undici sometimes wraps the socket's error). */
function causeChain(err: unknown): object[] {
  const chain: object[] = [];
  for (let e = err; typeof e === "object" && e !== null && !chain.includes(e) && chain.length < 8; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

function errorCode(err: unknown): string {
  if (typeof err === "object" && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === "string" && code.length > 0) return code;
    const cause = (err as { cause?: unknown }).cause;
    if (cause !== undefined && cause !== err) {
      const inner = errorCode(cause);
      if (inner !== "UNKNOWN") return inner;
    }
    const name = (err as { name?: unknown }).name;
    if (typeof name === "string" && name.length > 0 && name !== "Error") return name;
  }
  return "UNKNOWN";
}
