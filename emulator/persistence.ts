import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import type { Store, StoredKey, Tenant } from "./store";

const IsoDate = z.iso.datetime().transform((s) => new Date(s));

const StateFileV1 = z.strictObject({
  version: z.literal(1),
  tenant: z.strictObject({ uid: z.string().min(1), orgName: z.string().min(1) }),
  users: z.array(
    z.strictObject({
      uid: z.string().min(1),
      email: z.string().min(1),
      createdAt: IsoDate,
    }),
  ),
  keys: z.array(
    z.strictObject({
      uid: z.string().min(1),
      name: z.string(),
      description: z.string(),
      ownerUid: z.string().min(1),
      expiresAt: IsoDate,
      active: z.boolean(),
      createdAt: IsoDate,
      updatedAt: IsoDate,
      valueHash: z.string().regex(/^[0-9a-f]{64}$/),
      seeded: z.boolean(),
    }),
  ),
});

/** What a state file restores. Passwords are not in it: they come from each start's options. */
export interface PersistedState {
  readonly tenant: Tenant;
  readonly users: readonly { uid: string; email: string; createdAt: Date }[];
  readonly keys: readonly StoredKey[];
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
  const parsed = StateFileV1.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join(".") || "(root)").slice(0, 5).join(", ");
    throw new Error(`Emulator state file ${path} does not have the expected shape (at ${where}); move it away or fix it.`);
  }
  return parsed.data;
}

/**
 * Writes the store to `path` atomically (temp file + rename), readable by the owner only.
 * Key values are not in it, only their SHA-256 hashes.
 */
export function saveState(path: string, store: Store): void {
  const state: z.input<typeof StateFileV1> = {
    version: 1,
    tenant: { uid: store.tenant.uid, orgName: store.tenant.orgName },
    users: store.listUsers().map((u) => ({ uid: u.uid, email: u.email, createdAt: u.createdAt.toISOString() })),
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
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
