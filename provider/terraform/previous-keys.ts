/**
 * `previous_keys`: the keys a rotation with `keep_previous` replaced and keeps alive, as Terraform
 * state holds them. Rotation with keep_previous is an in-place update of the one resource instance
 * (a new key, the old one listed here), not a replacement: in a create_before_destroy replacement
 * the apply-time create is planned with a null prior and no private state, so it cannot learn which
 * key it replaces, and the destroy that follows cannot write into the new object's state. Keeping
 * both keys in one state means every kept key is always recorded somewhere.
 */
import { previousKeysOf, type PreviousKey } from "../core/rotation";
import type { CtyObject, CtyType, CtyValue } from "../tfplugin6";

export const PREVIOUS_KEYS = "previous_keys";

export const PREVIOUS_KEY_TYPE: CtyType = ["list", ["object", { uid: "string", name: "string", delete_after: "string" }]];

/** The kept keys a state records; malformed entries are dropped. */
export function previousKeysIn(state: CtyObject | null | undefined): PreviousKey[] {
  const list = state?.[PREVIOUS_KEYS];
  if (!Array.isArray(list)) return [];
  return previousKeysOf(list.map((v) => (typeof v === "object" && v !== null && !Array.isArray(v) ? { uid: v.uid, name: v.name, deleteAfter: v.delete_after } : null)));
}

/** The kept keys as state: null when there are none, so states without any plan no change. */
export const previousKeysCty = (keys: readonly PreviousKey[]): CtyValue =>
  keys.length === 0 ? null : keys.map((k) => ({ uid: k.uid, name: k.name, delete_after: k.deleteAfter }));
