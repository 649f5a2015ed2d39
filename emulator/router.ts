/**
 * Paths to handlers, with the framework errors the real API gives for an unknown path (404) or a
 * wrong method (405, naming the allowed ones).
 */
import type { IncomingHttpHeaders } from "node:http";
import type { Principal } from "./auth";
import { HttpError, invalidRequest } from "./http-error";

/** What a handler answers; the server writes it (or, for a lost-response fault, throws it away). */
export interface Reply {
  readonly status: number;
  /** A JSON body. */
  readonly body?: unknown;
  /** A body sent as is (the API-keys page and its assets), its `Content-Type` in `headers`. */
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One request as a handler sees it. */
export interface RequestContext {
  readonly method: string;
  /** Decoded path parameters. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Emulator clock time at arrival. */
  readonly now: Date;
  /** Authenticates the caller (401 otherwise). Public routes simply never call it. */
  authenticate(): Principal;
  /** The parsed JSON body; 400 `InvalidRequest` when it is missing or not JSON. */
  json(): unknown;
}

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export interface Route {
  readonly method: string;
  /** Path with `:name` segments, e.g. "/v1/apiKeys/:uid/state". */
  readonly pattern: string;
  readonly handle: Handler;
}

export type RouteMatch =
  | { readonly kind: "found"; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: "methodNotAllowed"; readonly allowed: readonly string[] }
  | { readonly kind: "notFound" };

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly string[];
  readonly staticCount: number;
}

/**
 * A tiny router: literal segments beat parameters (so `/v1/users/meta` is never user "meta"),
 * a path known under another method is a 405 naming the allowed ones, anything else a 404.
 */
export class Router {
  private readonly routes: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.routes = routes.map((route) => {
      const segments = route.pattern.split("/").slice(1);
      return { route, segments, staticCount: segments.filter((s) => !s.startsWith(":")).length };
    });
  }

  /** Matches a raw (still percent-encoded) path; throws 400 on a parameter that does not decode. */
  match(method: string, rawPath: string): RouteMatch {
    const parts = rawPath.split("/").slice(1);
    const candidates: { compiled: CompiledRoute; params: Record<string, string> }[] = [];
    for (const compiled of this.routes) {
      const params = matchSegments(compiled.segments, parts);
      if (params !== undefined) candidates.push({ compiled, params });
    }
    if (candidates.length === 0) return { kind: "notFound" };
    const best = Math.max(...candidates.map((c) => c.compiled.staticCount));
    const mostSpecific = candidates.filter((c) => c.compiled.staticCount === best);
    const hit = mostSpecific.find((c) => c.compiled.route.method === method);
    if (hit === undefined) return { kind: "methodNotAllowed", allowed: [...new Set(mostSpecific.map((c) => c.compiled.route.method))] };
    return { kind: "found", route: hit.compiled.route, params: hit.params };
  }
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i] ?? "";
    const got = parts[i] ?? "";
    if (want.startsWith(":")) {
      if (got === "") return undefined;
      params[want.slice(1)] = decodeSegment(got);
    } else if (want !== got) {
      return undefined;
    }
  }
  return params;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidRequest("Malformed percent-encoding in the request path");
  }
}

/** Go-openapi's framework errors carry a numeric code and no ref. */
export function routingError(match: Exclude<RouteMatch, { kind: "found" }>, method: string, rawPath: string): HttpError {
  if (match.kind === "notFound") return new HttpError(404, 404, `path ${rawPath} was not found`);
  return new HttpError(405, 405, `method ${method} is not allowed, but [${match.allowed.join(", ")}] are`, undefined, {
    Allow: match.allowed.join(", "),
  });
}
