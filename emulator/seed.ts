/**
 * The tenant every emulator starts with: a tenant admin, two plain users (alice with an API key,
 * bob with a password only), the seeded credentials that bootstrap a pipeline.
 */
import type { Credential, SeedCredentials } from "./credentials";
import { newUid } from "./ids";
import type { SeedAccount } from "./options";
import type { PersistedState } from "./persistence";
import type { Role, Store, StoredUser } from "./store";

export const ORG_NAME = "emulated-org";
const SEED_KEY_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;

interface SeedUserDef {
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly role: Role;
  /** Name of the seeded API key; none when absent. */
  readonly keyName?: string;
  readonly key: "admin" | "user" | "none";
}

/** The seeded tenant: one admin, two plain users; the admin and alice get an API key, bob logs in with his password. */
export const SEED_USERS: readonly SeedUserDef[] = [
  { email: "admin@palette.local", firstName: "Ada", lastName: "Admin", role: "tenantAdmin", keyName: "bootstrap-admin", key: "admin" },
  { email: "alice@palette.local", firstName: "Alice", lastName: "Anders", role: "user", keyName: "bootstrap-alice", key: "user" },
  { email: "bob@palette.local", firstName: "Bob", lastName: "Brown", role: "user", key: "none" },
];

/** Mutable while seeding (key uids are known only once the keys exist); read-only to callers. */
type MutableSeedAccount = { -readonly [K in keyof SeedAccount]: SeedAccount[K] };

/** Adds the seed users to `store`, reusing uids from a persisted state so that persisted keys keep their owners. */
export function seedUsers(store: Store, credentials: SeedCredentials, now: Date, persisted?: PersistedState): MutableSeedAccount[] {
  return SEED_USERS.map((def) => {
    const previous = persisted?.users.find((u) => u.email === def.email);
    const user: StoredUser = {
      uid: previous?.uid ?? newUid(),
      email: def.email,
      firstName: def.firstName,
      lastName: def.lastName,
      role: def.role,
      // One hash for every seeded user: a kept password is known only as this hash.
      password: credentials.password.hash,
      createdAt: previous?.createdAt ?? now,
      lastSignIn: null,
      active: previous?.details?.active ?? true,
    };
    store.addUser(user);
    // "" where this start does not know the value (kept as a hash): RunningEmulator.keptCredentials says which.
    return {
      uid: user.uid,
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      password: credentials.password.value ?? "",
      role: user.role,
      apiKey: def.key === "none" ? "" : (seedKey(credentials, def.key).value ?? ""),
      apiKeyUid: "",
    };
  });
}

/** Users a state file holds besides the seeds: added through the control surface, with their own password hash. */
export function restoreAddedUsers(store: Store, persisted: PersistedState | undefined): void {
  for (const u of persisted?.users ?? []) {
    if (u.details === undefined || SEED_USERS.some((d) => d.email === u.email)) continue;
    store.addUser({ uid: u.uid, email: u.email, createdAt: u.createdAt, lastSignIn: null, ...u.details });
  }
}

function seedKey(credentials: SeedCredentials, key: "admin" | "user"): Credential<string> {
  return key === "admin" ? credentials.adminKey : credentials.userKey;
}

/**
 * (Re-)creates the seeded credential keys: active, expiring a year after `now`, with this run's
 * values (their hashes). A seeded key that already exists (persisted, or before a reset) keeps its uid.
 */
export function applySeedKeys(store: Store, accounts: MutableSeedAccount[], credentials: SeedCredentials, now: Date): void {
  for (const account of accounts) {
    const def = SEED_USERS.find((d) => d.email === account.email);
    if (def?.keyName === undefined || def.key === "none") continue;
    const existing =
      (account.apiKeyUid !== "" ? store.getKey(account.apiKeyUid) : undefined) ??
      store.keysOf(account.uid).find((k) => k.seeded && k.name === def.keyName);
    const uid = existing?.uid ?? (account.apiKeyUid !== "" ? account.apiKeyUid : newUid());
    store.putKey({
      uid,
      name: def.keyName,
      description: `Seeded ${def.role === "tenantAdmin" ? "tenant admin" : "user"} key of ${account.email}`,
      ownerUid: account.uid,
      expiresAt: new Date(now.getTime() + SEED_KEY_LIFETIME_MS),
      active: true,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      valueHash: seedKey(credentials, def.key).hash,
      seeded: true,
    });
    account.apiKeyUid = uid;
  }
}
