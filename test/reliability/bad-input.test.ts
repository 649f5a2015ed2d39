/**
 * Bad input, property-based (fast-check, fixed seeds, bounded runs):
 * - the provider's `check` never throws on arbitrary inputs (arbitrary JSON for every property,
 *   unknown sentinels, extra keys, arbitrary olds) and returns either inputs that satisfy the schema
 *   or failures that each name a property the program gave;
 * - the emulator answers arbitrary methods, paths, headers and bodies without a 5xx, always as JSON:
 *   Palette's error envelope or a success shape.
 */
import { createRequire } from "node:module";
import fc from "fast-check";
import type * as StructPb from "google-protobuf/google/protobuf/struct_pb";
import * as impl from "../../provider/impl";
import { checkApiKey, NAME_MAX_LENGTH, DESCRIPTION_MAX_LENGTH, UNKNOWN } from "../../provider/pulumi/check";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { mulberry32 } from "../../emulator/faults";
import { ADMIN_KEY, ALICE_KEY, PASSWORD, rawRequest } from "./support";

// The Struct class the dynamic-provider host itself uses to send checked inputs back to the engine.
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/proto/provider_pb"));
const { Struct } = pulumiRequire("google-protobuf/google/protobuf/struct_pb") as typeof StructPb;

type Props = Record<string, unknown>;

const PROPERTIES = ["name", "description", "expiresIn", "expiresAt", "active", "user"] as const;
const INTERNAL = ["__logicalName", "__autonamed", "__autoname", "__expiry", "__provider"] as const;
const NOW = new Date("2026-03-01T10:20:30.000Z");
const DAY_MS = 86_400_000;

const anyJson = fc.jsonValue({ maxDepth: 2 });
const unknown = fc.constant(UNKNOWN);
const day = (offsetDays: number): string => new Date(NOW.getTime() + offsetDays * DAY_MS).toISOString().slice(0, 10);

/** Mostly plausible values (so valid inputs are explored too), else near misses, arbitrary JSON, the unknown sentinel. */
const mostly = <T>(plausible: fc.Arbitrary<T>, ...odd: fc.Arbitrary<unknown>[]): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: plausible, weight: 12 }, ...odd.map((arbitrary) => ({ arbitrary, weight: 1 })), { arbitrary: anyJson, weight: 1 }, { arbitrary: unknown, weight: 1 });

const values: Record<(typeof PROPERTIES)[number], fc.Arbitrary<unknown>> = {
  name: mostly(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), fc.string({ maxLength: 140 }), fc.constantFrom(" ci", "", "  ", "a".repeat(NAME_MAX_LENGTH + 1), "new\nline")),
  description: mostly(fc.string({ maxLength: 40 }), fc.constant("d".repeat(DESCRIPTION_MAX_LENGTH + 1))),
  expiresIn: mostly(
    fc.constantFrom("7d", "30d", "90d", "12h", "400d"),
    fc.constantFrom("0d", "-1d", "1.5d", "30", "d", "99999999999999999d", "1m", ""),
    fc.stringMatching(/^[0-9]{1,6}[dhmy]?$/),
  ),
  expiresAt: mostly(
    fc.integer({ min: 1, max: 400 }).map(day),
    fc.integer({ min: -400, max: 0 }).map(day),
    fc.date({ min: new Date("1969-01-01"), max: new Date("2300-01-01"), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom("2027-02-30", "2027-01-31T12:00:00+02:00", "tomorrow", "", "2027-13-01", "+275760-09-13T00:00:00.000Z"),
  ),
  active: mostly(fc.boolean()),
  user: mostly(
    fc.oneof(fc.record({ uid: fc.stringMatching(/^[0-9a-f]{24}$/) }), fc.record({ email: fc.constantFrom("a@b.c", "alice@palette.local") })),
    fc.record({ uid: fc.oneof(fc.string(), anyJson, unknown) }, { requiredKeys: [] }),
    fc.record({ email: fc.oneof(fc.constantFrom("nope", ""), fc.string(), unknown) }, { requiredKeys: [] }),
    fc.record({ uid: fc.string(), email: fc.string(), extra: anyJson }, { requiredKeys: [] }),
  ),
};

/** Program inputs: any subset of the properties, internal fields, and extra keys. */
const news: fc.Arbitrary<Props> = fc
  .tuple(
    fc.record(values, { requiredKeys: [] }),
    fc.record({ __logicalName: fc.oneof(fc.string(), anyJson), __provider: fc.string() }, { requiredKeys: [] }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), anyJson, { maxKeys: 3 }),
    fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  )
  .map(([props, internal, extra, withExtra]) => ({ ...(withExtra ? extra : {}), ...props, ...internal }));

/** Previous checked inputs: none, a valid earlier check, or arbitrary junk from an old state. */
const olds: fc.Arbitrary<Props> = fc.oneof(
  fc.constant({}),
  fc.record({ expiresIn: fc.constantFrom("7d", "30d"), expiresAt: fc.integer({ min: -40, max: 40 }).map((d) => new Date(NOW.getTime() + d * DAY_MS).toISOString()), name: fc.string(), __autoname: fc.string() }, { requiredKeys: [] }),
  fc.dictionary(fc.constantFrom(...PROPERTIES, ...INTERNAL), anyJson),
);

const given = (v: unknown): boolean => v !== undefined && v !== null;
const controlCharacters = /[\u0000-\u001f\u007f]/; // eslint-disable-line no-control-regex

/** What valid checked inputs must look like; returns the broken rules (empty: fine). */
function schemaProblems(inputs: Props, program: Props, previous: Props, now: Date): string[] {
  const problems: string[] = [];
  const allowed = new Set<string>([...PROPERTIES, ...INTERNAL]);
  for (const k of Object.keys(inputs)) if (!allowed.has(k)) problems.push(`unexpected input ${k}`);
  const { name, description, active, expiresAt, expiresIn, user } = inputs;
  if (name !== UNKNOWN) {
    if (typeof name !== "string" || name.trim() === "" || name.trim() !== name || name.length > NAME_MAX_LENGTH || controlCharacters.test(name)) {
      problems.push(`bad name ${JSON.stringify(name)}`);
    }
  }
  if (!given(program.name) && (inputs.__autonamed !== true || inputs.__autoname !== name)) problems.push("autoname not recorded");
  if (description !== UNKNOWN && !(typeof description === "string" && description.length <= DESCRIPTION_MAX_LENGTH)) problems.push("bad description");
  if (active !== UNKNOWN && typeof active !== "boolean") problems.push("bad active");
  if (given(program.expiresAt) === (expiresIn !== undefined)) problems.push("expiresIn must be there exactly when expiresAt was not given");
  if (expiresAt !== UNKNOWN) {
    const at = typeof expiresAt === "string" ? Date.parse(expiresAt) : NaN;
    const kept = typeof previous.expiresAt === "string" && Date.parse(previous.expiresAt) === at;
    if (!(typeof expiresAt === "string" && new Date(at).toISOString() === expiresAt)) problems.push(`expiresAt not an ISO instant: ${String(expiresAt)}`);
    else if (!(at > now.getTime() || kept)) problems.push(`expiresAt ${expiresAt} is neither in the future nor the kept one`);
  }
  if (user !== undefined && user !== UNKNOWN) {
    const u = user as Props;
    const keys = typeof u === "object" && u !== null ? Object.keys(u) : [];
    if (keys.length !== 1 || !["uid", "email"].includes(keys[0] ?? "") || typeof u[keys[0] ?? ""] !== "string") problems.push(`bad user ${JSON.stringify(user)}`);
  }
  return problems;
}

/** The failures' shape: each names a property the program gave, with a reason; one per property. */
function failureProblems(failures: { property: string; reason: string }[], program: Props): string[] {
  const problems: string[] = [];
  const names = Object.keys(program);
  for (const f of failures) {
    if (!names.some((k) => f.property === k || f.property.startsWith(`${k}.`))) problems.push(`failure names ${JSON.stringify(f.property)}, not a given property`);
    if (typeof f.reason !== "string" || f.reason.trim() === "") problems.push(`failure of ${f.property} has no reason`);
  }
  if (new Set(failures.map((f) => f.property)).size !== failures.length) problems.push("two failures for one property");
  return problems;
}

describe("check on arbitrary inputs", () => {
  it("never throws; returns valid inputs or failures naming given properties, and a Struct can carry the result", () => {
    let valid = 0;
    let invalid = 0;
    fc.assert(
      fc.property(news, olds, fc.integer({ min: 0, max: 2 ** 31 }), (program, previous, seed) => {
        const result = checkApiKey(previous, program, { now: NOW, random: mulberry32(seed) });
        Struct.fromJavaScript(result.inputs as Record<string, StructPb.JavaScriptValue>);
        const problems =
          result.failures.length === 0 ? schemaProblems(result.inputs, program, previous, NOW) : failureProblems(result.failures, program);
        if (result.failures.length === 0) valid += 1;
        else invalid += 1;
        expect(problems).toEqual([]);
      }),
      { numRuns: 3_000, seed: 424_242, endOnFailure: true },
    );
    // Both outcomes were explored, not just one.
    expect(Math.min(valid, invalid)).toBeGreaterThan(100);
  });

  it("the provider's own check (real clock, Math.random) holds the same on a sample", async () => {
    await fc.assert(
      fc.asyncProperty(news, olds, async (program, previous) => {
        const before = new Date();
        const result = await impl.check(previous, program);
        const failures = result.failures ?? [];
        const problems =
          failures.length === 0 ? schemaProblems(result.inputs ?? {}, program, previous, before) : failureProblems(failures, program);
        expect(problems).toEqual([]);
      }),
      { numRuns: 300, seed: 7_777, endOnFailure: true },
    );
  });
});

describe("the emulator on arbitrary requests", () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator({ adminKey: ADMIN_KEY, userKey: ALICE_KEY, password: PASSWORD, rateLimit: false });
  });
  afterAll(() => emu.close());

  const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x21-\\x7e]{0,${max}}$`));
  const segment = (): fc.Arbitrary<string> =>
    fc.oneof(
      fc.constantFrom(emu.accounts.admin.uid, emu.accounts.admin.apiKeyUid, emu.accounts.users[0]?.uid ?? "x", "000000000000000000000000"),
      fc.stringMatching(/^[0-9a-f]{24}$/),
      fc.string({ maxLength: 30 }).map(encodeURIComponent),
    );
  const requestArb = () =>
    fc.record({
      method: fc.oneof({ arbitrary: fc.constantFrom("GET", "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"), weight: 6 }, fc.stringMatching(/^[A-Z]{1,8}$/)),
      path: fc.oneof(
        { weight: 6, arbitrary: fc
          .tuple(
            fc.constantFrom("/v1/apiKeys", "/v1/apiKeys/:s", "/v1/apiKeys/:s/state", "/v1/users", "/v1/users/:s", "/v1/users/info", "/v1/users/summary", "/v1/users/meta", "/v1/auth/authenticate", "/v1/auth/refresh/:s", "/", "/v1", "/v2/apiKeys"),
            segment(),
          )
          .map(([template, s]) => template.replace(":s", s)) },
        fc.string({ maxLength: 60 }).map((s) => `/${encodeURI(s)}`),
      ),
      query: fc.oneof({ arbitrary: fc.constant(""), weight: 4 }, fc.constantFrom("?ApiKey=nope", `?apikey=${ADMIN_KEY}`, "?limit=-1&continue=%ZZ"), printable(20).map((s) => `?${encodeURI(s)}`)),
      apiKey: fc.oneof(fc.constant(undefined), { arbitrary: fc.constantFrom(ADMIN_KEY, ALICE_KEY), weight: 4 }, printable(40)),
      authorization: fc.oneof(fc.constant(undefined), fc.constantFrom("Bearer x", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"), printable(60)),
      contentType: fc.oneof(fc.constant(undefined), fc.constantFrom("application/json", "text/plain", "application/json; charset=latin1"), printable(30)),
      body: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 3 },
        anyJson.map((v) => JSON.stringify(v)),
        fc.string({ maxLength: 200 }),
        fc
          .record({ name: fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), days: fc.integer({ min: -2, max: 400 }), isActive: fc.boolean() })
          .map(({ name, days, isActive }) =>
            JSON.stringify({ metadata: { name }, spec: { expiry: new Date(Date.now() + days * DAY_MS).toISOString() }, isActive }),
          ),
        fc
          .record(
            {
              metadata: fc.record({ name: fc.oneof(fc.string(), anyJson), annotations: anyJson }, { requiredKeys: [] }),
              spec: fc.record({ expiry: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), anyJson), userUid: fc.oneof(segment(), anyJson), isActive: anyJson }, { requiredKeys: [] }),
              emailId: fc.constantFrom("admin@palette.local", "x"),
              password: fc.constantFrom(PASSWORD, "wrong"),
              isActive: anyJson,
            },
            { requiredKeys: [] },
          )
          .map((v) => JSON.stringify(v)),
      ),
    });

  const PAGE_TYPES = new Map([["/", /^text\/html/], ["/page/app.js", /^text\/javascript/], ["/page/app.css", /^text\/css/]]);

  it("never answers 5xx; every body is JSON with application/json (but the emulator's page): the error envelope or a success shape", async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(requestArb(), async (r) => {
        const headers: Record<string, string> = {};
        if (r.apiKey !== undefined) headers.ApiKey = r.apiKey;
        if (r.authorization !== undefined) headers.Authorization = r.authorization;
        if (r.contentType !== undefined) headers["Content-Type"] = r.contentType;
        const res = await rawRequest(emu.port, r.method, `${r.path}${r.query}`, headers, r.body);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        expect(res.status).toBeGreaterThanOrEqual(200);
        expect(res.status).toBeLessThan(500);
        if (r.method === "HEAD" || res.status === 204) {
          expect(res.body).toBe("");
          return;
        }
        // The emulator's page (GET /, whatever the query) is the one thing that is not JSON.
        const page = r.method === "GET" && res.status === 200 ? PAGE_TYPES.get(r.path) : undefined;
        if (page !== undefined) {
          expect(String(res.headers["content-type"])).toMatch(page);
          return;
        }
        expect(String(res.headers["content-type"])).toMatch(/^application\/json/);
        const body: unknown = JSON.parse(res.body);
        expect(typeof body).toBe("object");
        expect(body).not.toBeNull();
        if (res.status >= 400) {
          expect(body).toEqual(expect.objectContaining({ code: expect.anything(), message: expect.any(String) }));
          expect(["string", "number"]).toContain(typeof (body as { code: unknown }).code);
        }
      }),
      { numRuns: 600, seed: 1_234_567, endOnFailure: true, interruptAfterTimeLimit: 30_000 },
    );
    emu.reset();
    // The runs reached past authentication and validation, not just the front door.
    expect([...statuses.keys()].filter((s) => s < 300).length).toBeGreaterThan(0);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(401) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(404) ?? 0).toBeGreaterThan(0);
  }, 60_000);
});
