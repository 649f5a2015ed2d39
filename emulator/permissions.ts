/**
 * Who may do what to whose API keys: the permission table of Palette's docs, in one place the routes
 * consult, so a plain user's view of the tenant is the real one.
 */
import { forbidden } from "./http-error";
import type { Role, StoredUser } from "./store";

/** Operations the emulator guards, named as Palette's permission strings. */
export type Action =
  | "apiKey.list"
  | "apiKey.create"
  | "apiKey.get"
  | "apiKey.update"
  | "apiKey.delete"
  | "user.list"
  | "user.get";

/** "any": on anyone's resource; "own": only on the caller's own; "none": never. */
type Reach = "any" | "own" | "none";

/**
 * The seeds' permission table (docs/reference/palette-api.md §2.1, tenant API-key management): tenant admins act on
 * every key and create keys for anyone; users only on their own keys. Nobody may reassign a key or
 * read its value; those are refused by the routes themselves (there is no operation for either).
 */
export const PERMISSIONS: Readonly<Record<Role, Readonly<Record<Action, Reach>>>> = {
  tenantAdmin: {
    "apiKey.list": "any",
    "apiKey.create": "any",
    "apiKey.get": "any",
    "apiKey.update": "any",
    "apiKey.delete": "any",
    "user.list": "any",
    "user.get": "any",
  },
  user: {
    "apiKey.list": "own",
    "apiKey.create": "own",
    "apiKey.get": "own",
    "apiKey.update": "own",
    "apiKey.delete": "own",
    "user.list": "none",
    "user.get": "own",
  },
};

/** Permission strings reported in each key's `permissions` annotation, as the real API lists them. */
export const API_KEY_PERMISSIONS_ANNOTATION = "apiKey.create,apiKey.delete,apiKey.get,apiKey.list,apiKey.update,tag.update";

/** What each action does, for messages that tell the caller what only an admin may do. */
const ON_OTHERS: Record<Action, string> = {
  "apiKey.list": "list other users' API keys",
  "apiKey.create": "create API keys for other users",
  "apiKey.get": "view other users' API keys",
  "apiKey.update": "change other users' API keys",
  "apiKey.delete": "delete other users' API keys",
  "user.list": "list users",
  "user.get": "view other users",
};

/** Whether `caller` may do `action` on something owned by `ownerUid`. */
export function isAllowed(caller: StoredUser, action: Action, ownerUid: string): boolean {
  const reach = PERMISSIONS[caller.role][action];
  return reach === "any" || (reach === "own" && ownerUid === caller.uid);
}

/** Throws 403 `OperationForbidden` unless `caller` may do `action` on `ownerUid`'s resource. */
export function authorize(caller: StoredUser, action: Action, ownerUid: string): void {
  if (isAllowed(caller, action, ownerUid)) return;
  const reach = PERMISSIONS[caller.role][action];
  throw forbidden(
    reach === "none"
      ? `Operation '${action}' is forbidden: only tenant admins may ${ON_OTHERS[action]}`
      : `Operation '${action}' is forbidden for other users: only tenant admins may ${ON_OTHERS[action]}`,
  );
}
