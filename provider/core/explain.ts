/**
 * A failure's text for an engine's user: the SDK's message, plus what only the engine can say. The
 * SDK speaks to SDK callers and knows no config keys or engine commands; the engine's hints say where
 * the host and the credentials are set and what to do about a key that no state recorded.
 */
import { isPaletteError } from "../../sdk";

/** What to tell the user, in the engine's words, where the core cannot know the engine. */
export interface EngineHints {
  /** After a create or update that Palette applied in part: the engine recorded the key; what next. */
  readonly recorded: string;
  /** When an update finds the key deleted out of band: how to drop it and make a new one. */
  readonly vanished: string;
  /** When the credentials belong to another tenant than the key: how to point back, or let go. */
  readonly wrongTenant: string;
  /**
   * When the key's tenant answers at another host where the key is not: how to point back at the
   * recorded host, and how to let go of a key that is gone there too (never for a renamed host alone).
   */
  readonly keyNotAtHost: string;
  /** After Palette did not answer: where the engine takes the host from (config key, block attribute). */
  readonly host: string;
  /** After Palette rejected the credentials: where the engine takes them from. */
  readonly credentials: string;
  /** After a create that may have left a key in Palette without its value: the engine did not record it; what to do. */
  readonly orphaned: string;
  /** After a create refused because the owner already has a key of that name: how to take that key over instead. */
  readonly nameTaken: string;
}

export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export function explain(e: unknown, hints: EngineHints): string {
  if (!isPaletteError(e)) return messageOf(e);
  const notes: string[] = [];
  // No answer at all, or an answer from something that is not the Palette API: the host is the first
  // suspect, and only the engine knows where it was set. Likewise for rejected credentials.
  const notPalette = (e.code === "NOT_FOUND" && typeof e.paletteCode === "number") || e.status === 405;
  if (((e.code === "CONNECTION" || e.code === "TIMEOUT") && e.attempts > 0) || notPalette) notes.push(hints.host);
  if (e.code === "UNAUTHENTICATED") notes.push(hints.credentials);
  if (e.orphanedKeyName !== undefined) notes.push(hints.orphaned);
  // A taken name is told by a create's conflict only: the POST of an API-key call (an update's
  // rename to a taken name is a 409 too, and no key can be taken over there).
  if (e.code === "CONFLICT" && e.resource === "API key" && e.method === "POST") notes.push(hints.nameTaken);
  return [e.message, ...notes].join(" ");
}
