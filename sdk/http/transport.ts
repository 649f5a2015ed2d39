/**
 * The only module that talks to undici. One function sends one HTTP attempt and always consumes or
 * destroys the response body (undici keeps the connection hostage otherwise). It knows nothing
 * about Palette: no retries, no auth, no error mapping.
 */
import { Agent, request, type Dispatcher } from "undici";

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

/** An attempt that produced no (complete) response. */
export class TransportFailure extends Error {
  constructor(
    readonly kind: TransportFailureKind,
    /** Low-level code, e.g. `ECONNRESET`, `UND_ERR_SOCKET`, `UND_ERR_HEADERS_TIMEOUT`. */
    readonly causeCode: string,
    options?: ErrorOptions,
  ) {
    super(`${kind} (${causeCode})`, options);
    this.name = "TransportFailure";
  }
}

/** Bodies larger than this are refused: every Palette answer we read is a few KB. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

/** A keep-alive connection pool for one client; the client closes it. */
export function createDispatcher(): Dispatcher {
  return new Agent({ keepAliveTimeout: 4_000, connect: { timeout: 10_000 } });
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
    if (TIMEOUT_CODES.has(code)) throw new TransportFailure("timeout", code, { cause: err });
    if (timeout.signal.aborted) throw new TransportFailure("timeout", "ATTEMPT_TIMEOUT", { cause: err });
    throw new TransportFailure("connection", code, { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

async function readBody(body: Dispatcher.ResponseData["body"]): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buf.length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      throw new TransportFailure("connection", "RESPONSE_TOO_LARGE");
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function flattenHeaders(headers: Dispatcher.ResponseData["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
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
