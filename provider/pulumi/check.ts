/**
 * `check`: validates the program's inputs and turns them into the checked inputs the engine stores
 * and later hands to diff/create/update. Pure except for the random autoname suffix (by design: the
 * engine calls check with empty olds again when it replaces, which gives the new key a fresh name).
 */
import { z } from "zod";
import {
  autoname,
  exactlyOneOwner,
  mutuallyExclusiveExpiry,
  ownerUidProblem,
  PENDING,
  resolveExpiry,
  resolutionOf,
  textRules,
  type FieldNames,
  type MaybePending,
  type Resolution,
  type TextRule,
} from "../core/rules";
import { rotationProblems, type RotationInput } from "../core/rotation";

export { NAME_MAX_LENGTH, DESCRIPTION_MAX_LENGTH } from "../core/rules";

/** Pulumi's unknown sentinel: a preview sends it for inputs computed from other resources' outputs. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export type Unknown = typeof UNKNOWN;

/** The Pulumi spelling of the core's fields: the ApiKey's input names. */
export const PULUMI_NAMES: FieldNames = {
  name: "name",
  description: "description",
  expiresIn: "expiresIn",
  expiresAt: "expiresAt",
  active: "active",
  user: "user",
  userUid: "user.uid",
  userEmail: "user.email",
  status: "status",
  rotateBefore: "rotateBefore",
  keepPrevious: "keepPrevious",
  encryptFor: "encryptFor",
};

/** The owner of a key, as a program names it: exactly one of the two. */
export interface ApiKeyUserInput {
  uid?: string;
  email?: string;
}

/** Checked inputs: what the engine stores as the resource's inputs and passes to diff/create/update. */
export interface ApiKeyInputs {
  name: string;
  description: string;
  /** Present when the program uses a relative expiry (also when it defaulted to 30d). */
  expiresIn?: string;
  /** Always present: the absolute instant (ISO 8601, UTC) the key expires. */
  expiresAt: string;
  active: boolean | Unknown;
  user?: ApiKeyUserInput | Unknown;
  /** The existing key a new resource takes over instead of creating one; read by create only. */
  adopt?: { uid: string } | Unknown;
  /** The resource's logical name, passed by the ApiKey class because check never sees the URN. */
  __logicalName?: string;
  /** Set when the program gave no `name`: a replacement may then pick a fresh one. */
  __autonamed?: boolean;
  /**
   * The name Pulumi chose for an autonamed key. Kept apart from `name` because a refresh records the
   * name Palette reports: without it, an out-of-band rename would become the new desired name and
   * never be put back.
   */
  __autoname?: string;
  /** The relative expiry and the instant it resolved to: what a re-dated key is put back to. */
  __expiry?: Resolution;
  /** Replace the key once now is this close to its expiry ("7d"). */
  rotateBefore?: string;
  /** Keep the key a rotation replaced alive this long ("1d"). */
  keepPrevious?: string;
  /** The keys rotated out and kept for `keepPrevious`, handed over by the rotation (see handover.ts). */
  __previousKeys?: unknown;
  /** An armored OpenPGP public key: a new key's value is encrypted to it (read at create only, see impl.ts). */
  encryptFor?: string | Unknown;
  __provider?: string;
}

export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckContext {
  now: Date;
  /** Uniform in [0, 1), like Math.random. */
  random: () => number;
}

const INPUT_NAMES = "name, description, expiresIn, expiresAt, active, user, rotateBefore, keepPrevious, adopt and encryptFor";

/** Hands a core rule's verdict to zod, which reports it against the property being parsed. */
const rule =
  (problem: TextRule) =>
  (s: string, ctx: z.RefinementCtx): void => {
    const reason = problem(s);
    if (reason !== undefined) ctx.addIssue({ code: "custom", message: reason });
  };

/** The core's format rule of each field (the same as Terraform's), with Pulumi's advice for an empty name. */
const RULES = textRules(`leave ${PULUMI_NAMES.name} out to get an autoname`);

const Name = z.string({ error: "must be a string" }).superRefine(rule(RULES.name));

const Description = z.string({ error: "must be a string" }).superRefine(rule(RULES.description));

/** A duration such as "30d", checked by `field`'s rule. */
const duration = (field: "expiresIn" | "rotateBefore" | "keepPrevious") =>
  z.string({ error: 'must be a string such as "30d" or "12h"' }).superRefine(rule(RULES[field]));

const ExpiresAt = z
  .string({ error: 'must be a string such as "2027-01-31" or "2027-01-31T12:00:00Z"' })
  .superRefine(rule(RULES.expiresAt));

const User = z
  .strictObject(
    {
      uid: z.string({ error: "must be a string" }).superRefine(rule(RULES.userUid)).optional(),
      email: z.string({ error: "must be a string" }).superRefine(rule(RULES.userEmail)).optional(),
    },
    { error: "must be an object: { uid: \"...\" } or { email: \"...\" }" },
  )
  .refine((u) => (u.uid === undefined) !== (u.email === undefined), exactlyOneOwner(PULUMI_NAMES));

const Adopt = z.strictObject(
  { uid: z.string({ error: "must be a string: the uid of the key to adopt" }).superRefine(rule(ownerUidProblem)) },
  { error: 'must be an object: { uid: "..." }' },
);

const RawInputs = z.strictObject({
  name: Name.optional(),
  description: Description.optional(),
  expiresIn: duration("expiresIn").optional(),
  expiresAt: ExpiresAt.optional(),
  active: z.boolean({ error: "must be true or false" }).optional(),
  user: User.optional(),
  rotateBefore: duration("rotateBefore").optional(),
  keepPrevious: duration("keepPrevious").optional(),
  adopt: Adopt.optional(),
  // The key itself is read in impl.ts's check (asynchronous, and the OpenPGP library is loaded only then).
  encryptFor: z.string({ error: 'must be a string: an ASCII-armored OpenPGP public key ("-----BEGIN PGP PUBLIC KEY BLOCK-----" ...)' }).optional(),
  __logicalName: z.string().optional(),
  __autonamed: z.boolean().optional(),
  __autoname: z.string().optional(),
  __provider: z.string().optional(),
});

/** Drops absent values (null counts as "not set", as elsewhere in Pulumi) and stands in for unknowns. */
function validatable(news: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(news)) {
    if (v === undefined || v === null || v === UNKNOWN) continue;
    if ((k === "user" || k === "adopt") && typeof v === "object" && !Array.isArray(v)) {
      // An unknown uid/email still counts as "given", so the exactly-one rule holds in previews.
      const user: Record<string, unknown> = {};
      for (const [uk, uv] of Object.entries(v as Record<string, unknown>)) {
        if (uv === undefined || uv === null) continue;
        user[uk] = uv !== UNKNOWN ? uv : uk === "email" ? "unknown@preview" : "unknown";
      }
      out[k] = user;
      continue;
    }
    out[k] = v;
  }
  return out;
}

function failuresOf(error: z.ZodError): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const seen = new Set<string>();
  const add = (property: string, reason: string): void => {
    if (seen.has(property)) return; // one failure per property: the first says what to fix
    seen.add(property);
    failures.push({ property, reason });
  };
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      const accepted = path.length === 0 ? INPUT_NAMES : path[0] === "adopt" ? "uid" : "uid or email";
      for (const key of issue.keys) add([...path, key].join("."), `is not an ApiKey input (accepted: ${accepted})`);
    } else {
      add(path.join(".") || "inputs", issue.message);
    }
  }
  return failures;
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/**
 * Validates `news` and returns the checked inputs, or one failure per bad property.
 * `olds` are the previously checked inputs (`{}` for a new resource, and for the engine's second
 * check of a replacement).
 */
export function checkApiKey(
  olds: Record<string, unknown>,
  news: Record<string, unknown>,
  ctx: CheckContext,
): { inputs: Record<string, unknown>; failures: CheckFailure[] } {
  const parsed = RawInputs.safeParse(validatable(news));
  const failures = parsed.success ? [] : failuresOf(parsed.error);
  const given = (k: string): boolean => news[k] !== undefined && news[k] !== null;
  if (given("expiresIn") && given("expiresAt") && !failures.some((f) => f.property === "expiresAt")) {
    failures.push({ property: "expiresAt", reason: mutuallyExclusiveExpiry(PULUMI_NAMES) });
  }
  if (given("adopt") && given("rotateBefore")) {
    // A rotation needs a fresh autoname per key; an adopted key keeps the name the program gives it.
    failures.push({ property: "rotateBefore", reason: "cannot be combined with adopt: adopt the key without rotateBefore, or leave adopt out and let Pulumi create rotating keys" });
  } else if (given("adopt") && given("encryptFor")) {
    failures.push({ property: "encryptFor", reason: "cannot be combined with adopt: an adopted key's value is unknown, so there is nothing to encrypt. Leave encryptFor out, or leave adopt out and let Pulumi create a key whose value is encrypted" });
  } else if (given("adopt") && !given("name")) {
    failures.push({ property: "name", reason: "must be set when adopting a key (adopt), e.g. to its current name: without it the key would be renamed to an autoname" });
  }
  if (failures.length === 0) failures.push(...rotationFailures(news, given));
  if (failures.length > 0) return { inputs: stripUndefined(news), failures };

  const inputs: Record<string, unknown> = {};
  if (typeof news.__logicalName === "string") inputs.__logicalName = news.__logicalName;

  if (given("name")) {
    inputs.name = news.name;
  } else {
    const usable = (v: unknown): v is string => typeof v === "string" && v !== "" && v !== UNKNOWN;
    // The autoname chosen earlier wins over `olds.name`, which a refresh sets to whatever Palette reports.
    const kept = usable(olds.__autoname) ? olds.__autoname : usable(olds.name) ? olds.name : undefined;
    const base = typeof news.__logicalName === "string" && news.__logicalName.trim() !== "" ? news.__logicalName.trim() : "apikey";
    const name = kept ?? autoname(base, ctx.random);
    inputs.name = name;
    inputs.__autonamed = true;
    inputs.__autoname = name;
  }
  inputs.description = given("description") ? news.description : "";
  inputs.active = given("active") ? news.active : true;
  if (given("user")) inputs.user = news.user === UNKNOWN ? UNKNOWN : stripUndefined(news.user as Record<string, unknown>);
  if (given("adopt")) inputs.adopt = news.adopt === UNKNOWN ? UNKNOWN : { uid: (news.adopt as Record<string, unknown>).uid };

  const pending = <T>(v: unknown): MaybePending<T> => (v === UNKNOWN ? PENDING : (v as T));
  const { expiry, failure } = resolveExpiry(
    {
      ...(given("expiresAt") ? { expiresAt: pending<string>(news.expiresAt) } : {}),
      ...(given("expiresIn") ? { expiresIn: pending<string>(news.expiresIn) } : {}),
    },
    { ...olds, resolved: resolutionOf(olds.__expiry) },
    ctx.now,
    PULUMI_NAMES,
  );
  if (failure !== undefined) failures.push({ property: PULUMI_NAMES[failure.field], reason: failure.reason });
  const unpending = (v: MaybePending<string>): string => (v === PENDING ? UNKNOWN : v);
  if (expiry.expiresIn !== undefined) inputs.expiresIn = unpending(expiry.expiresIn);
  inputs.expiresAt = unpending(expiry.expiresAt);
  if (expiry.resolved !== undefined) inputs.__expiry = expiry.resolved;
  if (given("rotateBefore")) inputs.rotateBefore = news.rotateBefore;
  if (given("keepPrevious")) inputs.keepPrevious = news.keepPrevious;
  if (given("encryptFor")) inputs.encryptFor = news.encryptFor;
  return { inputs, failures };
}

function rotationFailures(news: Record<string, unknown>, given: (k: string) => boolean): CheckFailure[] {
  const maybe = (k: string): MaybePending<string> | undefined => (!given(k) ? undefined : news[k] === UNKNOWN ? PENDING : String(news[k]));
  const input: RotationInput = {
    rotateBefore: maybe("rotateBefore"),
    keepPrevious: maybe("keepPrevious"),
    explicitName: given("name"),
    expiresIn: maybe("expiresIn"),
    expiresAtGiven: given("expiresAt"),
  };
  const failures = rotationProblems(input, PULUMI_NAMES, "leave name out: Pulumi then gives every key a fresh autoname");
  return failures.map((f) => ({ property: PULUMI_NAMES[f.field], reason: f.reason }));
}
