/**
 * `--state`: the tenant survives a restart (its users, keys and key limit), with every credential
 * stored only as a hash and the file written atomically and 0600.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { kept, known, knownPassword, type CredentialHashes, type SeedCredentials } from "./credentials";
import type { PasswordHash } from "./secrets";
import type { Role, Store, StoredKey, Tenant } from "./store";

const IsoDate = z.iso.datetime().transform((s) => new Date(s));
const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const TenantFile = z.strictObject({ uid: z.string().min(1), orgName: z.string().min(1) });

const KeyFile = z.strictObject({
  uid: z.string().min(1),
  name: z.string(),
  description: z.string(),
  ownerUid: z.string().min(1),
  expiresAt: IsoDate,
  active: z.boolean(),
  createdAt: IsoDate,
  updatedAt: IsoDate,
  valueHash: Hex64,
  seeded: z.boolean(),
});

/** 0.1.0's file: seeded users only, no credentials (every start printed new ones). Still read; rewritten as v3. */
const StateFileV1 = z.strictObject({
  version: z.literal(1),
  tenant: TenantFile,
  users: z.array(z.strictObject({ uid: z.string().min(1), email: z.string().min(1), createdAt: IsoDate })),
  keys: z.array(KeyFile),
});

const PasswordHashFile = z.strictObject({ salt: z.string().min(1), hash: Hex64 });

const UserFile = z.strictObject({
  uid: z.string().min(1),
  email: z.string().min(1),
  firstName: z.string(),
  lastName: z.string(),
  role: z.enum(["tenantAdmin", "user"]),
  password: PasswordHashFile,
  active: z.boolean(),
  createdAt: IsoDate,
});

const SettingsFile = z.strictObject({ keyLimitPerUser: z.number().int().min(0) });

/**
 * Written by an unreleased build: the seeded credentials and the control token in clear. Still
 * read (they are hashed on load) and rewritten at once as v3, which holds no credential in clear.
 */
const StateFileV2 = z.strictObject({
  version: z.literal(2),
  tenant: TenantFile,
  credentials: z.strictObject({
    adminKey: z.string().min(1),
    userKey: z.string().min(1),
    password: z.string().min(1),
    controlToken: z.string().min(1),
  }),
  settings: SettingsFile,
  users: z.array(UserFile),
  keys: z.array(KeyFile),
});

/**
 * The seeded credentials and the control token as hashes, as created keys' values are: a restart
 * accepts the ones the user's pipeline holds, and the file gives none of them away.
 */
const StateFileV3 = z.strictObject({
  version: z.literal(3),
  tenant: TenantFile,
  credentials: z.strictObject({
    adminKeyHash: Hex64,
    userKeyHash: Hex64,
    passwordHash: PasswordHashFile,
    controlTokenHash: Hex64,
  }),
  settings: SettingsFile,
  users: z.array(UserFile),
  keys: z.array(KeyFile),
});

const StateFile = z.discriminatedUnion("version", [StateFileV1, StateFileV2, StateFileV3]);

export interface PersistedUser {
  readonly uid: string;
  readonly email: string;
  /** Absent in a v1 file, which held only the seeded users (their definitions fill these in). */
  readonly details?: {
    readonly firstName: string;
    readonly lastName: string;
    readonly role: Role;
    readonly password: PasswordHash;
    readonly active: boolean;
  };
  readonly createdAt: Date;
}

/** What a state file restores. */
export interface PersistedState {
  readonly tenant: Tenant;
  /** Absent in a v1 file. Values known only from a v2 file (which held them in clear). */
  readonly credentials?: SeedCredentials;
  readonly keyLimitPerUser?: number;
  readonly users: readonly PersistedUser[];
  readonly keys: readonly StoredKey[];
}

/** What the store alone does not hold. */
export interface SavedSettings {
  readonly credentials: CredentialHashes;
  readonly keyLimitPerUser: number;
}

/** Reads a state file; undefined when it does not exist yet. Throws on a file that is not ours. */
export function loadState(path: string): PersistedState | undefined {
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`Emulator state file ${path} is not valid JSON (${(e as Error).message}); move it away or fix it.`);
  }
  const parsed = StateFile.safeParse(json);
  if (!parsed.success) {
    // Paths only, never the values zod saw: a v2 file holds credentials in clear.
    const where = parsed.error.issues.map((i) => i.path.join(".") || "(root)").slice(0, 5).join(", ");
    throw new Error(`Emulator state file ${path} does not have the expected shape (at ${where}); move it away or fix it.`);
  }
  const file = parsed.data;
  if (file.version === 1) return { tenant: file.tenant, users: file.users, keys: file.keys };
  const credentials: SeedCredentials =
    file.version === 2
      ? {
          adminKey: known("adminKey", file.credentials.adminKey),
          userKey: known("userKey", file.credentials.userKey),
          password: knownPassword(file.credentials.password),
          controlToken: known("controlToken", file.credentials.controlToken),
        }
      : {
          adminKey: kept(file.credentials.adminKeyHash),
          userKey: kept(file.credentials.userKeyHash),
          password: kept(file.credentials.passwordHash),
          controlToken: kept(file.credentials.controlTokenHash),
        };
  return {
    tenant: file.tenant,
    credentials,
    keyLimitPerUser: file.settings.keyLimitPerUser,
    users: file.users.map(({ uid, email, createdAt, ...details }) => ({ uid, email, createdAt, details })),
    keys: file.keys,
  };
}

/**
 * Writes the store to `path` atomically (temp file + rename), readable by the owner only. No
 * credential is in it in clear: key values, the control token and passwords only as hashes.
 */
export function saveState(path: string, store: Store, settings: SavedSettings): void {
  const c = settings.credentials;
  const state: z.input<typeof StateFileV3> = {
    version: 3,
    tenant: { uid: store.tenant.uid, orgName: store.tenant.orgName },
    credentials: {
      adminKeyHash: c.adminKey,
      userKeyHash: c.userKey,
      passwordHash: { salt: c.password.salt, hash: c.password.hash },
      controlTokenHash: c.controlToken,
    },
    settings: { keyLimitPerUser: settings.keyLimitPerUser },
    users: store.listUsers().map((u) => ({
      uid: u.uid,
      email: u.email,
      firstName: u.firstName,
      lastName: u.lastName,
      role: u.role,
      password: { salt: u.password.salt, hash: u.password.hash },
      active: u.active,
      createdAt: u.createdAt.toISOString(),
    })),
    keys: store.listKeys().map((k) => ({
      uid: k.uid,
      name: k.name,
      description: k.description,
      ownerUid: k.ownerUid,
      expiresAt: k.expiresAt.toISOString(),
      active: k.active,
      createdAt: k.createdAt.toISOString(),
      updatedAt: k.updatedAt.toISOString(),
      valueHash: k.valueHash,
      seeded: k.seeded,
    })),
  };
  writeOwnerOnly(path, `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * Replaces `path` with `text` atomically, mode 0600. `mode` applies only to a file the write creates,
 * and the temp name is predictable (pid 1 in a container): a temp file a crashed run left, perhaps
 * readable by all, is removed first and the write refuses any file that is there ("wx").
 */
function writeOwnerOnly(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  try {
    writeFileSync(tmp, text, { mode: 0o600, flag: "wx" });
    renameSync(tmp, path);
  } catch (e) {
    // A half-written temp file would be the next crash's leftover.
    rmSync(tmp, { force: true });
    throw e;
  }
}
