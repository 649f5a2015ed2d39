/** Just enough JWT reading to schedule a refresh; the token is never verified client-side. */

/** The `exp` claim of a JWT as a Date, or undefined when the token has none or is not a JWT. */
export function jwtExpiresAt(token: string): Date | undefined {
  const payload = token.split(".")[1];
  if (payload === undefined || payload.length === 0) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (typeof claims !== "object" || claims === null) return undefined;
    const exp = (claims as { exp?: unknown }).exp;
    return typeof exp === "number" && Number.isFinite(exp) ? new Date(exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}
