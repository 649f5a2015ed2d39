/**
 * Which resource of the running deployment manages which key, as far as this provider process has
 * seen: a dynamic provider never sees the stack's state, only the calls the engine makes, and the
 * engine makes them all in one provider process per deployment. `diff` shows every key a resource
 * of the program already manages, `check` every key a new resource wants to adopt, `create` every
 * key made or adopted. Two resources holding one key is refused on whichever call comes second, so a
 * preview (check and diff only, in program order) always catches it; an `up` whose adopting resource
 * registers before the one that manages the key catches it when that one's diff arrives, which is
 * too late only if the adoption finished first (see README, "Adopting an existing key").
 *
 * Nothing is written to Palette: a key carries no field for it but its description, which is the
 * user's.
 */

type Hold = "adopting" | "adopted" | "managing";

interface Steward {
  /** The resource's logical name (`__logicalName`). */
  name: string;
  /** adopting: a new resource's check asked for it; adopted: its create took it in this deployment; managing: anything else. */
  hold: Hold;
  /** Another resource's diff showed it manages the key while this one adopted it. */
  contested?: boolean;
}

const stewards = new Map<string, Steward>();

const WHY = "Two resources managing one key undo each other's changes, and removing either one deletes the key.";

/** A resource of the program manages `uid` (its diff): refused while another one adopts it. */
export function manages(uid: string, name: string): string | undefined {
  const holder = stewards.get(uid);
  if (holder !== undefined && holder.name !== name) {
    holder.contested = true;
    return (
      `API key ${uid}, which the resource "${name}" of this stack manages, is adopted by the resource "${holder.name}" (adopt.uid) in this run. ${WHY} ` +
      `Leave adopt out of "${holder.name}".`
    );
  }
  if (holder === undefined) stewards.set(uid, { name, hold: "managing" });
  return undefined;
}

/** A new resource wants to adopt `uid`: refused when another resource manages or adopts it. */
export function adopts(uid: string, name: string): string | undefined {
  const holder = stewards.get(uid);
  if (holder !== undefined && holder.name !== name) {
    return (
      `the resource "${holder.name}" of this stack already ${holder.hold === "managing" ? "manages" : "adopts"} API key ${uid}. ${WHY} ` +
      `Leave adopt out of "${name}"; to move the key to "${name}", remove "${holder.name}" from the program in the same run (its deletion then leaves the key to "${name}").`
    );
  }
  if (holder === undefined) stewards.set(uid, { name, hold: "adopting" });
  return undefined;
}

/** True when a resource that already manages `uid` showed up while another one adopted it. */
export function contested(uid: string): boolean {
  return stewards.get(uid)?.contested === true;
}

/** The create of `name` took `uid` over. */
export function adopted(uid: string, name: string): void {
  stewards.set(uid, { name, hold: "adopted" });
}

/** The create of `name` made `uid`. */
export function made(uid: string, name: string): void {
  stewards.set(uid, { name, hold: "managing" });
}

/** True when `name` itself already manages `uid`: its create is then a replacement, not an adoption. */
export function alreadyManagedBy(uid: string, name: string): boolean {
  const holder = stewards.get(uid);
  return holder !== undefined && holder.name === name && holder.hold === "managing";
}

/**
 * Asked by delete: true when a resource adopted `uid` in this deployment, so the resource that left
 * the program leaves the key to it instead of deleting it.
 */
export function handedOver(uid: string): boolean {
  return stewards.get(uid)?.hold === "adopted";
}

/** The key is gone: it is nobody's any more. */
export function released(uid: string): void {
  stewards.delete(uid);
}
