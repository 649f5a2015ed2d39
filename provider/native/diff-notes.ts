/**
 * What a native Diff has to say beyond its answer, sent through the engine's Log (engine-log.ts):
 * why a rotation replaces the key (the detailed diff can only name `rotateBefore`; the dynamic
 * provider writes the reason into its replace keys, "rotation due: expires 2026-12-29, rotateBefore
 * 7d"), and that a changed or removed `encryptFor` is not applied to a key that stays.
 */
import type { KeyDiff } from "../core/diff";
import { rotationReason } from "../core/rotation";
import { PULUMI_NAMES, UNKNOWN } from "../pulumi/check";
import { recipientChangeWarning } from "../pulumi/recipient-change";
import type { LogLevel } from "./engine-log";
import type { Props } from "./wire";

export interface DiffNote {
  level: LogLevel;
  message: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** The notes for a Diff of the key `urn` from its stored outputs `olds` to the checked inputs `news`. */
export function diffNotes(decision: KeyDiff, olds: Props, news: Props, urn: string): DiffNote[] {
  const notes: DiffNote[] = [];
  if (decision.rotation !== undefined) {
    // As the Terraform provider's plan warning says it (terraform/api-key-plan.ts).
    const keepPrevious = str(news.keepPrevious);
    const kept = keepPrevious === undefined ? "" : `; the replaced key stays usable for ${PULUMI_NAMES.keepPrevious} ${keepPrevious} (listed in previousKeys), then the first update after that deletes it`;
    notes.push({ level: "warning", message: `${rotationReason(decision.rotation, PULUMI_NAMES)}: a new key replaces this one${kept}.` });
  }
  // A replacement creates its key with the program's encryptFor: only a key that stays keeps the old one.
  if (decision.replaces.length === 0 && news.encryptFor !== UNKNOWN) {
    const warning = recipientChangeWarning(str(olds.encryptFor), olds.keyAvailable, str(news.encryptFor), urn);
    if (warning !== undefined) notes.push({ level: "warning", message: warning });
  }
  return notes;
}
