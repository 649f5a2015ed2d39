/**
 * What every route module is handed: the store, the authenticator, the clock and the settings a
 * running emulator may change.
 */
import type { Authenticator } from "../auth";
import type { Store } from "../store";

/** Settings that tests may change while the emulator runs. */
export interface LiveSettings {
  keyLimitPerUser: number;
  readonly createResponseUid: "key" | "user";
}

/** What the route handlers share. */
export interface RouteDeps {
  readonly store: Store;
  readonly auth: Authenticator;
  readonly settings: LiveSettings;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
