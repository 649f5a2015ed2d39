/**
 * Where a key lives: the Palette host and the tenant it was created in, recorded in the key's state
 * at create. A valid credential for another tenant reads every key as 404: without this record a
 * refresh would drop live keys as "gone" and the next apply would create them again elsewhere,
 * leaving the originals behind in no state. So read, update and delete first check that the
 * credentials in use belong to the recorded tenant, and refuse, naming both, when they do not. The
 * tenant uid is the identity; the host is a hint: one tenant is reached under many spellings
 * (localhost and 127.0.0.1, a renamed self-hosted Palette, a proxy), and a key found there is the
 * same key, its recorded host updated. Found, not merely asked for: a tenant uid is not unique
 * across installs (a staging Palette restored from prod's backup, two emulators started from copies
 * of one state file), so a 404 at another host proves nothing about the recorded one, and is refused
 * (KeyNotAtHostError) instead of read as "gone".
 */
import { normalizeHost } from "../../sdk";

export interface KeyLocation {
  /** The API origin, normalized (`https://api.spectrocloud.com`). */
  host: string;
  tenantUid: string;
}

/** How an engine's state spells the two halves of a location (`tenantUid` in Pulumi's, `tenant_uid` in Terraform's). */
export interface LocationNames {
  readonly host: string;
  readonly tenantUid: string;
}

/**
 * The location a key's state records, read from loosely typed state; undefined for state written
 * before the record existed (or no state at all), which the guard then cannot check.
 */
export function locationIn(state: Readonly<Record<string, unknown>> | null | undefined, names: LocationNames): KeyLocation | undefined {
  const host = state?.[names.host];
  const tenantUid = state?.[names.tenantUid];
  if (typeof host !== "string" || host === "" || typeof tenantUid !== "string" || tenantUid === "") return undefined;
  return { host, tenantUid };
}

/** The host as recorded and compared: one spelling per origin. */
export function locationHost(host: string): string {
  try {
    return normalizeHost(host).toLowerCase();
  } catch {
    return host.trim().toLowerCase();
  }
}

/** The guard's refusal: nothing was changed or deleted; both places are named, and the engine's next step. */
export abstract class KeyPlaceError extends Error {
  constructor(
    readonly uid: string,
    readonly recorded: KeyLocation,
    readonly current: KeyLocation,
    message: string,
  ) {
    super(message);
  }
}

export class WrongTenantError extends KeyPlaceError {
  constructor(uid: string, recorded: KeyLocation, current: KeyLocation, nextStep: string) {
    super(uid, recorded, current,
      `API key ${uid} lives in tenant ${recorded.tenantUid} at ${recorded.host}, but the credentials in use belong to ` +
        `tenant ${current.tenantUid} at ${current.host}: nothing was read, changed or deleted. ${nextStep}`);
    this.name = "WrongTenantError";
  }
}

/**
 * The recorded tenant answers at another host, but the key is not there. Refused rather than taken
 * as gone: the other host may be another install carrying the same tenant uid, where the key never
 * was, while it lives on at the recorded host.
 */
export class KeyNotAtHostError extends KeyPlaceError {
  constructor(uid: string, recorded: KeyLocation, current: KeyLocation, nextStep: string) {
    super(uid, recorded, current,
      `API key ${uid} was recorded at ${recorded.host} in tenant ${recorded.tenantUid}; the credentials in use reach that tenant at ` +
        `${current.host}, but the key is not there. Another Palette can carry the same tenant uid (an install restored from a backup ` +
        `of this one, a copy of its state), so the key is not taken as gone: nothing was changed or deleted, and the recorded host ` +
        `stays ${recorded.host}. ${nextStep}`);
    this.name = "KeyNotAtHostError";
  }
}

/** True when `current` is the tenant `recorded` names, under whatever host. */
export function sameTenant(recorded: KeyLocation, current: KeyLocation): boolean {
  return recorded.tenantUid === current.tenantUid;
}

/**
 * What to tell the user when the recorded tenant answers under another host, or undefined when the
 * host is the recorded one. Used once the key was found there; the engine records the new host.
 */
export function hostChangeNote(uid: string, recorded: KeyLocation, current: KeyLocation): string | undefined {
  if (locationHost(recorded.host) === locationHost(current.host)) return undefined;
  return (
    `API key ${uid} was recorded at ${recorded.host}; its tenant ${current.tenantUid} now answers at ${current.host} ` +
    `(the same tenant under another host name): the recorded host is updated to ${current.host}.`
  );
}
