/**
 * The resource's outputs (its state) built from what Palette reports, and the inputs a refresh
 * records so that later diffs compare the program against reality. Pure.
 */
import type { ApiKey, ApiKeyStatus } from "../../sdk";
import { sameInstant } from "../core/expiry";
import { observe } from "../core/observed";
import { resolutionOf, type Resolution } from "../core/rules";
import { previousKeysOf, rotatesAt, type PreviousKey } from "../core/rotation";
import type { KeyLocation, LocationNames } from "../core/tenant-guard";
import type { ApiKeyUserInput } from "./check";

/** The state of an `ApiKey` resource as the provider returns it. Optional fields are omitted, never undefined. */
export interface ApiKeyOutputs {
  /** The key value: only create learns it; update and read carry it forward. Secret. */
  key?: string;
  /** False when the value is unknown: the key was adopted (or read with ApiKey.get), not created here. */
  keyAvailable: boolean;
  uid: string;
  name: string;
  description: string;
  /** Echo of the relative expiry, only when the program used one. */
  expiresIn?: string;
  /** ISO 8601 instant; absent only if Palette reports no expiry. */
  expiresAt?: string;
  active: boolean;
  /** Echo of the owner input, only when the program gave one. */
  user?: ApiKeyUserInput;
  userUid: string;
  /** "First Last" as Palette reports the owner. */
  userName: string;
  /** The owner's email, when the caller may read it. */
  userEmail?: string;
  createdAt?: string;
  updatedAt?: string;
  status: ApiKeyStatus;
  /** The Palette API the key lives at (its tenant guard, with `tenantUid`). */
  host?: string;
  /** The tenant the key lives in: read, update and delete refuse credentials of another tenant. */
  tenantUid?: string;
  /** The key this resource adopted (echo of the `adopt` input at create); absent for keys it created. */
  adopt?: { uid: string };
  /** The name Pulumi chose for an autonamed key (see `__autoname` in check.ts); absent for explicit names. */
  __autoname?: string;
  /** The relative expiry as resolved (see `__expiry` in check.ts); absent for an absolute expiry. */
  __expiry?: Resolution;
  /** Echo of the `rotateBefore` input. */
  rotateBefore?: string;
  /** Echo of the `keepPrevious` input. */
  keepPrevious?: string;
  /** When the key becomes due for rotation (`expiresAt - rotateBefore`); absent without rotateBefore. */
  rotatesAt?: string;
  /** Keys rotated out and still kept alive (`keepPrevious`); each is deleted by the first update after its deleteAfter. */
  previousKeys?: PreviousKey[];
  /** With `encryptFor`: the key value as an armored OpenPGP message; `key` is then absent. */
  encryptedKey?: string;
  /** The public key `encryptedKey` is encrypted to: the `encryptFor` input at create (read at create only). */
  encryptFor?: string;
}

/** Where the outputs record a key's location (its tenant guard). */
export const PULUMI_LOCATION = { host: "host", tenantUid: "tenantUid" } as const satisfies LocationNames & Record<keyof LocationNames, keyof ApiKeyOutputs>;

type Props = Record<string, unknown>;

/** What the outputs carry over from inputs or earlier state; Palette does not report these. */
export interface CarriedOver {
  key?: unknown;
  expiresIn?: unknown;
  user?: unknown;
  userEmail?: unknown;
  autoname?: unknown;
  location?: KeyLocation | undefined;
  expiry?: unknown;
  rotateBefore?: unknown;
  keepPrevious?: unknown;
  previousKeys?: unknown;
  adopt?: unknown;
  encryptedKey?: unknown;
  encryptFor?: unknown;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function userOf(v: unknown): ApiKeyUserInput | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const { uid, email } = v as Props;
  const u: ApiKeyUserInput = {};
  if (typeof uid === "string") u.uid = uid;
  if (typeof email === "string") u.email = email;
  return u.uid !== undefined || u.email !== undefined ? u : undefined;
}

/** Builds complete outputs from Palette's view of the key plus what only state knows. */
export function toOutputs(key: ApiKey, carried: CarriedOver, now: Date): ApiKeyOutputs {
  const { expiresAt, createdAt, updatedAt, ...seen } = observe(key, now);
  const value = str(carried.key);
  const outs: ApiKeyOutputs = { ...seen, keyAvailable: value !== undefined };
  if (value !== undefined) outs.key = value;
  const expiresIn = str(carried.expiresIn);
  if (expiresIn !== undefined) outs.expiresIn = expiresIn;
  if (expiresAt !== undefined) outs.expiresAt = expiresAt;
  const user = userOf(carried.user);
  if (user !== undefined) outs.user = user;
  const email = str(carried.userEmail);
  if (email !== undefined) outs.userEmail = email;
  if (createdAt !== undefined) outs.createdAt = createdAt;
  if (updatedAt !== undefined) outs.updatedAt = updatedAt;
  if (carried.location !== undefined) {
    outs.host = carried.location.host;
    outs.tenantUid = carried.location.tenantUid;
  }
  const autoname = str(carried.autoname);
  if (autoname !== undefined) outs.__autoname = autoname;
  const expiry = resolutionOf(carried.expiry);
  if (expiry !== undefined) outs.__expiry = expiry;
  const adopted = str((carried.adopt as { uid?: unknown } | undefined)?.uid);
  if (adopted !== undefined) outs.adopt = { uid: adopted };
  const encrypted = str(carried.encryptedKey);
  if (encrypted !== undefined) outs.encryptedKey = encrypted;
  const recipient = str(carried.encryptFor);
  if (recipient !== undefined) outs.encryptFor = recipient;
  Object.assign(outs, rotationOutputs(carried, expiresAt));
  return outs;
}

/** The rotation echoes, when the program rotates, and the previous keys still kept. */
export function rotationOutputs(carried: CarriedOver, expiresAt: unknown): Pick<ApiKeyOutputs, "rotateBefore" | "keepPrevious" | "rotatesAt" | "previousKeys"> {
  const outs: Pick<ApiKeyOutputs, "rotateBefore" | "keepPrevious" | "rotatesAt" | "previousKeys"> = {};
  const rotateBefore = str(carried.rotateBefore);
  if (rotateBefore !== undefined) {
    outs.rotateBefore = rotateBefore;
    const at = rotatesAt(expiresAt, rotateBefore);
    if (at !== undefined) outs.rotatesAt = at.toISOString();
  }
  const keepPrevious = str(carried.keepPrevious);
  if (keepPrevious !== undefined) outs.keepPrevious = keepPrevious;
  const previous = previousKeysOf(carried.previousKeys);
  if (previous.length > 0) outs.previousKeys = previous;
  return outs;
}

/**
 * Outputs after a refresh: Palette's view, with the key value, owner echo and email carried from
 * the previous state. `expiresIn` survives only while Palette still holds the instant it resolved
 * to; once the key was re-dated out of band the relative expiry no longer describes it.
 */
export function refreshedOutputs(key: ApiKey, previous: Props, now: Date, location?: KeyLocation): ApiKeyOutputs {
  const expiresIn =
    key.expiresAt !== null && sameInstant(key.expiresAt.toISOString(), previous.expiresAt)
      ? previous.expiresIn
      : undefined;
  return toOutputs(
    key,
    {
      key: previous.key,
      expiresIn,
      user: previous.user,
      userEmail: previous.userEmail,
      autoname: previous.__autoname,
      location,
      expiry: previous.__expiry,
      rotateBefore: previous.rotateBefore,
      keepPrevious: previous.keepPrevious,
      previousKeys: previous.previousKeys,
      adopt: previous.adopt,
      encryptedKey: previous.encryptedKey,
      encryptFor: previous.encryptFor,
    },
    now,
  );
}

/** The inputs a refresh records: the program's view of the key as it really is now. */
export function inputsFromOutputs(outs: ApiKeyOutputs): Props {
  const inputs: Props = { name: outs.name, description: outs.description, active: outs.active };
  if (outs.expiresIn !== undefined) inputs.expiresIn = outs.expiresIn;
  if (outs.expiresAt !== undefined) inputs.expiresAt = outs.expiresAt;
  if (outs.user !== undefined) inputs.user = outs.user;
  if (outs.adopt !== undefined) inputs.adopt = outs.adopt;
  if (outs.rotateBefore !== undefined) inputs.rotateBefore = outs.rotateBefore;
  if (outs.keepPrevious !== undefined) inputs.keepPrevious = outs.keepPrevious;
  if (outs.encryptFor !== undefined) inputs.encryptFor = outs.encryptFor;
  // `name` is what Palette reports; the desired autoname stays beside it so the next check restores it.
  if (outs.__autoname !== undefined) {
    inputs.__autonamed = true;
    inputs.__autoname = outs.__autoname;
  }
  // How the relative expiry resolved stays beside the observed one, so the next check restores it.
  if (outs.__expiry !== undefined) inputs.__expiry = outs.__expiry;
  return inputs;
}
