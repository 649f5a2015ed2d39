/**
 * A failure's text for an engine's user: the SDK's message, plus what only the engine can say. The
 * SDK speaks to SDK callers and knows no config keys or engine commands; the engine's hints say where
 * the host and the credentials are set and what to do about a key that no state recorded.
 */
import { isPaletteError } from "../../sdk";
import type { EngineHints } from "./lifecycle";

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
  if (e.code === "CONFLICT" && e.operation === "apiKeys.create") notes.push(hints.nameTaken);
  return [e.message, ...notes].join(" ");
}
