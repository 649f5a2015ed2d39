/**
 * The emulator's state in memory: one tenant, its users and their keys; every change goes through
 * here, so persistence sees it.
 */
import { digestsEqual, hashKeyValue, type PasswordHash } from "./secrets";

export type Role = "tenantAdmin" | "user";

export interface Tenant {
  readonly uid: string;
  readonly orgName: string;
}

export interface StoredUser {
  readonly uid: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly role: Role;
  password: PasswordHash;
  readonly createdAt: Date;
  lastSignIn: Date | null;
  /** `status.isActive` ("Specifies if user account is active/disabled"): a disabled user's credentials are refused. */
  active: boolean;
}

export interface StoredKey {
  readonly uid: string;
  name: string;
  description: string;
  readonly ownerUid: string;
  expiresAt: Date;
  active: boolean;
  readonly createdAt: Date;
  updatedAt: Date;
  /** SHA-256 of the value, hex. The value itself is never kept. */
  valueHash: string;
  readonly seeded: boolean;
}

/**
 * The emulator's in-memory state: one tenant, its users and their API keys.
 * Every mutation goes through a method here so that persistence sees each change.
 */
export class Store {
  private readonly users = new Map<string, StoredUser>();
  private readonly keys = new Map<string, StoredKey>();
  /** Keys by the hash of their value: authentication is one lookup, not a scan of the tenant. */
  private readonly byValueHash = new Map<string, StoredKey>();

  constructor(
    readonly tenant: Tenant,
    private readonly onChange: () => void = () => undefined,
  ) {}

  addUser(user: StoredUser): void {
    this.users.set(user.uid, user);
    this.onChange();
  }

  /** Disables or re-enables a user; false when there is no such user. */
  setUserActive(uid: string, active: boolean): boolean {
    const user = this.users.get(uid);
    if (user === undefined) return false;
    user.active = active;
    this.onChange();
    return true;
  }

  /** The user leaves the tenant; their keys stay, which is how a key becomes orphaned. */
  removeUser(uid: string): boolean {
    const had = this.users.delete(uid);
    if (had) this.onChange();
    return had;
  }

  getUser(uid: string): StoredUser | undefined {
    return this.users.get(uid);
  }

  findUserByEmail(email: string): StoredUser | undefined {
    const wanted = email.toLowerCase();
    return [...this.users.values()].find((u) => u.email.toLowerCase() === wanted);
  }

  listUsers(): StoredUser[] {
    return [...this.users.values()].sort(byCreation);
  }

  getKey(uid: string): StoredKey | undefined {
    return this.keys.get(uid);
  }

  listKeys(): StoredKey[] {
    return [...this.keys.values()].sort(byCreation);
  }

  keysOf(ownerUid: string): StoredKey[] {
    return [...this.keys.values()].filter((k) => k.ownerUid === ownerUid).sort(byCreation);
  }

  /**
   * The key whose value is `value`, if any: looked up by the SHA-256 of the value, which says nothing
   * about how close a wrong value came (the digests compared are of the value, not the value), then
   * confirmed in constant time.
   */
  findKeyByValue(value: string): StoredKey | undefined {
    const digest = hashKeyValue(value);
    const key = this.byValueHash.get(digest);
    return key !== undefined && digestsEqual(digest, key.valueHash) ? key : undefined;
  }

  putKey(key: StoredKey): void {
    const old = this.keys.get(key.uid);
    if (old !== undefined) this.byValueHash.delete(old.valueHash);
    this.keys.set(key.uid, key);
    this.byValueHash.set(key.valueHash, key);
    this.onChange();
  }

  /** Applies `change` to a stored key and records the modification time. */
  updateKey(uid: string, at: Date, change: (key: StoredKey) => void): void {
    const key = this.keys.get(uid);
    if (key === undefined) return;
    this.byValueHash.delete(key.valueHash);
    change(key);
    this.byValueHash.set(key.valueHash, key);
    key.updatedAt = at;
    this.onChange();
  }

  deleteKey(uid: string): boolean {
    const key = this.keys.get(uid);
    if (key !== undefined) this.byValueHash.delete(key.valueHash);
    const deleted = this.keys.delete(uid);
    if (deleted) this.onChange();
    return deleted;
  }

  /** Removes every key `keep` rejects, in one change. */
  retainKeys(keep: (key: StoredKey) => boolean): void {
    for (const key of [...this.keys.values()])
      if (!keep(key)) {
        this.keys.delete(key.uid);
        this.byValueHash.delete(key.valueHash);
      }
    this.onChange();
  }
}

/** Oldest first; ties keep insertion order (the sort is stable), so seeds list in seed order. */
function byCreation(a: { createdAt: Date }, b: { createdAt: Date }): number {
  return a.createdAt.getTime() - b.createdAt.getTime();
}
