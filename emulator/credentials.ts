/**
 * The seeded credentials (the admin's and alice's API keys, the seeded users' password) and the
 * control token: which value a start uses, and what a state file may keep of them. The file keeps
 * hashes only (a secret never lands in a file), so a restart that was not given a credential accepts
 * the one it had without knowing its value again.
 */
import { newSecret } from "./ids";
import type { CredentialName, EmulatorOptions } from "./options";
import { hashKeyValue, hashPassword, type PasswordHash } from "./secrets";

/** One credential as a start holds it: always its hash; its value only when this start knows it. */
export interface Credential<H> {
  /** Undefined when the state file kept it (as a hash): the emulator accepts it but cannot show it. */
  readonly value: string | undefined;
  readonly hash: H;
}

export interface SeedCredentials {
  readonly adminKey: Credential<string>;
  readonly userKey: Credential<string>;
  readonly password: Credential<PasswordHash>;
  readonly controlToken: Credential<string>;
}

/** What a state file keeps of them. */
export interface CredentialHashes {
  readonly adminKey: string;
  readonly userKey: string;
  readonly password: PasswordHash;
  readonly controlToken: string;
}

const NAMES: readonly CredentialName[] = ["adminKey", "userKey", "password", "controlToken"];

/** A credential whose value is known: given, generated, or read in clear from an older state file. */
export function known(name: CredentialName, value: string): Credential<string> {
  return { value, hash: hashKeyValue(checked(name, value)) };
}

export function knownPassword(value: string): Credential<PasswordHash> {
  return { value, hash: hashPassword(checked("password", value)) };
}

/** A credential the state file kept as a hash only. */
export function kept<H>(hash: H): Credential<H> {
  return { value: undefined, hash };
}

function checked(name: CredentialName, value: string): string {
  if (value === "" || /\s/.test(value)) throw new RangeError(`${name} must be a non-empty string without white space`);
  return value;
}

/**
 * This start's credentials: an option given wins (its hash replaces the kept one); else what the
 * state file kept, so that a restart accepts what the pipeline already holds; else a new random one.
 */
export function resolveCredentials(o: Pick<EmulatorOptions, CredentialName>, fromFile: SeedCredentials | undefined): SeedCredentials {
  const key = (name: "adminKey" | "userKey" | "controlToken"): Credential<string> => {
    const given = o[name];
    if (given !== undefined) return known(name, given);
    return fromFile?.[name] ?? known(name, newSecret());
  };
  const credentials: SeedCredentials = {
    adminKey: key("adminKey"),
    userKey: key("userKey"),
    password: o.password !== undefined ? knownPassword(o.password) : (fromFile?.password ?? knownPassword(newSecret(20))),
    controlToken: key("controlToken"),
  };
  // Compared by hash: one of them may be known only as a hash. The values are not named in the error.
  if (credentials.adminKey.hash === credentials.userKey.hash) {
    throw new RangeError("adminKey and userKey must differ: a key value identifies one key");
  }
  return credentials;
}

export function credentialHashes(c: SeedCredentials): CredentialHashes {
  return { adminKey: c.adminKey.hash, userKey: c.userKey.hash, password: c.password.hash, controlToken: c.controlToken.hash };
}

/** The credentials this start accepts without knowing their values, in a fixed order. */
export function keptCredentialNames(c: SeedCredentials): CredentialName[] {
  return NAMES.filter((name) => c[name].value === undefined);
}
