/**
 * `palette_api_key`: the ApiKey of the core in Terraform's terms. Validation, expiry resolution,
 * the in-place/replace decision and the lifecycle all come from provider/core; this module maps
 * them onto Terraform's plan rules (planned values must match config, unknowns only where config is
 * null, RequiresReplace only on paths whose planned value differs) and its state.
 */
import { instantOf, sameInstant } from "../core/expiry";
import { diffKey, hasChanges, type DesiredKey, type StoredKey } from "../core/diff";
import { KeyCreatedIncompletely, KeyUpdatedPartially, type KeyEdits, type KeyLifecycle } from "../core/lifecycle";
import { observe } from "../core/observed";
import { recordedLocation, type KeyLocation } from "../core/tenant-guard";
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
  type Field,
  type FieldNames,
  type OwnerInput,
} from "../core/rules";
import type { ApiKey } from "../../sdk";
import { UNKNOWN, type CtyObject, type Diagnostic, type PathStep, type ResourceType, type Schema } from "./framework";
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
};

export const API_KEY_SCHEMA: Schema = {
  version: 0,
  block: {
    description: "A Palette API key. Name, description, expiry and active change in place; a change of owner replaces the key.",
    attributes: [
      { name: "id", type: "string", computed: true, description: "The key's Palette uid." },
      { name: "name", type: "string", required: true, description: "The key's name, unique per owner." },
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
      { name: "key", type: "string", computed: true, sensitive: true, description: "The key value, known only to the apply that created it; null after import." },
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

const error = (summary: string, attribute?: string, detail?: string): Diagnostic => ({
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
  rule(N.name, (s) => nameProblem(s, N));
  rule(N.description, descriptionProblem);
  rule(N.expiresIn, expiresInProblem);
  rule(N.expiresAt, expiresAtProblem);
  rule(N.userUid, ownerUidProblem);
  rule(N.userEmail, ownerEmailProblem);
  if (stringAt(config, N.expiresIn) !== undefined && stringAt(config, N.expiresAt) !== undefined) {
    diags.push(error("Conflicting expiry", N.expiresAt, mutuallyExclusiveExpiry(N)));
  }
  if (stringAt(config, N.userUid) !== undefined && stringAt(config, N.userEmail) !== undefined) {
    diags.push(error("Conflicting owner", N.userEmail, `${N.userUid} and ${N.userEmail} are mutually exclusive: name the owner by one of them`));
  }
  return diags;
}

/** What the program asked for about the owner, kept in private state: Terraform state cannot tell config from computed. */
interface KeyPrivate {
  owner?: { uid?: string; email?: string };
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

function ownerInputOf(config: CtyObject | null): OwnerInput | undefined {
  const uid = stringAt(config, N.userUid);
  const email = stringAt(config, N.userEmail);
  if (email !== undefined) return { email };
  if (uid !== undefined) return { uid };
  return undefined;
}

function privateFor(config: CtyObject | null): Buffer {
  const owner = ownerInputOf(config);
  const known: KeyPrivate = {};
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
  };
}

const locationIn = (state: CtyObject | null): KeyLocation | undefined => recordedLocation(state?.host, state?.tenant_uid);

/** The observed key as state; `carried` holds what only state knows (value, expiry spelling, email). */
function stateOf(key: ApiKey, carried: CtyObject, now: Date, location: KeyLocation): CtyObject {
  const seen = observe(key, now);
  const priorAt = knownString(carried, N.expiresAt);
  // Keep the user's spelling of the same instant ("2027-01-31"), so a refresh shows no false drift.
  const sameExpiry = seen.expiresAt !== undefined && sameInstant(priorAt, seen.expiresAt);
  return {
    id: seen.uid,
    name: seen.name,
    description: seen.description,
    expires_in: sameExpiry ? (carried.expires_in ?? null) : null,
    expires_at: sameExpiry ? (priorAt ?? null) : (seen.expiresAt ?? null),
    active: seen.active,
    user_uid: seen.userUid,
    user_email: carried.user_email ?? null,
    key: carried.key ?? null,
    status: seen.status,
    user_name: seen.userName,
    created_at: seen.createdAt ?? null,
    updated_at: seen.updatedAt ?? null,
    host: location.host,
    tenant_uid: location.tenantUid,
  };
}

export function apiKeyResource(lifecycle: (signal: AbortSignal) => KeyLifecycle, clock: () => Date = () => new Date()): ResourceType {
  return {
    schema: API_KEY_SCHEMA,

    async validate(config) {
      return validateApiKeyConfig(config);
    },

    async upgrade(raw) {
      return { state: raw };
    },

    async read({ state, private: priv }, ctx) {
      const uid = knownString(state, "id");
      if (uid === undefined) return { state: null };
      const found = await lifecycle(ctx.signal).read(uid, locationIn(state));
      if (found === undefined) return { state: null };
      return { state: stateOf(found.key, state, clock(), found.location), ...(priv !== undefined ? { private: priv } : {}) };
    },

    async plan({ prior, proposed, config, priorPrivate }) {
      if (proposed === null || config === null) return { planned: null };
      const diagnostics = validateApiKeyConfig(config);
      if (diagnostics.length > 0) return { planned: null, diagnostics };
      const now = clock();
      const expiresIn = stringAt(config, N.expiresIn);
      const expiresAt = stringAt(config, N.expiresAt);
      const previous = prior === null ? {} : { expiresIn: knownString(prior, N.expiresIn), expiresAt: knownString(prior, N.expiresAt) };
      const { expiry, failure } = resolveExpiry(
        { ...(expiresIn !== undefined ? { expiresIn } : {}), ...(expiresAt !== undefined ? { expiresAt } : {}) },
        previous,
        now,
        N,
      );
      if (failure !== undefined) return { planned: null, diagnostics: [error(`Invalid ${attributeOf(failure.field)}`, attributeOf(failure.field), failure.reason)] };

      const active = boolAt(config, N.active) ?? true;
      const desired: DesiredKey = {
        name: stringAt(config, N.name) ?? "",
        description: stringAt(config, N.description) ?? "",
        expiresIn: expiresIn,
        expiresAt: expiry.expiresAt,
        active,
        owner: ownerInputOf(config),
        explicitName: true,
      };
      // A non-computed value must equal config: keep the user's spelling of an explicit expiry.
      const plannedExpiresAt = expiresAt ?? expiry.expiresAt;
      const wantedStatus = active === PENDING ? UNKNOWN : active ? "active" : "revoked";
      const planned: CtyObject = {
        ...proposed,
        name: toCty(desired.name),
        description: toCty(desired.description),
        expires_in: toCty(expiresIn),
        expires_at: toCty(plannedExpiresAt),
        active: toCty(active),
      };

      if (prior === null) {
        const owner = desired.owner;
        return {
          planned: {
            ...planned,
            id: UNKNOWN,
            user_uid: owner !== undefined && owner !== PENDING && owner.uid !== undefined ? toCty(owner.uid) : UNKNOWN,
            user_email: owner !== undefined && owner !== PENDING && owner.email !== undefined ? toCty(owner.email) : UNKNOWN,
            key: UNKNOWN,
            status: wantedStatus,
            user_name: UNKNOWN,
            created_at: UNKNOWN,
            updated_at: UNKNOWN,
            host: UNKNOWN,
            tenant_uid: UNKNOWN,
          },
          plannedPrivate: privateFor(config),
        };
      }

      const d = diffKey(storedOf(prior, privateOf(priorPrivate)), desired, now);
      if (!hasChanges(d)) return { planned: { ...prior }, ...(priorPrivate !== undefined ? { plannedPrivate: priorPrivate } : {}) };
      const requiresReplace: PathStep[][] = [];
      const next: CtyObject = { ...planned, updated_at: UNKNOWN, status: wantedStatus };
      if (d.replaces.includes("user")) {
        // The owner's uid and email are computed where config is null: unknown makes the change visible.
        if (stringAt(config, N.userUid) === undefined) next.user_uid = UNKNOWN;
        if (stringAt(config, N.userEmail) === undefined) next.user_email = UNKNOWN;
        requiresReplace.push([N.userUid], [N.userEmail]);
      }
      if (d.expiredButWanted) requiresReplace.push(["status"]); // "expired" -> "active" only a new key can make
      // The expired key's own expiry did not change: status carries that replacement.
      for (const field of d.replaces) if (field !== "user" && !d.expiredButWanted) requiresReplace.push([attributeOf(field)]);
      return { planned: next, requiresReplace, plannedPrivate: privateFor(config) };
    },

    async apply({ prior, planned, config, plannedPrivate }, ctx) {
      const ops = lifecycle(ctx.signal);
      if (planned === null) {
        const uid = knownString(prior, "id");
        if (uid !== undefined) await ops.delete(uid, locationIn(prior));
        return { state: null };
      }
      const now = clock();
      const at = instantOf(knownString(planned, N.expiresAt));
      if (at === undefined) return { state: null, diagnostics: [error("Invalid expires_at", N.expiresAt, "the planned expiry is not an instant; run plan again")] };
      const privateOut = plannedPrivate !== undefined ? { private: plannedPrivate } : {};

      if (prior === null) {
        const owner = ownerInputOf(config);
        const email = owner?.email;
        const uid = owner?.uid;
        try {
          const made = await ops.create({
            name: knownString(planned, N.name) ?? "",
            description: knownString(planned, N.description) ?? "",
            expiresAt: at,
            active: planned.active !== false,
            owner: typeof email === "string" ? { email } : typeof uid === "string" ? { uid } : undefined,
          });
          const carried = { ...planned, key: made.value, user_email: made.ownerEmail ?? knownString(planned, N.userEmail) ?? null };
          return { state: stateOf(made.key, carried, now, made.location), ...privateOut };
        } catch (e) {
          if (!(e instanceof KeyCreatedIncompletely)) throw e;
          // Terraform saves the object tainted: the next apply replaces it, nothing is orphaned.
          const { key, value, ownerEmail, location } = e.created;
          const carried = { ...planned, key: value, user_email: ownerEmail ?? null };
          return { state: stateOf(key, carried, now, location), ...privateOut, diagnostics: [error("API key created incompletely", undefined, e.message)] };
        }
      }

      const uid = knownString(prior, "id") ?? "";
      const edits: KeyEdits = {};
      const name = knownString(planned, N.name) ?? "";
      const description = knownString(planned, N.description) ?? "";
      if (name !== knownString(prior, N.name)) edits.name = name;
      if (description !== (knownString(prior, N.description) ?? "")) edits.description = description;
      if (!sameInstant(knownString(prior, N.expiresAt), at.toISOString())) edits.expiresAt = at;
      const wasActive = prior.active !== false;
      try {
        const recorded = locationIn(prior);
        const { key: latest, location } = await ops.update(uid, { name: knownString(prior, N.name) ?? "", active: wasActive }, edits, planned.active !== false, recorded);
        if (latest === undefined) {
          // Nothing to send (only expires_in's spelling or the expiry's spelling changed).
          return { state: { ...planned, updated_at: prior.updated_at ?? null }, ...privateOut };
        }
        return { state: stateOf(latest, planned, now, location), ...privateOut };
      } catch (e) {
        if (!(e instanceof KeyUpdatedPartially)) throw e;
        const recorded = locationIn(prior);
        const state =
          e.latest !== undefined && recorded !== undefined
            ? stateOf(e.latest, prior, now, recorded)
            : { ...prior, active: e.activeNow, status: e.activeNow ? "active" : "revoked" };
        return { state, ...privateOut, diagnostics: [error("API key updated in part", undefined, e.message)] };
      }
    },

    async importState(id) {
      // Terraform reads the key right after; its value is unknown to Palette and stays null.
      return { state: { id } };
    },
  };
}
