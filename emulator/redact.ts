/** Query parameters whose values are credentials. */
const SECRET_QUERY_NAMES = new Set(["apikey", "password", "token", "authorization"]);
export const REDACTED = "[REDACTED]";
const MAX_LOGGED_CHARS = 512;

/** The path with the token of `/v1/auth/refresh/{token}` replaced: that path segment is a JWT. */
export function redactPath(rawPath: string): string {
  return rawPath.replace(/^(\/v1\/auth\/refresh\/)[^/]+/, `$1${REDACTED}`);
}

/** Path and query for a log line: credentials redacted, control characters neutralized, length capped. */
export function redactTarget(rawPath: string, query: URLSearchParams): string {
  const params = [...query].map(([name, value]) =>
    `${encodeURIComponent(name)}=${SECRET_QUERY_NAMES.has(name.toLowerCase()) ? REDACTED : encodeURIComponent(value)}`,
  );
  return printable(`${redactPath(rawPath)}${params.length > 0 ? `?${params.join("&")}` : ""}`);
}

/** Replaces each known secret in `text` (secrets shorter than 4 characters are too ambiguous to hunt). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
}

/** One log-safe line: no control characters (no forged log lines), bounded length. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, "?");
  return clean.length > MAX_LOGGED_CHARS ? `${clean.slice(0, MAX_LOGGED_CHARS)}…` : clean;
}
