/**
 * The HTTP server: one request's path through faults, rate limit, body limits, authentication,
 * routing and the error envelope, and the request log tests and users read.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { rateLimitPrefix } from "../sdk/wire";
import type { Authenticator, Principal } from "./auth";
import type { Faults } from "./faults";
import { HttpError, invalidRequest } from "./http-error";
import { newRef } from "./ids";
import type { EmulatorClock, FaultAction, RecordedRequest } from "./options";
import type { RateLimiter } from "./rate-limiter";
import { printable, redactPath, redactSecrets, redactTarget } from "./redact";
import { routingError, type Reply, type RequestContext, type Router } from "./router";
import { CONTROL_TOKEN_HEADER, isControlPath } from "./routes/control";

/** Bodies above this get 413, as no Palette API-key or user body comes close. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** An oversized body is read and thrown away up to here, so the client still gets its 413; beyond, the socket is cut. */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
const MAX_RECORDED_REQUESTS = 10_000;

export interface ServerDeps {
  readonly clock: EmulatorClock;
  readonly faults: Faults;
  readonly limiter: RateLimiter;
  readonly router: Router;
  readonly auth: Authenticator;
  /** Throws 401 unless the request carries the control token; run for every path under `/__emulator`. */
  readonly guardControl: (headers: IncomingHttpHeaders) => void;
  readonly log: ((line: string) => void) | undefined;
}

export interface EmulatorServer {
  readonly server: Server;
  requests(): readonly RecordedRequest[];
  clearRequests(): void;
  close(): Promise<void>;
}

type BodyResult = { readonly kind: "ok"; readonly bytes: Buffer } | { readonly kind: "tooLarge" } | { readonly kind: "gone" };

/**
 * The HTTP side: fault injection, rate limiting, body limits, routing, the error envelope and the
 * request log. Handlers return a `Reply` rather than writing, so a lost-response fault can commit
 * a change and then drop the answer.
 */
export function createEmulatorServer(deps: ServerDeps): EmulatorServer {
  const sockets = new Set<Socket>();
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: (ran: boolean) => void }>();
  let recorded: RecordedRequest[] = [];
  let closing: Promise<void> | undefined;

  const server = createServer({ maxHeaderSize: 16 * 1024 }, (req, res) => {
    void handle(req, res).catch((e: unknown) => {
      // handle() catches everything itself; this only guards against a bug in that guard.
      deps.log?.(`emulator: unexpected failure ${printable(String((e as Error)?.name ?? "Error"))}`);
      if (!res.headersSent) send(res, internalError(deps, e, []), deps.clock.now());
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
    // Malformed HTTP never reaches the handler; answer it with the same envelope instead of Node's bare 400.
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
    const body = JSON.stringify({ code: "InvalidRequest", message: "Malformed HTTP request", ref: newRef() });
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? "Request Header Fields Too Large" : "Bad Request"}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  const delay = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          timers.delete(entry);
          resolve(true);
        }, ms),
        resolve,
      };
      timers.add(entry);
    });

  const record = (r: RecordedRequest): void => {
    recorded.push(r);
    if (recorded.length > MAX_RECORDED_REQUESTS) recorded = recorded.slice(-MAX_RECORDED_REQUESTS);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const startedMs = performance.now();
    const at = deps.clock.now();
    const method = (req.method ?? "GET").toUpperCase();
    const target = parseTarget(req.url ?? "/");
    const secrets = requestSecrets(req, target);
    let caller: Principal | undefined;
    // The control surface is how faults get cleared: it must never be faulted itself.
    const action = target === undefined || isControlPath(target.rawPath) ? undefined : deps.faults.pick(method, target.rawPath);
    const finish = (status: number): void => {
      const fault = action?.kind;
      const path = target === undefined ? "(unparsable)" : redactPath(target.rawPath);
      record({ method, path, status, ...(fault !== undefined ? { fault } : {}), at });
      if (deps.log === undefined) return;
      const shown = target === undefined ? "(unparsable)" : redactTarget(target.rawPath, target.query);
      const parts = [at.toISOString(), printable(method), shown, String(status), `${Math.round(performance.now() - startedMs)}ms`];
      if (caller !== undefined) parts.push(`caller=${caller.user.email}`);
      if (fault !== undefined) parts.push(`fault=${fault}`);
      deps.log(parts.join(" "));
    };
    const answer = (reply: Reply): void => {
      send(res, reply, deps.clock.now());
      finish(reply.status);
    };

    if (target === undefined) return answer(errorReply(invalidRequest("Malformed request target")));

    if (action?.kind === "drop") {
      req.socket.destroy();
      return finish(0);
    }
    if (action?.kind === "status") return answer(injectedStatus(action));
    const lateAnswer = action?.kind === "latency" && action.afterHandling === true;
    if (action?.kind === "latency" && !lateAnswer && !(await delay(action.ms))) return finish(0);

    const prefix = rateLimitPrefix(target.rawPath);
    if (prefix !== undefined) {
      const decision = deps.limiter.take(prefix, req.socket.remoteAddress ?? "unknown");
      if (!decision.ok) {
        const seconds = String(decision.retryAfterSeconds);
        return answer(
          errorReply(
            new HttpError(429, "TooManyRequests", `Too many requests to ${prefix}: retry after ${seconds} s`, undefined, {
              "Retry-After": seconds,
            }),
          ),
        );
      }
    }

    const body = await readBody(req);
    if (body.kind === "gone") return finish(0);
    let reply: Reply;
    if (body.kind === "tooLarge") {
      reply = errorReply(new HttpError(413, "RequestEntityTooLarge", `Request body exceeds ${MAX_BODY_BYTES} bytes`));
    } else {
      reply = await dispatch(method, target, req, body.bytes, (p) => (caller = p), secrets);
    }
    if (lateAnswer && !(await delay(action.ms))) return finish(0);
    if (action?.kind === "lostResponse") {
      // The change is committed; the client never hears about it.
      req.socket.destroy();
      return finish(reply.status);
    }
    answer(reply);
  }

  async function dispatch(
    method: string,
    target: Target,
    req: IncomingMessage,
    bytes: Buffer,
    onCaller: (p: Principal) => void,
    secrets: string[],
  ): Promise<Reply> {
    try {
      if (isControlPath(target.rawPath)) deps.guardControl(req.headers);
      const match = deps.router.match(method, target.rawPath);
      if (match.kind !== "found") return errorReply(routingError(match, method, target.rawPath));
      let principal: Principal | undefined;
      let parsed: { value: unknown } | undefined;
      const ctx: RequestContext = {
        method,
        params: match.params,
        query: target.query,
        headers: req.headers,
        now: deps.clock.now(),
        authenticate() {
          principal ??= deps.auth.authenticate(req.headers, target.query);
          onCaller(principal);
          return principal;
        },
        json() {
          parsed ??= { value: parseJson(bytes) };
          const value = parsed.value;
          if (isRecord(value) && typeof value.password === "string") secrets.push(value.password);
          return value;
        },
      };
      return await match.route.handle(ctx);
    } catch (e) {
      if (e instanceof HttpError) return errorReply(e);
      return internalError(deps, e, secrets);
    }
  }

  return {
    server,
    requests: () => [...recorded],
    clearRequests: () => {
      recorded = [];
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const entry of timers) {
          clearTimeout(entry.timer);
          entry.resolve(false);
        }
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

interface Target {
  readonly rawPath: string;
  readonly query: URLSearchParams;
}

/** Splits origin-form (or absolute-form) request targets; undefined for anything else. */
function parseTarget(url: string): Target | undefined {
  let rest = url;
  if (!rest.startsWith("/")) {
    try {
      const u = new URL(rest);
      rest = `${u.pathname}${u.search}`;
    } catch {
      return undefined;
    }
  }
  const q = rest.indexOf("?");
  return q < 0
    ? { rawPath: rest, query: new URLSearchParams() }
    : { rawPath: rest.slice(0, q), query: new URLSearchParams(rest.slice(q + 1)) };
}

/** Credentials a request carries, to scrub from anything logged about it. */
function requestSecrets(req: IncomingMessage, target: Target | undefined): string[] {
  const out: string[] = [];
  const { apikey, authorization } = req.headers;
  const controlToken = req.headers[CONTROL_TOKEN_HEADER.toLowerCase()];
  if (typeof controlToken === "string") out.push(controlToken);
  if (typeof apikey === "string") out.push(apikey);
  if (typeof authorization === "string") out.push(authorization);
  if (target !== undefined) {
    for (const [name, value] of target.query) if (name.toLowerCase() === "apikey") out.push(value);
    const refresh = /^\/v1\/auth\/refresh\/([^/]+)/.exec(target.rawPath);
    if (refresh?.[1] !== undefined) out.push(refresh[1]);
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (r: BodyResult): void => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else if (size > MAX_DRAIN_BYTES) {
        req.socket.destroy();
        settle({ kind: "gone" });
      }
    });
    req.on("end", () => settle(size > MAX_BODY_BYTES ? { kind: "tooLarge" } : { kind: "ok", bytes: Buffer.concat(chunks) }));
    req.on("error", () => settle({ kind: "gone" }));
    req.on("close", () => settle(req.complete ? { kind: "ok", bytes: Buffer.concat(chunks) } : { kind: "gone" }));
  });
}

function parseJson(bytes: Buffer): unknown {
  const text = bytes.toString("utf8");
  if (text.trim() === "") throw invalidRequest("A JSON request body is required");
  try {
    return JSON.parse(text);
  } catch {
    throw invalidRequest("Request body is not valid JSON");
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Palette's error envelope; framework errors (numeric code) carry no ref, as go-openapi sends them. */
export function errorReply(err: HttpError): Reply {
  const body =
    typeof err.code === "number"
      ? { code: err.code, message: err.message }
      : { code: err.code, message: err.message, ref: newRef(), ...(err.details !== undefined ? { details: err.details } : {}) };
  return { status: err.status, body, headers: err.headers };
}

const DEFAULT_FAULT_CODES: Readonly<Record<number, string>> = {
  429: "TooManyRequests",
  500: "InternalError",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

function injectedStatus(action: Extract<FaultAction, { kind: "status" }>): Reply {
  const headers: Record<string, string> = {};
  if (action.retryAfterSeconds !== undefined) headers["Retry-After"] = String(action.retryAfterSeconds);
  const code = action.code ?? DEFAULT_FAULT_CODES[action.status] ?? `Http${action.status}`;
  return errorReply(new HttpError(action.status, code, action.message ?? `Injected fault: HTTP ${action.status}`, undefined, headers));
}

function internalError(deps: ServerDeps, e: unknown, secrets: readonly string[]): Reply {
  const reply = errorReply(new HttpError(500, "InternalError", "The emulator failed to handle this request"));
  const ref = (reply.body as { ref: string }).ref;
  const name = e instanceof Error ? e.name : typeof e;
  const message = e instanceof Error ? e.message : String(e);
  deps.log?.(printable(`emulator: internal error ${ref}: ${name}: ${redactSecrets(message, secrets)}`));
  return reply;
}

function send(res: ServerResponse, reply: Reply, now: Date): void {
  if (res.headersSent || res.destroyed) return;
  // The emulator's clock, not the machine's, as a real server's Date is its own: the API-keys page
  // tells expired from active by it, also after a test or the control surface moved the clock.
  const headers: Record<string, string | number> = { Date: now.toUTCString(), ...reply.headers };
  if ((reply.body === undefined && reply.text === undefined) || reply.status === 204) {
    res.writeHead(reply.status, headers);
    res.end();
    return;
  }
  const text = reply.text ?? JSON.stringify(reply.body);
  if (reply.text === undefined) headers["Content-Type"] = "application/json";
  headers["Content-Length"] = Buffer.byteLength(text);
  res.writeHead(reply.status, headers);
  res.end(text);
}
