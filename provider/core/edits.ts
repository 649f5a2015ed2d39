/**
 * The edits an in-place update sends: the fields Palette edits (name, description, expiry) whose
 * planned value differs from the one the state records. Both engines send exactly these, so a
 * field that only looks different (the same instant spelled another way, a description absent
 * versus empty) is never sent by one and not the other. Pure.
 */
import { sameInstant } from "./expiry";
import type { KeyEdits } from "./lifecycle";

/** What the state records, as stored (loosely typed: an older state may lack a field). */
export interface RecordedFields {
  name?: unknown;
  description?: unknown;
  expiresAt?: unknown;
}

/** What the update is to leave: every value known, the expiry an instant. */
export interface PlannedFields {
  name: string;
  description: string;
  expiresAt: Date;
}

export function editsBetween(recorded: RecordedFields, planned: PlannedFields): KeyEdits {
  const edits: KeyEdits = {};
  if (planned.name !== recorded.name) edits.name = planned.name;
  if (planned.description !== (recorded.description ?? "")) edits.description = planned.description;
  if (!sameInstant(recorded.expiresAt, planned.expiresAt.toISOString())) edits.expiresAt = planned.expiresAt;
  return edits;
}
