/**
 * `palette_api_key`: the ApiKey of the core in Terraform's terms. Validation, expiry resolution,
 * the in-place/replace decision and the lifecycle all come from provider/core; this module maps
 * them onto Terraform's plan rules (planned values must match config, unknowns only where config is
 * null, RequiresReplace only on paths whose planned value differs) and its state.
 */
import { diffKey, hasChanges, ownerChanged, type DesiredKey, type StoredKey } from "../core/diff";
import { sameEmail } from "../core/owner";
import type { KeyLifecycle } from "../core/lifecycle";
import type { Preflight } from "../core/preflight";
import {
  descriptionProblem,
  expiresAtProblem,
  expiresInProblem,
  mutuallyExclusiveExpiry,
  nameProblem,
  ownerEmailProblem,
  ownerUidProblem,
  PENDING,
  resolveExpiry,
  resolutionOf,
  type Field,
  type FieldNames,
  type OwnerInput,
  type Resolution,
} from "../core/rules";
import { rotatesAt, rotationProblems, rotationReason, type RotationInput } from "../core/rotation";
import { PREVIOUS_KEYS, PREVIOUS_KEY_TYPE, previousKeysCty, splitPreviousKeys } from "./previous-keys";
import { UNKNOWN, type CtyObject, type Diagnostic, type PathStep, type ResourceType, type Schema } from "../tfplugin6";
import { boolAt, knownString, stringAt, toCty } from "./values";

/** The core's fields in Terraform's spelling, used in every message the core writes. */
export const TERRAFORM_NAMES: FieldNames = {
  name: "name",
  description: "description",
  expiresIn: "expires_in",
  expiresAt: "expires_at",
  active: "active",
  user: "user_uid or user_email",
  userUid: "user_uid",
  userEmail: "user_email",
  status: "status",
  rotateBefore: "rotate_before",
  keepPrevious: "keep_previous",
};

export const API_KEY_SCHEMA: Schema = {
  version: 0,
  block: {
    description: "A Palette API key. Name, description, expiry and active change in place; a change of owner replaces the key.",
    attributes: [
      { name: "id", type: "string", computed: true, description: "The key's Palette uid." },
      { name: "name", type: "string", optional: true, computed: true, description: "The key's name, unique per owner. Conflicts with `name_prefix`; one of them is required." },
      {
        name: "name_prefix",
        type: "string",
        optional: true,
        description: 'Name every key this prefix plus a random suffix ("deployer" gives "deployer-x3k9a1q"), new for every replacement. Needed with `rotate_before`.',
      },
      { name: "description", type: "string", optional: true, computed: true, description: 'Free text. Default "".' },
      {
        name: "expires_in",
        type: "string",
        optional: true,
        description:
          'Relative lifetime such as "30d" or "12h", resolved once to `expires_at` at create and again only when this value changes. Conflicts with `expires_at`. Default "30d" when neither is set.',
      },
      {
        name: "expires_at",
        type: "string",
        optional: true,
        computed: true,
        description: 'Absolute expiry: an RFC 3339 instant or a day ("2027-01-31", end of that day UTC). Must lie in the future. Conflicts with `expires_in`.',
      },
      { name: "active", type: "bool", optional: true, computed: true, description: "false revokes the key, true re-activates it (not once expired). Default true." },
      { name: "user_uid", type: "string", optional: true, computed: true, description: "Owner by uid (tenant admins only for others). Changing the owner replaces the key. Default: the caller." },
      { name: "user_email", type: "string", optional: true, computed: true, description: "Owner by email. Conflicts with `user_uid`. Changing the owner replaces the key." },
      {
        name: "rotate_before",
        type: "string",
        optional: true,
        description:
          'Replace the key once now is this close to its expiry ("7d"): the first plan inside the window replaces it (use `lifecycle { create_before_destroy = true }`; with `keep_previous`, updates it in place), the new key with a fresh `expires_in`. Needs `expires_in` (or the default) and `name_prefix`; shorter than `expires_in`.',
      },
      {
        name: "keep_previous",
        type: "string",
        optional: true,
        description:
          'Keep the key a rotation replaces alive this long ("1d", at most `rotate_before`), listed in `previous_keys`: the rotation then updates the resource in place (new id, name, key and expiry) instead of replacing it. The first apply after the grace period deletes it; destroy deletes it with the key.',
      },
      {
        name: PREVIOUS_KEYS,
        type: PREVIOUS_KEY_TYPE,
        computed: true,
        description: "Keys rotated out and still kept alive (`keep_previous`): uid, name and delete_after, never a value. null when there are none.",
      },
      { name: "rotates_at", type: "string", computed: true, description: "When the key becomes due for rotation (`expires_at` - `rotate_before`); null without `rotate_before`." },
      { name: "key", type: "string", computed: true, sensitive: true, description: "The key value, known only to the apply that created it; null after import." },
      { name: "key_available", type: "bool", computed: true, description: "true when `key` holds the value (Terraform created the key); false for an imported key." },
      { name: "status", type: "string", computed: true, description: '"active", "revoked" or "expired", as of the last apply or refresh.' },
      { name: "user_name", type: "string", computed: true, description: "The owner's \"First Last\"." },
      { name: "created_at", type: "string", computed: true, description: "When the key was created (RFC 3339)." },
      { name: "updated_at", type: "string", computed: true, description: "When the key was last changed (RFC 3339)." },
      { name: "host", type: "string", computed: true, description: "The Palette API the key lives at: with tenant_uid, refresh, update and delete refuse credentials of another tenant." },
      { name: "tenant_uid", type: "string", computed: true, description: "The tenant the key lives in." },
    ],
  },
};

const N = TERRAFORM_NAMES;

/** The attribute a core field is reported on. */
const attributeOf = (field: Field): string => (field === "user" ? N.userEmail : N[field]);

export const error = (summary: string, attribute?: string, detail?: string): Diagnostic => ({
  severity: "error",
  summary,
  ...(detail !== undefined ? { detail } : {}),
  ...(attribute !== undefined ? { attribute: [attribute] } : {}),
});

/** Format rules on every known value of the config: what `terraform validate` and plan report. */
export function validateApiKeyConfig(config: CtyObject): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const rule = (attr: string, problem: (s: string) => string | undefined): void => {
    const v = stringAt(config, attr);
    if (typeof v !== "string") return;
    const reason = problem(v);
    if (reason !== undefined) diags.push(error(`Invalid ${attr}`, attr, `${attr} ${reason}`));
  };
  rule(N.name, (s) => nameProblem(s, `set a ${N.name}, or use ${NAME_PREFIX} instead for a generated one`));
  rule(N.description, descriptionProblem);
  rule(N.expiresIn, expiresInProblem);
  rule(N.expiresAt, expiresAtProblem);
  rule(N.userUid, ownerUidProblem);
  rule(N.userEmail, ownerEmailProblem);
  if (stringAt(config, N.expiresIn) !== undefined && stringAt(config, N.expiresAt) !== undefined) {
    diags.push(error("Conflicting expiry", N.expiresAt, mutuallyExclusiveExpiry(N)));
  }
  diags.push(...rotationDiagnostics(config));
  if (stringAt(config, N.userUid) !== undefined && stringAt(config, N.userEmail) !== undefined) {
    diags.push(error("Conflicting owner", N.userEmail, `${N.userUid} and ${N.userEmail} are mutually exclusive: name the owner by one of them`));
  }
  return diags;
}

const NAME_PREFIX = "name_prefix";

/** Naming and rotation: one of name and name_prefix, and the combinations that cannot rotate. */
function rotationDiagnostics(config: CtyObject): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const name = stringAt(config, N.name);
  const prefix = stringAt(config, NAME_PREFIX);
  if (name !== undefined && prefix !== undefined) diags.push(error("Conflicting name", NAME_PREFIX, `${N.name} and ${NAME_PREFIX} are mutually exclusive: set one of them`));
  if (name === undefined && prefix === undefined) diags.push(error("Missing name", N.name, `set ${N.name}, or ${NAME_PREFIX} for a new random suffix per key`));
  if (typeof prefix === "string") {
    const reason = nameProblem(prefix, `set a prefix such as "deployer", or use ${N.name} instead for a fixed name`);
    if (reason !== undefined) diags.push(error(`Invalid ${NAME_PREFIX}`, NAME_PREFIX, `${NAME_PREFIX} ${reason}`));
  }
  const rotateBefore = stringAt(config, N.rotateBefore);
  const keepPrevious = stringAt(config, N.keepPrevious);
  const durations = [
    [N.rotateBefore, rotateBefore],
    [N.keepPrevious, keepPrevious],
  ] as const;
  for (const [attr, value] of durations) {
    const reason = typeof value === "string" ? expiresInProblem(value) : undefined;
    if (reason !== undefined) diags.push(error(`Invalid ${attr}`, attr, `${attr} ${reason}`));
  }
  if (diags.some((d) => d.attribute?.[0] === N.rotateBefore || d.attribute?.[0] === N.keepPrevious)) return diags;
  const input: RotationInput = { rotateBefore, keepPrevious, explicitName: name !== undefined, expiresIn: stringAt(config, N.expiresIn), expiresAtGiven: stringAt(config, N.expiresAt) !== undefined };
  for (const f of rotationProblems(input, N, `use ${NAME_PREFIX} instead of ${N.name}`)) diags.push(error(`Invalid ${N[f.field]}`, N[f.field], f.reason));
  return diags;
}

/** rotates_at for a key expiring at `expiresAt`: unknown while the expiry is, null without rotate_before. */
function plannedRotatesAt(expiresAt: unknown, rotateBefore: unknown): CtyObject[string] {
  if (typeof rotateBefore !== "string") return null;
  if (expiresAt === PENDING || expiresAt === UNKNOWN) return UNKNOWN;
  return rotatesAt(expiresAt, rotateBefore)?.toISOString() ?? null;
}

/** What the program asked for about the owner, kept in private state: Terraform state cannot tell config from computed. */
interface KeyPrivate {
  owner?: { uid?: string; email?: string };
  /** How a relative expiry resolved: a refresh overwrites expires_at, this does not (see core/rules.ts). */
  expiry?: Resolution;
}

function privateOf(bytes: Buffer | undefined): KeyPrivate {
  if (bytes === undefined || bytes.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(bytes.toString("utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as KeyPrivate) : {};
  } catch {
    return {}; // written by another provider version: the owner then compares by uid/email only
  }
}

export function ownerInputOf(config: CtyObject | null): OwnerInput | undefined {
  const uid = stringAt(config, N.userUid);
  const email = stringAt(config, N.userEmail);
  if (email !== undefined) return { email };
  if (uid !== undefined) return { uid };
  return undefined;
}

export function privateFor(config: CtyObject | null, expiry: Resolution | undefined): Buffer {
  const owner = ownerInputOf(config);
  const known: KeyPrivate = expiry !== undefined ? { expiry } : {};
  if (owner?.email !== undefined && owner.email !== PENDING) known.owner = { email: owner.email };
  else if (owner?.uid !== undefined && owner.uid !== PENDING) known.owner = { uid: owner.uid };
  return Buffer.from(JSON.stringify(known));
}

function storedOf(prior: CtyObject, priv: KeyPrivate): StoredKey {
  return {
    name: knownString(prior, N.name),
    description: knownString(prior, N.description),
    expiresIn: knownString(prior, N.expiresIn),
    expiresAt: knownString(prior, N.expiresAt),
    active: boolAt(prior, N.active),
    userUid: knownString(prior, N.userUid),
    userEmail: knownString(prior, N.userEmail),
    owner: priv.owner,
    rotateBefore: knownString(prior, N.rotateBefore),
    keepPrevious: knownString(prior, N.keepPrevious),
  };
}

/**
 * Whether `email` names the owner of a stored key that records no matching email (an imported key,
 * whose owner's email the credentials could not read): the uid Palette gives for the email, when the
 * credentials may look it up. A key recording no email at all is never replaced on a guess.
 */
async function emailOwner(email: string, stored: StoredKey, preflight: Preflight | undefined): Promise<{ uid?: string } | { problem: string }> {
  const found = preflight !== undefined ? await preflight.ownerUid(email) : { unresolved: "no credentials are configured" };
  if ("uid" in found) return { uid: found.uid };
  if (typeof stored.userEmail === "string" || typeof stored.userUid !== "string") return {};
  return {
    problem:
      `the key is owned by user ${stored.userUid}, whose email the credentials in use cannot read, and looking up ${email} failed (${found.unresolved}): ` +
      `whether ${N.userEmail} names that user is unknown, so nothing is planned. Name the owner with ${N.userUid} = "${stored.userUid}" instead, ` +
      `or plan with credentials of a tenant admin.`,
  };
}

/** The plan of a rotation in place: everything the new key gets is known only after apply. */
const rotatedInPlace = (next: CtyObject): CtyObject => ({
  ...next,
  ...Object.fromEntries(["id", N.name, N.expiresAt, "rotates_at", "key", "created_at", PREVIOUS_KEYS].map((a) => [a, UNKNOWN])),
  key_available: true,
});

/**
 * Read and apply need the HTTP client; schema, validate and plan do not. Terraform starts 2-5
 * provider processes per command and most of them never reach Palette, so the client is loaded
 * by the first call that needs it.
 */
const applying = (): typeof import("./api-key-apply") => require("./api-key-apply");

/**
 * `preflight` answers, when credentials are configured, whether an owner named by email exists: a
 * plan then fails on `user_email` instead of the apply after review (read-only, once per email).
 */
export function apiKeyResource(
  lifecycle: (signal: AbortSignal) => KeyLifecycle,
  clock: () => Date = () => new Date(),
  preflight: () => Preflight | undefined = () => undefined,
): ResourceType {
  return {
    schema: API_KEY_SCHEMA,

    async validate(config) {
      return validateApiKeyConfig(config);
    },

    async upgrade(raw) {
      // State written before these attributes existed: name_prefix and rotation are null; key_available
      // is derived from the value the state holds, so no plan shows either.
      const known = { name_prefix: null, rotate_before: null, keep_previous: null, rotates_at: null, [PREVIOUS_KEYS]: null, ...raw };
      return { state: "key_available" in raw ? known : { ...known, key_available: typeof raw.key === "string" } };
    },

    read(req, ctx) {
      return applying().readKey(lifecycle, clock, req, ctx);
    },

    async plan({ prior, proposed, config, priorPrivate }) {
      if (proposed === null || config === null) return { planned: null };
      const diagnostics = validateApiKeyConfig(config);
      if (diagnostics.length > 0) return { planned: null, diagnostics };
      const now = clock();
      const expiresIn = stringAt(config, N.expiresIn);
      const expiresAt = stringAt(config, N.expiresAt);
      const priorPrivateState = privateOf(priorPrivate);
      const previous =
        prior === null
          ? {}
          : { expiresIn: knownString(prior, N.expiresIn), expiresAt: knownString(prior, N.expiresAt), resolved: resolutionOf(priorPrivateState.expiry) };
      const { expiry, failure } = resolveExpiry(
        { ...(expiresIn !== undefined ? { expiresIn } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}) },
        previous,
        now,
        N,
      );
      if (failure !== undefined) return { planned: null, diagnostics: [error(`Invalid ${attributeOf(failure.field)}`, attributeOf(failure.field), failure.reason)] };

      const active = boolAt(config, N.active) ?? true;
      const rotateBefore = stringAt(config, N.rotateBefore);
      // With name_prefix the name is chosen at create (unknown until then) and kept by updates.
      const name = stringAt(config, N.name) ?? (prior !== null ? (knownString(prior, N.name) ?? PENDING) : PENDING);
      const desired: DesiredKey = {
        name,
        description: stringAt(config, N.description) ?? "",
        expiresIn: expiresIn,
        // Terraform plans and applies in separate calls, maybe minutes apart: an instant resolved from
        // the clock now would differ from the one apply resolves, so it is "known after apply".
        expiresAt: expiry.fresh === true ? PENDING : expiry.expiresAt,
        active,
        owner: ownerInputOf(config),
        explicitName: stringAt(config, N.name) !== undefined,
        rotateBefore,
        keepPrevious: stringAt(config, N.keepPrevious),
      };
      // A non-computed value must equal config: keep the user's spelling of an explicit expiry.
      const plannedExpiresAt = expiresAt ?? desired.expiresAt;
      const wantedStatus = active === PENDING ? UNKNOWN : active ? "active" : "revoked";
      const planned: CtyObject = {
        ...proposed,
        name: toCty(desired.name),
        description: toCty(desired.description),
        expires_in: toCty(expiresIn),
        expires_at: toCty(plannedExpiresAt),
        active: toCty(active),
        rotates_at: plannedRotatesAt(desired.expiresAt, rotateBefore),
      };

      const email = stringAt(config, N.userEmail);
      const ownerCheck = typeof email === "string" && (prior === null || !sameEmail(email, knownString(prior, N.userEmail)));
      const unknownOwner = ownerCheck ? await preflight()?.owner(email) : undefined;
      if (unknownOwner !== undefined) return { planned: null, diagnostics: [error("Unknown owner", N.userEmail, unknownOwner.reason)] };

      if (prior === null) {
        const owner = desired.owner;
        return {
          planned: {
            ...planned,
            id: UNKNOWN,
            user_uid: owner !== undefined && owner !== PENDING && owner.uid !== undefined ? toCty(owner.uid) : UNKNOWN,
            user_email: owner !== undefined && owner !== PENDING && owner.email !== undefined ? toCty(owner.email) : UNKNOWN,
            key: UNKNOWN,
            key_available: true,
            status: wantedStatus,
            user_name: UNKNOWN,
            created_at: UNKNOWN,
            updated_at: UNKNOWN,
            host: UNKNOWN,
            tenant_uid: UNKNOWN,
          },
          plannedPrivate: privateFor(config, expiry.fresh === true ? undefined : expiry.resolved),
        };
      }

      const stored = storedOf(prior, priorPrivateState);
      if (typeof email === "string" && ownerChanged(stored, desired.owner)) {
        const owner = await emailOwner(email, stored, preflight());
        if ("problem" in owner) return { planned: null, diagnostics: [error("Owner not comparable", N.userEmail, owner.problem)] };
        desired.ownerEmailUid = owner.uid;
      }
      const d = diffKey(stored, desired, now);
      // Kept keys past their grace period: an update that deletes them (previous_keys shrinks).
      const { kept, due } = splitPreviousKeys(prior, now);
      const priorPrivateOut = priorPrivate !== undefined ? { plannedPrivate: priorPrivate } : {};
      if (!hasChanges(d)) {
        // A configured value must be planned as configured, unless the prior one stands for it (an
        // email in another case does): a key recording no email records the configured one.
        const same = { ...prior, ...(typeof email === "string" && prior.user_email === null ? { user_email: email } : {}) };
        return { planned: due.length === 0 ? same : { ...same, [PREVIOUS_KEYS]: previousKeysCty(kept) }, ...priorPrivateOut };
      }
      const requiresReplace: PathStep[][] = [];
      const next: CtyObject = { ...planned, updated_at: UNKNOWN, status: wantedStatus, [PREVIOUS_KEYS]: previousKeysCty(kept) };
      if (d.replaces.includes("user")) {
        // The owner's uid and email are computed where config is null: unknown makes the change visible.
        if (stringAt(config, N.userUid) === undefined) next.user_uid = UNKNOWN;
        if (stringAt(config, N.userEmail) === undefined) next.user_email = UNKNOWN;
        requiresReplace.push([N.userUid], [N.userEmail]);
      }
      // "status" (expired -> active) is the replacement of an expired key the config still wants usable.
      for (const field of d.replaces) if (field !== "user" && field !== "rotateBefore") requiresReplace.push([attributeOf(field)]);
      const plannedPrivate = privateFor(config, expiry.fresh === true ? undefined : expiry.resolved);
      if (d.rotation === undefined) return { planned: next, requiresReplace, plannedPrivate };
      // The new key gets a fresh expiry (and name): rotates_at is what forces the replacement, and the plan says why.
      const warning: Diagnostic = { severity: "warning", summary: rotationReason(d.rotation, N), attribute: [N.rotateBefore] };
      const keepPrevious = desired.keepPrevious;
      if (typeof keepPrevious === "string" && d.replaces.length === 1) {
        // keep_previous: the new key replaces the old one in this same object, which keeps the old
        // key in previous_keys (see previous-keys.ts); when, is known only at apply.
        const detail = `A new key replaces this one in place; the replaced key stays usable for ${N.keepPrevious} ${keepPrevious} (listed in ${PREVIOUS_KEYS}), then the first apply after that deletes it.`;
        return {
          planned: rotatedInPlace(next),
          plannedPrivate: privateFor(config, undefined),
          diagnostics: [{ ...warning, detail }],
        };
      }
      return { planned: { ...next, rotates_at: UNKNOWN }, requiresReplace: [...requiresReplace, ["rotates_at"]], plannedPrivate, diagnostics: [warning] };
    },

    apply(req, ctx) {
      return applying().applyKey(lifecycle, clock, req, ctx);
    },

    async importState(id) {
      // Terraform reads the key right after; its value is unknown to Palette and stays null.
      return { state: { id } };
    },
  };
}
