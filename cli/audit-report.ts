/**
 * What `palette-apikeys audit` reports, in one leaf module that every rendering reads: the text
 * table and `--json` (cli/audit.ts) and the HTML report (cli/audit-html.ts). The table's cells are
 * made here once, so the table and the HTML show the same rows with the same values.
 */
import type { ApiKeyStatus } from "../sdk";

export const FLAGS = ["expired", "expiring", "revoked", "orphaned", "unmanaged", "missing"] as const;
export type AuditFlag = (typeof FLAGS)[number];

/** What is known of a key's owner: "unknown" when the caller may not list users. */
export type OwnerState = "active" | "disabled" | "gone" | "unknown";

export interface AuditedKey {
  uid: string;
  name: string;
  ownerUid: string;
  ownerName: string;
  ownerEmail: string | null;
  ownerState: OwnerState;
  status: ApiKeyStatus;
  expiresAt: string | null;
  createdAt: string | null;
  ageDays: number | null;
  /** Which given states hold the key; null when none was given (managed-ness unknown). */
  managedBy: string[] | null;
  /**
   * How a state holds it: "resource" (a resource's own key) or "kept" (a key a rotation replaced,
   * kept alive by `keepPrevious` / `keep_previous` until its delete-after); null when no state does.
   */
  managedAs: ManagedAs | null;
  flags: AuditFlag[];
}

export type ManagedAs = "resource" | "kept";

/** A key a state manages that Palette no longer has. */
export interface MissingKey {
  uid: string;
  source: string;
  address: string;
}

export interface AuditReport {
  host: string;
  generatedAt: string;
  withinMs: number;
  /** False when the caller may not list users, so orphaned could not be determined. */
  ownersKnown: boolean;
  keys: AuditedKey[];
  missing: MissingKey[];
  counts: Record<AuditFlag, number>;
}

export const TABLE_HEAD = ["NAME", "UID", "OWNER", "OWNER STATE", "STATUS", "EXPIRES", "AGE", "MANAGED", "FLAGS"] as const;

/** One key's row: its cells in TABLE_HEAD's order. */
export interface TableRow {
  readonly key: AuditedKey;
  readonly cells: readonly string[];
}

export function tableRows(report: AuditReport): TableRow[] {
  return report.keys.map((k) => ({
    key: k,
    cells: [
      k.name,
      k.uid,
      k.ownerEmail ?? (k.ownerName !== "" ? k.ownerName : k.ownerUid),
      k.ownerState,
      k.status,
      k.expiresAt?.slice(0, 10) ?? "never",
      k.ageDays === null ? "?" : `${k.ageDays}d`,
      k.managedBy === null ? "-" : (k.managedAs ?? "no"),
      k.flags.join(",") || "-",
    ],
  }));
}
