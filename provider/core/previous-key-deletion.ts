/**
 * Deleting the previous keys a rotation kept alive (their bookkeeping is in rotation.ts), as both
 * engines do it: one at a time, in the order the state lists them, each at the key's recorded
 * location. A failure stops there, before any later key: the state, which the failed step leaves as
 * it was, still lists that key and every one after it, so nothing is orphaned and the next run tries
 * again.
 */
import type { KeyLifecycle } from "./lifecycle";
import type { PreviousKey } from "./rotation";
import type { KeyLocation } from "./tenant-guard";

export interface PreviousKeyDeletion {
  /**
   * Name the key whose delete failed, and when it fell due, before the lifecycle's message (kept as
   * the cause); otherwise the lifecycle's error passes as it is.
   */
  nameFailedKey?: boolean;
}

export async function deletePreviousKeys(
  ops: Pick<KeyLifecycle, "delete">,
  keys: readonly PreviousKey[],
  location: KeyLocation | undefined,
  options: PreviousKeyDeletion = {},
): Promise<void> {
  for (const k of keys) {
    try {
      await ops.delete(k.uid, location);
    } catch (e) {
      if (options.nameFailedKey !== true) throw e;
      throw new Error(`Cannot delete previous API key "${k.name}" (${k.uid}), kept until ${k.deleteAfter}: ${(e as Error).message}`, { cause: e });
    }
  }
}
