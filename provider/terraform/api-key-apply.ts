/**
 * palette_api_key's read and apply: the calls to Palette through the core's lifecycle, and the state
 * they produce. Loaded on the first read or apply (see `applying` in api-key-resource.ts), so the
 * processes Terraform starts only for schemas, validation and plans never load the HTTP client: it
 * imports only api-key-state.ts of the other phases, and nothing imports it statically.
 */
import { instantOf, sameInstant } from "../core/expiry";
import { editsBetween } from "../core/edits";
import { KeyCreatedIncompletely, KeyUpdatedPartially, type Created, type KeyLifecycle } from "../core/lifecycle";
import { observe, withRecordedUpdateTime } from "../core/observed";
import { recordedEmail } from "../core/owner";
import { locationIn, type KeyLocation } from "../core/tenant-guard";
import type { ApiKey } from "../../sdk";
import { autoname, resolveExpiry } from "../core/rules";
import { deletePreviousKeys } from "../core/previous-key-deletion";
import { retire, rotatesAt, splitPreviousKeys } from "../core/rotation";
import { PREVIOUS_KEYS, previousKeysCty, previousKeysIn } from "./previous-keys";
import { TERRAFORM_LOCATION, TERRAFORM_NAMES as N, error, NAME_PREFIX, ownerInputOf, privateFor } from "./api-key-state";
import { UNKNOWN, type CtyObject, type Diagnostic, type ResourceType } from "../tfplugin6";
import { knownString } from "./values";

type Read = ResourceType["read"];
type Apply = ResourceType["apply"];

/** The tenant guard's note, when the key's tenant answered under another host: a warning, the state takes the new host. */
const noted = (note: string | undefined): { diagnostics?: Diagnostic[] } =>
  note === undefined ? {} : { diagnostics: [{ severity: "warning", summary: "Palette host changed", detail: note, attribute: ["host"] }] };

/** The observed key as state; `carried` holds what only state knows (value, expiry spelling, email). */
function stateOf(key: ApiKey, carried: CtyObject, now: Date, location: KeyLocation): CtyObject {
  const seen = observe(key, now);
  const priorAt = knownString(carried, N.expiresAt);
  // Keep the user's spelling of the same instant ("2027-01-31"), so a refresh shows no false drift.
  const sameExpiry = seen.expiresAt !== undefined && sameInstant(priorAt, seen.expiresAt);
  const rotateBefore = knownString(carried, N.rotateBefore);
  return {
    id: seen.uid,
    name: seen.name,
    name_prefix: carried.name_prefix ?? null,
    rotate_before: rotateBefore ?? null,
    keep_previous: carried.keep_previous ?? null,
    rotates_at: rotatesAt(seen.expiresAt, rotateBefore)?.toISOString() ?? null,
    [PREVIOUS_KEYS]: carried[PREVIOUS_KEYS] ?? null,
    description: seen.description,
    expires_in: sameExpiry ? (carried.expires_in ?? null) : null,
    expires_at: sameExpiry ? (priorAt ?? null) : (seen.expiresAt ?? null),
    active: seen.active,
    user_uid: seen.userUid,
    user_email: carried.user_email ?? null,
    key: carried.key ?? null,
    key_available: typeof carried.key === "string",
    encrypt_for: carried.encrypt_for ?? null,
    encrypted_key: carried.encrypted_key ?? null,
    status: seen.status,
    user_name: seen.userName,
    created_at: seen.createdAt ?? null,
    updated_at: seen.updatedAt ?? null,
    host: location.host,
    tenant_uid: location.tenantUid,
  };
}

export async function readKey(lifecycle: (signal: AbortSignal) => KeyLifecycle, clock: () => Date, ...[req, ctx]: Parameters<Read>): ReturnType<Read> {
  const { state, private: priv } = req;
  const uid = knownString(state, "id");
  if (uid === undefined) return { state: null };
  const ops = lifecycle(ctx.signal);
  const found = await ops.read(uid, locationIn(state, TERRAFORM_LOCATION));
  if (found === undefined) return { state: null };
  const recorded = { name: state?.name, description: state?.description, expiresAt: state?.expires_at, active: state?.active, updatedAt: state?.updated_at };
  const key = withRecordedUpdateTime(found.key, recorded);
  // An imported key (or one whose owner's email could not be read before): fill it where the credentials may.
  const email = knownString(state, N.userEmail) ?? (await ops.ownerEmail(key.user.uid));
  const carried = { ...state, user_email: email ?? null };
  return { state: stateOf(key, carried, clock(), found.location), ...(priv !== undefined ? { private: priv } : {}), ...noted(found.note) };
}

function outOfBandState(uid: string, active: boolean): Diagnostic {
  const was = active ? "re-activated" : "revoked";
  return error(
    `API key ${was} outside of Terraform`,
    N.active,
    `API key ${uid} was ${was} in Palette after this plan was made, which planned active = ${!active}: the other changes were applied, ` +
      `and the state records active = ${active}, as Palette holds it. Run \`terraform plan\` again to see the change the configuration asks for.`,
  );
}

/** How the state records a new key's value: in plain text, or only encrypted (encrypt_for). */
const valueOf = (made: Created): CtyObject => ({ key: made.value ?? null, encrypted_key: made.encryptedValue ?? null });

/** A new key from the planned state; `planned` also carries what only state knows (previous_keys). */
async function createKey(ops: KeyLifecycle, config: CtyObject | null, planned: CtyObject, at: Date, now: Date, privateOut: { private?: Buffer }): ReturnType<Apply> {
  const owner = ownerInputOf(config);
  const email = owner?.email;
  const uid = owner?.uid;
  try {
    const made = await ops.create({
      // With name_prefix the plan left the name to apply: a new random suffix for every key.
      name: knownString(planned, N.name) ?? autoname(knownString(config, NAME_PREFIX) ?? "apikey", Math.random),
      description: knownString(planned, N.description) ?? "",
      expiresAt: at,
      active: planned.active !== false,
      owner: typeof email === "string" ? { email } : typeof uid === "string" ? { uid } : undefined,
      encryptFor: knownString(config, N.encryptFor),
    });
    const carried = { ...planned, ...valueOf(made), user_email: recordedEmail(typeof email === "string" ? email : undefined, made.ownerEmail) ?? knownString(planned, N.userEmail) ?? null };
    return { state: stateOf(made.key, carried, now, made.location), ...privateOut };
  } catch (e) {
    if (!(e instanceof KeyCreatedIncompletely)) throw e;
    // Terraform saves a created object tainted (the next apply replaces it) and an updated one as
    // returned: either way the state holds the new key and every kept one, nothing is orphaned.
    const { key, ownerEmail, location } = e.created;
    const carried = { ...planned, ...valueOf(e.created), user_email: recordedEmail(typeof email === "string" ? email : undefined, ownerEmail) ?? null };
    return { state: stateOf(key, carried, now, location), ...privateOut, diagnostics: [error("API key created incompletely", undefined, e.message)] };
  }
}

export async function applyKey(lifecycle: (signal: AbortSignal) => KeyLifecycle, clock: () => Date, ...[req, ctx]: Parameters<Apply>): ReturnType<Apply> {
  const { prior, config } = req;
  let { planned, plannedPrivate } = req;
  const ops = lifecycle(ctx.signal);
  if (planned === null) {
    // The kept keys first: a failure then leaves the state (and every key it lists) as it was.
    await deletePreviousKeys(ops, previousKeysIn(prior), locationIn(prior, TERRAFORM_LOCATION));
    const uid = knownString(prior, "id");
    if (uid !== undefined) await ops.delete(uid, locationIn(prior, TERRAFORM_LOCATION));
    return { state: null };
  }
  const now = clock();
  if (planned[N.expiresAt] === UNKNOWN) {
    // A relative expiry the plan left to apply (see api-key-plan.ts): resolved now, once, and recorded.
    const expiresIn = knownString(config, N.expiresIn);
    const { expiry } = resolveExpiry(expiresIn !== undefined ? { expiresIn } : {}, {}, now, N);
    planned = { ...planned, [N.expiresAt]: typeof expiry.expiresAt === "string" ? expiry.expiresAt : null };
    plannedPrivate = privateFor(config, expiry.resolved);
  }
  const at = instantOf(knownString(planned, N.expiresAt));
  if (at === undefined) return { state: null, diagnostics: [error("Invalid expires_at", N.expiresAt, "the planned expiry is not an instant; run plan again")] };
  const privateOut = plannedPrivate !== undefined ? { private: plannedPrivate } : {};

  if (prior === null) return createKey(ops, config, { ...planned, [PREVIOUS_KEYS]: null }, at, now, privateOut);

  if (planned.id === UNKNOWN) {
    // A rotation with keep_previous (see previous-keys.ts): the old key joins the kept ones, those
    // past their grace period go first, and the new key's state records the rest.
    const { kept, due } = splitPreviousKeys(previousKeysIn(prior), now);
    await deletePreviousKeys(ops, due, locationIn(prior, TERRAFORM_LOCATION));
    const old = { uid: knownString(prior, "id") ?? "", name: knownString(prior, N.name) ?? "", expiresAt: knownString(prior, N.expiresAt) };
    const keep = [...kept, retire(old, knownString(config, N.keepPrevious) ?? "0s", now)];
    // The user_email the old key recorded: the owner is the same, and a create by uid would lose it.
    return createKey(ops, config, { ...planned, [PREVIOUS_KEYS]: previousKeysCty(keep), user_email: prior.user_email ?? null }, at, now, privateOut);
  }
  // Kept keys the plan dropped from previous_keys are past their grace period.
  const stillKept = new Set(previousKeysIn(planned).map((k) => k.uid));
  await deletePreviousKeys(ops, previousKeysIn(prior).filter((k) => !stillKept.has(k.uid)), locationIn(prior, TERRAFORM_LOCATION));

  const uid = knownString(prior, "id") ?? "";
  const edits = editsBetween(
    { name: knownString(prior, N.name), description: knownString(prior, N.description), expiresAt: knownString(prior, N.expiresAt) },
    { name: knownString(planned, N.name) ?? "", description: knownString(planned, N.description) ?? "", expiresAt: at },
  );
  const wasActive = prior.active !== false;
  try {
    const recorded = locationIn(prior, TERRAFORM_LOCATION);
    const wantActive = planned.active !== false;
    // readBack: an update that sends nothing (an import's user_email fill, a spelling) still reads
    // the key once, so a revoke or re-activation out of band since the plan is not recorded as planned.
    const current = { name: knownString(prior, N.name) ?? "", active: wasActive };
    const { key: latest, location: found, sent, note } = await ops.update(uid, current, edits, wantActive, recorded, { readBack: true });
    // The plan holds the recorded host (known): an apply that returned another would be an
    // "inconsistent result" (a plan made with -refresh=false under a renamed host). The warning
    // still says so; the next refresh records the host in use.
    const location = { ...found, host: knownString(planned, "host") ?? found.host };
    if (latest === undefined || (!sent && latest.active === wantActive)) {
      // No field edited: a revoke or re-activation that succeeded (the planned active and status
      // hold; nothing is read back, Palette moved updated_at now), or nothing sent and the key as
      // planned (the plan's values stand: the next refresh shows any other drift).
      const state: CtyObject = { ...planned, updated_at: sent ? now.toISOString() : (prior.updated_at ?? null), host: location.host, tenant_uid: location.tenantUid };
      return { state, ...privateOut, ...noted(note) };
    }
    const state = stateOf(latest, planned, now, location);
    if (latest.active === wantActive) return { state, ...privateOut, ...noted(note) };
    // The plan was made before an out-of-band revoke (or re-activation): its `active` is not what
    // Palette holds. The state records Palette's; an error says why it differs from the plan.
    return { state, ...privateOut, diagnostics: [...(noted(note).diagnostics ?? []), outOfBandState(uid, latest.active)] };
  } catch (e) {
    if (!(e instanceof KeyUpdatedPartially)) throw e;
    const recorded = locationIn(prior, TERRAFORM_LOCATION);
    const state =
      e.latest !== undefined && recorded !== undefined
        ? stateOf(e.latest, prior, now, recorded)
        : { ...prior, active: e.activeNow, status: e.activeNow ? "active" : "revoked" };
    return { state, ...privateOut, diagnostics: [error("API key updated in part", undefined, e.message)] };
  }
}
