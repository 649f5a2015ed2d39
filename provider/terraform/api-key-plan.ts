/**
 * palette_api_key's plan: the configuration resolved by the core's rules (expiry, owner, rotation)
 * and its diff against the prior state, mapped onto Terraform's plan rules (planned values must
 * match config, unknowns only where config is null, RequiresReplace only on paths whose planned
 * value differs). No call to Palette but the preflight's read-only owner lookups.
 */
import { diffKey, hasChanges, ownerChanged, type DesiredKey, type StoredKey } from "../core/diff";
import { sameEmail } from "../core/owner";
import type { Preflight } from "../core/preflight";
import { PENDING, resolveExpiry, resolutionOf, type Field } from "../core/rules";
import { rotatesAt, rotationReason, splitPreviousKeys } from "../core/rotation";
import { UNKNOWN, type CtyObject, type Diagnostic, type PathStep, type ResourceType } from "../tfplugin6";
import { error, ownerInputOf, privateFor, privateOf, TERRAFORM_NAMES as N, type KeyPrivate } from "./api-key-state";
import { validateApiKeyConfigFully } from "./api-key-validate";
import { encryptionPlan, recipientChangeWarning } from "./api-key-encryption";
import { PREVIOUS_KEYS, previousKeysCty, previousKeysIn } from "./previous-keys";
import { boolAt, knownString, stringAt, toCty } from "./values";

type Plan = ResourceType["plan"];

/** The attribute a core field is reported on. */
const attributeOf = (field: Field): string => (field === "user" ? N.userEmail : N[field]);

/** rotates_at for a key expiring at `expiresAt`: unknown while the expiry is, null without rotate_before. */
function plannedRotatesAt(expiresAt: unknown, rotateBefore: unknown): CtyObject[string] {
  if (typeof rotateBefore !== "string") return null;
  if (expiresAt === PENDING || expiresAt === UNKNOWN) return UNKNOWN;
  return rotatesAt(expiresAt, rotateBefore)?.toISOString() ?? null;
}

/** The core's view of the prior state, with the owner as the program named it (private state). */
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
const rotatedInPlace = (next: CtyObject, config: CtyObject): CtyObject => ({
  ...next,
  ...Object.fromEntries(["id", N.name, N.expiresAt, "rotates_at", "created_at", PREVIOUS_KEYS].map((a) => [a, UNKNOWN])),
  ...encryptionPlan(config),
});

/**
 * `preflight` answers, when credentials are configured, whether an owner named by email exists: a
 * plan then fails on `user_email` instead of the apply after review (read-only, once per email).
 */
export async function planKey(
  clock: () => Date,
  preflight: () => Preflight | undefined,
  { prior, proposed, config, priorPrivate }: Parameters<Plan>[0],
): ReturnType<Plan> {
  if (proposed === null || config === null) return { planned: null };
  const diagnostics = await validateApiKeyConfigFully(config);
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
        ...encryptionPlan(config),
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
  const { kept, due } = splitPreviousKeys(previousKeysIn(prior), now);
  const priorPrivateOut = priorPrivate !== undefined ? { plannedPrivate: priorPrivate } : {};
  // encrypt_for is read at create: a change without a replacement only warns (see api-key-encryption.ts).
  const recipientWarning = d.replaces.length === 0 ? recipientChangeWarning(prior, config) : [];
  const warned = recipientWarning.length > 0 ? { diagnostics: recipientWarning } : {};
  if (!hasChanges(d)) {
    // A configured value must be planned as configured, unless the prior one stands for it (an
    // email in another case does): a key recording no email records the configured one.
    const same = {
      ...prior,
      ...(typeof email === "string" && prior.user_email === null ? { user_email: email } : {}),
      // encrypt_for as configured (a change warns above); objects without it are the tests' shorthand.
      ...(N.encryptFor in config || N.encryptFor in prior ? { [N.encryptFor]: config[N.encryptFor] ?? null } : {}),
    };
    return { planned: due.length === 0 ? same : { ...same, [PREVIOUS_KEYS]: previousKeysCty(kept) }, ...priorPrivateOut, ...warned };
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
  if (d.rotation === undefined) return { planned: next, requiresReplace, plannedPrivate, ...warned };
  // The new key gets a fresh expiry (and name): rotates_at is what forces the replacement, and the plan says why.
  const warning: Diagnostic = { severity: "warning", summary: rotationReason(d.rotation, N), attribute: [N.rotateBefore] };
  const keepPrevious = desired.keepPrevious;
  if (typeof keepPrevious === "string" && d.replaces.length === 1) {
    // keep_previous: the new key replaces the old one in this same object, which keeps the old
    // key in previous_keys (see previous-keys.ts); when, is known only at apply.
    const detail = `A new key replaces this one in place; the replaced key stays usable for ${N.keepPrevious} ${keepPrevious} (listed in ${PREVIOUS_KEYS}), then the first apply after that deletes it.`;
    return {
      planned: rotatedInPlace(next, config),
      plannedPrivate: privateFor(config, undefined),
      diagnostics: [{ ...warning, detail }],
    };
  }
  return { planned: { ...next, rotates_at: UNKNOWN }, requiresReplace: [...requiresReplace, ["rotates_at"]], plannedPrivate, diagnostics: [warning] };
}
