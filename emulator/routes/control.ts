/**
 * The emulator-only control surface under `/__emulator`: real Palette has none of it. It drives the
 * same methods the in-process API (`RunningEmulator`) offers, so a pipeline rehearsing against
 * `palette-emulator` can move the clock, lift limits, disable users and inject faults as this
 * package's tests do. Guarded by the control token (`X-Emulator-Token`), not by a Palette
 * credential: a rehearsal that revokes or expires the admin key must not lock itself out.
 */
import type { IncomingHttpHeaders } from "node:http";
import { z } from "zod";
import { HttpError, invalidRequest, schemaViolation, unauthorized, userNotFound } from "../http-error";
import type { EmulatorUserView, FaultAction, FaultRule, RateLimitSettings, RunningEmulator } from "../options";
import type { Reply, RequestContext, Route } from "../router";
import { digestsEqual, hashKeyValue } from "../secrets";

export const CONTROL_PREFIX = "/__emulator";
export const CONTROL_TOKEN_HEADER = "X-Emulator-Token";

/** What the control surface drives: the in-process API, minus what only exists once listening. */
export type ControlTarget = Pick<
  RunningEmulator,
  | "tenant"
  | "clock"
  | "faults"
  | "setRateLimit"
  | "setKeyLimitPerUser"
  | "keyLimitPerUser"
  | "users"
  | "addUser"
  | "setUserActive"
  | "removeUser"
  | "reset"
> & { rateLimit(): RateLimitSettings | false };

export function isControlPath(path: string): boolean {
  return path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`);
}

const UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "30d", "-2h", "1500ms": one signed integer and a unit. */
export function parseDuration(text: string): number | undefined {
  const m = /^(-?\d+)(ms|s|m|h|d|w)$/.exec(text.trim());
  const unit = m?.[2] === undefined ? undefined : UNITS_MS[m[2]];
  return m?.[1] === undefined || unit === undefined ? undefined : Number(m[1]) * unit;
}

const ClockBody = z
  .strictObject({
    advance: z.union([z.string(), z.number().finite()]).optional(),
    set: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((b) => (b.advance === undefined) !== (b.set === undefined), "send exactly one of advance, set");

const RateLimitBody = z.union([z.literal(false), z.strictObject({ perSecond: z.number(), burst: z.number() })]);

const LimitsBody = z
  .strictObject({ keyLimitPerUser: z.number().int().min(0).optional(), rateLimit: RateLimitBody.optional() })
  .refine((b) => b.keyLimitPerUser !== undefined || b.rateLimit !== undefined, "send keyLimitPerUser, rateLimit or both");

const UserBody = z.strictObject({
  email: z.string().min(3),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  role: z.enum(["tenantAdmin", "user"]).optional(),
  password: z.string().min(1).optional(),
});

const UserStateBody = z.strictObject({ active: z.boolean() });

const FaultActionBody = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("status"),
    status: z.number().int(),
    code: z.string().optional(),
    message: z.string().optional(),
    retryAfterSeconds: z.number().optional(),
  }),
  z.strictObject({ kind: z.literal("latency"), ms: z.number(), afterHandling: z.boolean().optional() }),
  z.strictObject({ kind: z.literal("drop") }),
  z.strictObject({ kind: z.literal("lostResponse") }),
]);

function toAction(a: z.infer<typeof FaultActionBody>): FaultAction {
  switch (a.kind) {
    case "status":
      return { kind: "status", status: a.status, ...present({ code: a.code, message: a.message, retryAfterSeconds: a.retryAfterSeconds }) };
    case "latency":
      return { kind: "latency", ms: a.ms, ...present({ afterHandling: a.afterHandling }) };
    default:
      return { kind: a.kind };
  }
}

const FaultBody = z
  .strictObject({
    method: z.string().optional(),
    /** Exact path, as in-process `path: string`. */
    path: z.string().optional(),
    /** A regular expression tested against the path, as in-process `path: RegExp`. */
    pathPattern: z.string().optional(),
    times: z.number().optional(),
    skip: z.number().optional(),
    rate: z.number().optional(),
    action: z.union([FaultActionBody, z.array(FaultActionBody)]),
  })
  .refine((b) => b.path === undefined || b.pathPattern === undefined, "send path or pathPattern, not both");

/** zod gives absent fields as `undefined`; the in-process types (exactOptionalPropertyTypes) want them left out. */
function present<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function parse<T>(schema: z.ZodType<T>, model: string, ctx: RequestContext): T {
  const parsed = schema.safeParse(ctx.json());
  if (!parsed.success) throw schemaViolation(model, parsed.error);
  return parsed.data;
}

/** The in-process API throws RangeError on a bad value: a 400 here, as Palette answers a bad body. */
function asBadRequest<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof RangeError || e instanceof SyntaxError) throw invalidRequest(e.message);
    throw e;
  }
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const done: Reply = { status: 204 };

/**
 * The check of the control token, given its SHA-256 (the emulator keeps no clear value). The server
 * runs it on every path under the prefix before routing, so a caller without the token gets 401 for
 * an unknown path or method too, and learns nothing of the surface from a 404 or a 405's Allow.
 */
export function controlGuard(controlTokenHash: string): (headers: IncomingHttpHeaders) => void {
  return (headers) => {
    const sent = headers[CONTROL_TOKEN_HEADER.toLowerCase()];
    if (typeof sent !== "string" || sent === "") {
      throw unauthorized(`The emulator's control surface needs the ${CONTROL_TOKEN_HEADER} header: the token palette-emulator prints at start-up`);
    }
    if (!digestsEqual(hashKeyValue(sent), controlTokenHash)) throw unauthorized(`Invalid ${CONTROL_TOKEN_HEADER}`);
  };
}

/** The routes under the prefix; the server has checked the token (`controlGuard`) before any of them runs. */
export function controlRoutes(target: ControlTarget): Route[] {
  /** A user by uid or, with an "@", by email (what a pipeline knows). */
  const userOf = (ctx: RequestContext): EmulatorUserView => {
    const ref = ctx.params.user ?? "";
    const user = target.users().find((u) => (ref.includes("@") ? u.email.toLowerCase() === ref.toLowerCase() : u.uid === ref));
    if (user === undefined) throw userNotFound(ref);
    return user;
  };
  const settings = () => ({ keyLimitPerUser: target.keyLimitPerUser(), rateLimit: target.rateLimit() });
  const route = (method: string, path: string, handle: (ctx: RequestContext) => Reply): Route => ({
    method,
    pattern: `${CONTROL_PREFIX}${path}`,
    handle,
  });

  return [
    route("GET", "", () =>
      ok({
        tenant: target.tenant,
        now: target.clock.now().toISOString(),
        ...settings(),
        users: target.users(),
        faults: target.faults.stats,
      }),
    ),
    route("POST", "/clock", (ctx) => {
      const body = parse(ClockBody, "clock", ctx);
      asBadRequest(() => {
        if (body.set !== undefined) return target.clock.set(new Date(body.set));
        const ms = typeof body.advance === "number" ? body.advance : parseDuration(body.advance ?? "");
        if (ms === undefined) throw new RangeError(`advance must be milliseconds or a duration like 30d, 12h, 90m, 45s, 500ms; got '${String(body.advance)}'`);
        target.clock.advance(ms);
      });
      return ok({ now: target.clock.now().toISOString() });
    }),
    route("PUT", "/limits", (ctx) => {
      const body = parse(LimitsBody, "limits", ctx);
      asBadRequest(() => {
        if (body.rateLimit !== undefined) target.setRateLimit(body.rateLimit);
        if (body.keyLimitPerUser !== undefined) target.setKeyLimitPerUser(body.keyLimitPerUser);
      });
      return ok(settings());
    }),
    route("GET", "/users", () => ok({ items: target.users() })),
    route("POST", "/users", (ctx) => {
      const { email, ...rest } = parse(UserBody, "user", ctx);
      return { status: 201, body: asBadRequest(() => target.addUser({ email, ...present(rest) })) };
    }),
    route("PATCH", "/users/:user", (ctx) => {
      const { uid } = userOf(ctx);
      const { active } = parse(UserStateBody, "user state", ctx);
      target.setUserActive(uid, active);
      return ok(userOf(ctx));
    }),
    route("DELETE", "/users/:user", (ctx) => {
      target.removeUser(userOf(ctx).uid);
      return done;
    }),
    route("POST", "/faults", (ctx) => {
      const body = parse(FaultBody, "fault rule", ctx);
      const { pathPattern, path, action, ...rest } = body;
      asBadRequest(() => {
        const rule: FaultRule = {
          ...present(rest),
          ...(path !== undefined ? { path } : pathPattern !== undefined ? { path: new RegExp(pathPattern) } : {}),
          action: Array.isArray(action) ? action.map(toAction) : toAction(action),
        };
        target.faults.add(rule);
      });
      return { status: 201, body: { faults: target.faults.stats } };
    }),
    route("DELETE", "/faults", () => {
      target.faults.clear();
      return done;
    }),
    route("POST", "/reset", () => {
      target.reset();
      return done;
    }),
  ];
}

/** For errors the in-process API raises that have a Palette shape: a taken email. */
export const emailTaken = (email: string): HttpError =>
  new HttpError(409, "AlreadyExists", `A user with email '${email}' already exists in this tenant`);
