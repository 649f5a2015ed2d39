/**
 * palette_api_key's attributes: the names Terraform's state gives the core's fields, the schema, a
 * diagnostic on one attribute, the private state the resource keeps beside its state (what the
 * program asked for about the owner, how a relative expiry resolved) and the upgrade of state written
 * by an older version. What every phase (validate, plan, apply) reads; it imports none of them.
 */
import { PENDING, type FieldNames, type OwnerInput, type Resolution } from "../core/rules";
import type { LocationNames } from "../core/tenant-guard";
import { PREVIOUS_KEYS, PREVIOUS_KEY_TYPE } from "./previous-keys";
import type { CtyObject, Diagnostic, Schema } from "../tfplugin6";
import { stringAt } from "./values";

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
  encryptFor: "encrypt_for",
};

/** Where the state records a key's location (its tenant guard). */
export const TERRAFORM_LOCATION: LocationNames = { host: "host", tenantUid: "tenant_uid" };

/** The attribute that names the key with a random suffix per key (Terraform's alternative to `name`). */
export const NAME_PREFIX = "name_prefix";

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
      {
        name: "encrypt_for",
        type: "string",
        optional: true,
        description:
          "An ASCII-armored OpenPGP public key (RSA or ECC, `gpg --armor --export <id>`): the create encrypts the key value to it and records only `encrypted_key`; `key` stays null in state and plans. Read when a key is created: a later change warns and takes effect with the next new key (`terraform apply -replace=<address>`).",
      },
      {
        name: "encrypted_key",
        type: "string",
        computed: true,
        description: "With `encrypt_for`: the key value as an ASCII-armored OpenPGP message (`gpg --decrypt`). null without it.",
      },
      { name: "key", type: "string", computed: true, sensitive: true, description: "The key value, known only to the apply that created it; null after import, and always null with `encrypt_for`." },
      { name: "key_available", type: "bool", computed: true, description: "true when `key` holds the value (Terraform created the key without `encrypt_for`); false for an imported or an encrypted key." },
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

/** An error diagnostic, on `attribute` when given: Terraform then points at its line of the configuration. */
export const error = (summary: string, attribute?: string, detail?: string): Diagnostic => ({
  severity: "error",
  summary,
  ...(detail !== undefined ? { detail } : {}),
  ...(attribute !== undefined ? { attribute: [attribute] } : {}),
});

/** What the program asked for about the owner, kept in private state: Terraform state cannot tell config from computed. */
export interface KeyPrivate {
  owner?: { uid?: string; email?: string };
  /** How a relative expiry resolved: a refresh overwrites expires_at, this does not (see core/rules.ts). */
  expiry?: Resolution;
}

/** The private state privateFor wrote; {} when there is none or it cannot be read. */
export function privateOf(bytes: Buffer | undefined): KeyPrivate {
  if (bytes === undefined || bytes.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(bytes.toString("utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as KeyPrivate) : {};
  } catch {
    return {}; // written by another provider version: the owner then compares by uid/email only
  }
}

/** The owner as the configuration names it (validation refuses both); undefined: the caller. */
export function ownerInputOf(config: CtyObject | null): OwnerInput | undefined {
  const uid = stringAt(config, N.userUid);
  const email = stringAt(config, N.userEmail);
  if (email !== undefined) return { email };
  if (uid !== undefined) return { uid };
  return undefined;
}

/** The private state to keep: the owner as configured, once known, and how the expiry resolved. */
export function privateFor(config: CtyObject | null, expiry: Resolution | undefined): Buffer {
  const owner = ownerInputOf(config);
  const known: KeyPrivate = expiry !== undefined ? { expiry } : {};
  if (owner?.email !== undefined && owner.email !== PENDING) known.owner = { email: owner.email };
  else if (owner?.uid !== undefined && owner.uid !== PENDING) known.owner = { uid: owner.uid };
  return Buffer.from(JSON.stringify(known));
}

/**
 * State written before these attributes existed: name_prefix, rotation and encryption are null; key_available
 * is derived from the value the state holds, so no plan shows either.
 */
export function upgradeState(raw: CtyObject): CtyObject {
  const known = { name_prefix: null, rotate_before: null, keep_previous: null, rotates_at: null, [PREVIOUS_KEYS]: null, encrypt_for: null, encrypted_key: null, ...raw };
  return "key_available" in raw ? known : { ...known, key_available: typeof raw.key === "string" };
}
