/**
 * Taking an existing key under management (Pulumi's `adopt`; Terraform's import reaches the same
 * place through read and the next apply): the key must exist where the credentials lead, belong to
 * the owner the program names, and still be usable; then the program's name, description, expiry
 * and state are applied in place. Its value stays unknown: Palette shows it only to its creator.
 * Built on the lifecycle's public read and update, so a refused adoption changes nothing.
 */
import type { ApiKey } from "../../sdk";
import { sameInstant } from "./expiry";
import { messageOf } from "./explain";
import { KeyUpdatedPartially, type CreateSpec, type KeyEdits, type KeyLifecycle, type LifecycleSession } from "./lifecycle";
import type { KeyLocation } from "./tenant-guard";

export interface Adopted {
  key: ApiKey;
  location: KeyLocation;
  /** The owner's email, when the program named the owner by email. */
  ownerEmail?: string;
}

/** An adoption some of whose edits reached Palette: the engine records the key, the next run finishes. */
export class KeyAdoptedPartially extends Error {
  constructor(
    message: string,
    /** Palette's view as far as it is known (the key before the edits, with the state the calls left). */
    readonly key: ApiKey,
    readonly location: KeyLocation,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = "KeyAdoptedPartially";
  }
}

/** Why `key` cannot be adopted for `ownerUid` in `location`, or undefined when it can. Pure. */
export function adoptionProblem(key: ApiKey, ownerUid: string, location: KeyLocation, now: Date): string | undefined {
  const tenant = key.annotations.tenantUid;
  if (tenant !== undefined && tenant !== "" && tenant !== location.tenantUid) {
    return `lives in tenant ${tenant}, but the credentials in use belong to tenant ${location.tenantUid} at ${location.host}`;
  }
  if (key.user.uid !== ownerUid) {
    const name = `${key.user.firstName} ${key.user.lastName}`.trim();
    return `belongs to user ${key.user.uid}${name !== "" ? ` (${name})` : ""}, not to ${ownerUid}, the owner the program names (or the caller, when it names none): name its owner with user: { uid: "${key.user.uid}" }`;
  }
  if (key.expiresAt !== null && key.expiresAt.getTime() <= now.getTime()) {
    return `expired at ${key.expiresAt.toISOString()}: Palette can neither re-date nor re-activate it; leave adopt out to create a new key`;
  }
  return undefined;
}

/** The edits that make `key` what the program asks for (the state toggle is the update's business). Pure. */
export function adoptionEdits(key: ApiKey, spec: CreateSpec): KeyEdits {
  const edits: KeyEdits = {};
  if (spec.name !== key.name) edits.name = spec.name;
  if (spec.description !== key.description) edits.description = spec.description;
  if (key.expiresAt === null || !sameInstant(key.expiresAt.toISOString(), spec.expiresAt.toISOString())) edits.expiresAt = spec.expiresAt;
  return edits;
}

/**
 * Adopts key `uid` as `spec` describes it. `property` is how the engine spells the input that names
 * the key (`adopt.uid`): every refusal names it and says that nothing was changed. `objection` is
 * asked last before the first change: the engine's reason to stop after all, if it learned one
 * while the key was being read.
 */
export async function adoptKey(
  ops: KeyLifecycle,
  session: LifecycleSession,
  uid: string,
  spec: CreateSpec,
  names: { property: string; now: Date; objection?: () => string | undefined },
): Promise<Adopted> {
  const { property, now } = names;
  const refuse = (reason: string, cause?: unknown): Error =>
    new Error(`Cannot adopt API key ${uid} (${property}): ${reason}. Nothing was changed.`, cause !== undefined ? { cause } : undefined);
  let found: Awaited<ReturnType<KeyLifecycle["read"]>>;
  try {
    found = await ops.read(uid);
  } catch (e) {
    throw refuse(messageOf(e), e);
  }
  if (found === undefined) {
    const here = await session.location().then((l) => ` in tenant ${l.tenantUid} at ${l.host}`, () => "");
    throw refuse(`no such key${here}, where the credentials in use lead; check the uid, and that the provider points at the key's tenant`);
  }
  const { key, location } = found;

  let ownerUid: string;
  let ownerEmail: string | undefined;
  try {
    if (spec.owner !== undefined && "email" in spec.owner) {
      const user = await session.user(spec.owner.email);
      ownerUid = user.uid;
      ownerEmail = user.email;
    } else if (spec.owner !== undefined) {
      ownerUid = spec.owner.uid;
    } else {
      ownerUid = (await session.client.users.me()).userUid;
    }
  } catch (e) {
    throw refuse(`looking up the owner failed: ${messageOf(e)}`, e);
  }
  const problem = adoptionProblem(key, ownerUid, location, now);
  if (problem !== undefined) throw refuse(`the key "${key.name}" ${problem}`);
  const objection = names.objection?.();
  if (objection !== undefined) throw refuse(objection);

  try {
    const { key: latest, active } = await ops.update(uid, { name: key.name, active: key.active }, adoptionEdits(key, spec), spec.active, location);
    // A revoke or re-activation alone reads nothing back: the key as found, with its new state.
    return { key: latest ?? { ...key, active }, location, ...(ownerEmail !== undefined ? { ownerEmail } : {}) };
  } catch (e) {
    if (e instanceof KeyUpdatedPartially) {
      const known = e.latest ?? { ...key, active: e.activeNow };
      throw new KeyAdoptedPartially(`Adopting API key ${uid} (${property}) changed it in part: ${e.message}`, known, location, { cause: e });
    }
    throw refuse(messageOf(e), e);
  }
}
