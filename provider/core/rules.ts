/**
 * The rules every engine applies to an API key's desired state: what a valid name, description,
 * expiry and owner are, and how a relative expiry becomes the instant Palette stores. Written once
 * here; the Pulumi and Terraform adapters only translate property names and unknown markers, so a
 * rule changed here shows in `pulumi preview` and `terraform plan` alike. Pure: the clock is a
 * parameter.
 */
import { DEFAULT_EXPIRES_IN, instantOf, parseExpiresAt, parseExpiresIn, resolveExpiresIn } from "./expiry";

/**
 * A value the engine will know only after another resource is applied (Pulumi's unknown sentinel,
 * Terraform's unknown). Rules skip it; plans carry it through.
 */
export const PENDING: unique symbol = Symbol("pending");
export type Pending = typeof PENDING;
export type MaybePending<T> = T | Pending;

/** Palette publishes no name rules; these bounds match what the SDK's wire schemas accept. */
export const NAME_MAX_LENGTH = 128;
export const DESCRIPTION_MAX_LENGTH = 1024;

/**
 * The engine-neutral fields of a key. `status` is not an input: it names the one replacement no
 * input change causes, an expired key the program still wants usable, so that a drift report can
 * tell expiry ("status") from an out-of-band change (the field that changed).
 */
export type Field =
  | "name"
  | "description"
  | "expiresIn"
  | "expiresAt"
  | "active"
  | "user"
  | "userUid"
  | "userEmail"
  | "status"
  // Rotation (core/rotation.ts): durations like expiresIn.
  | "rotateBefore"
  | "keepPrevious"
  // encryption.ts: the OpenPGP public key a new key's value is encrypted to.
  | "encryptFor";

/** How an engine spells each field: `expiresIn` for Pulumi, `expires_in` for Terraform. */
export type FieldNames = Readonly<Record<Field, string>>;

export interface RuleFailure {
  field: Field;
  reason: string;
}

const controlCharacters = /[\u0000-\u001f\u007f]/; // eslint-disable-line no-control-regex

/**
 * Why `name` is not a valid key name, or undefined when it is. `ifEmpty` is the engine's advice for
 * an empty one: each engine names keys its own way (Pulumi's autoname, Terraform's name_prefix).
 */
export function nameProblem(name: string, ifEmpty: string): string | undefined {
  if (name.trim() === "") return `must not be empty or only white space; ${ifEmpty}`;
  if (name.length > NAME_MAX_LENGTH) return `must be at most ${NAME_MAX_LENGTH} characters`;
  if (name.trim() !== name) return "must not start or end with white space";
  if (controlCharacters.test(name)) return "must not contain control characters";
  return undefined;
}

const AUTONAME_SUFFIX_LENGTH = 7;
const AUTONAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** `base` plus a random suffix ("ci-x3k9a1q"): Pulumi's autoname, Terraform's `name_prefix`. */
export function autoname(base: string, random: () => number): string {
  let suffix = "";
  for (let i = 0; i < AUTONAME_SUFFIX_LENGTH; i++) {
    suffix += AUTONAME_ALPHABET[Math.floor(random() * AUTONAME_ALPHABET.length)] ?? "x";
  }
  return `${base.slice(0, NAME_MAX_LENGTH - AUTONAME_SUFFIX_LENGTH - 1)}-${suffix}`;
}

export function descriptionProblem(description: string): string | undefined {
  return description.length > DESCRIPTION_MAX_LENGTH ? `must be at most ${DESCRIPTION_MAX_LENGTH} characters` : undefined;
}

export function expiresInProblem(text: string): string | undefined {
  const parsed = parseExpiresIn(text);
  return parsed.ok ? undefined : parsed.reason;
}

/** Format only; whether the instant lies in the past is {@link resolveExpiry}'s business. */
export function expiresAtProblem(text: string): string | undefined {
  const parsed = parseExpiresAt(text);
  return parsed.ok ? undefined : parsed.reason;
}

export function ownerUidProblem(uid: string): string | undefined {
  return uid.trim() === "" ? "must not be empty" : undefined;
}

export function ownerEmailProblem(email: string): string | undefined {
  return /^[^@\s]+@[^@\s]+$/.test(email) ? undefined : "must be an email address such as alice@example.com";
}

/** The fields a program gives as text, each with one format rule. */
export type TextField = "name" | "description" | "expiresIn" | "expiresAt" | "userUid" | "userEmail" | "rotateBefore" | "keepPrevious";

/** Why a text is not a valid value of its field, or undefined when it is. */
export type TextRule = (text: string) => string | undefined;

/**
 * The format rule of every text field, in the order the engines report them: both engines take a
 * field's rule from here, so it is chosen once. `ifEmptyName` is the engine's advice for an empty
 * name (see nameProblem); the rotation durations follow expiresIn's rule.
 */
export function textRules(ifEmptyName: string): Readonly<Record<TextField, TextRule>> {
  return {
    name: (text) => nameProblem(text, ifEmptyName),
    description: descriptionProblem,
    expiresIn: expiresInProblem,
    expiresAt: expiresAtProblem,
    userUid: ownerUidProblem,
    userEmail: ownerEmailProblem,
    rotateBefore: expiresInProblem,
    keepPrevious: expiresInProblem,
  };
}

/** The owner as a program names it: by uid or by email, exactly one (undefined: the caller). */
export interface OwnerInput {
  uid?: MaybePending<string>;
  email?: MaybePending<string>;
}

export const mutuallyExclusiveExpiry = (names: FieldNames): string =>
  `${names.expiresAt} and ${names.expiresIn} are mutually exclusive: set one of them`;

export const exactlyOneOwner = (names: FieldNames): string =>
  `must name the owner by exactly one of ${names.userUid} or ${names.userEmail}`;

/** What a program asked for, expiry-wise, and what the state already holds. */
export interface ExpiryInput {
  expiresIn?: MaybePending<string>;
  expiresAt?: MaybePending<string>;
}

export interface ResolvedExpiry {
  /** Present when the key's expiry is relative (also when it defaulted to 30d). */
  expiresIn?: MaybePending<string>;
  /** The absolute instant, ISO 8601 UTC. */
  expiresAt: MaybePending<string>;
  /** The relative expiry and the instant it resolved to, for the engine to keep beside the key's state. */
  resolved?: Resolution;
  /**
   * True when the instant was just resolved from the clock (a new key, or a new `expiresIn`): an
   * engine that plans and applies in separate steps resolves it again when applying.
   */
  fresh?: boolean;
}

/**
 * A relative expiry as it was resolved: kept apart from the key's observed expiry, which a refresh
 * overwrites, so that a key re-dated out of band is put back to this instant (never to a new
 * now + expiresIn, which would extend it beyond anything the program asked for).
 */
export interface Resolution {
  expiresIn: string;
  expiresAt: string;
}

/** A recorded resolution from loosely typed state; undefined when there is none. */
export function resolutionOf(value: unknown): Resolution | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { expiresIn, expiresAt } = value as Record<string, unknown>;
  return typeof expiresIn === "string" && typeof expiresAt === "string" && instantOf(expiresAt) !== undefined ? { expiresIn, expiresAt } : undefined;
}

/**
 * Turns the expiry a program asked for into the instant Palette stores. A relative expiry is
 * resolved once and kept while `expiresIn` is unchanged: time passing never becomes a diff. An
 * explicit instant must lie in the future unless it is the one already stored (an expired key is
 * diff's business, not a typo). Inputs are assumed to have passed the format rules.
 */
export function resolveExpiry(
  wanted: ExpiryInput,
  previous: { expiresIn?: unknown; expiresAt?: unknown; resolved?: Resolution | undefined },
  now: Date,
  names: FieldNames,
): { expiry: ResolvedExpiry; failure?: RuleFailure } {
  const stored = instantOf(previous.expiresAt);
  if (wanted.expiresAt !== undefined) {
    if (wanted.expiresAt === PENDING) return { expiry: { expiresAt: PENDING } };
    const at = parseExpiresAt(wanted.expiresAt);
    if (!at.ok) throw new Error(`unreachable: ${names.expiresAt} was validated`);
    const expiry = { expiresAt: at.value.toISOString() };
    if (stored?.getTime() !== at.value.getTime() && at.value.getTime() <= now.getTime()) {
      const reason = `${at.value.toISOString()} is in the past: choose a later date, or use ${names.expiresIn} (e.g. "30d")`;
      return { expiry, failure: { field: "expiresAt", reason } };
    }
    return { expiry };
  }
  const expiresIn = wanted.expiresIn ?? DEFAULT_EXPIRES_IN;
  if (expiresIn === PENDING) return { expiry: { expiresIn, expiresAt: PENDING } };
  const kept = (at: string): { expiry: ResolvedExpiry } => ({ expiry: { expiresIn, expiresAt: at, resolved: { expiresIn, expiresAt: at } } });
  if (previous.resolved?.expiresIn === expiresIn) return kept(instantOf(previous.resolved.expiresAt)!.toISOString());
  if (previous.expiresIn === expiresIn && stored !== undefined) return kept(stored.toISOString());
  const ms = parseExpiresIn(expiresIn);
  if (!ms.ok) throw new Error(`unreachable: ${names.expiresIn} was validated`);
  return { expiry: { ...kept(resolveExpiresIn(ms.value, now).toISOString()).expiry, fresh: true } };
}
