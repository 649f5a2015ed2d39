/**
 * Secret redaction for every string that leaves the SDK (error messages, log events).
 * Redaction is by value: the client registers each credential and each created key value it sees.
 */

export const REDACTED = "[REDACTED]";

// Any JWT-shaped token, so a token we never registered (e.g. one echoed by a proxy) is still hidden.
const JWT_PATTERN = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g;

/** Letters only and shorter than a key: a value that can be one of the server's own words. */
const WORD_LIKE = /^[A-Za-z]{1,15}$/;

/**
 * Whether `secret` is replaced where it occurs. A short letters-only secret (a password such as
 * "incorrect") is not: it would eat the same word of the server's own message ("The email, password
 * or org is incorrect"), and the marker left there would point at the password. Key values, tokens
 * and any password with a digit or a symbol are redacted; Palette never echoes a password.
 */
export const redactable = (secret: string): boolean => secret.length > 0 && !WORD_LIKE.test(secret);

/**
 * Replaces every occurrence of each secret (and of its URL-encoded form) in `text` with `[REDACTED]`,
 * and hides anything shaped like a JWT.
 *
 * @example redactSecrets("key abc123 refused", ["abc123"]) // "key [REDACTED] refused"
 */
export function redactSecrets(text: string, secrets: Iterable<string>): string {
  const variants = new Set<string>();
  for (const s of secrets) {
    if (!redactable(s)) continue;
    variants.add(s);
    const encoded = encodeURIComponent(s);
    if (encoded !== s) variants.add(encoded);
  }
  // Longest first, so a secret that contains another is replaced whole.
  let out = text;
  for (const s of [...variants].sort((a, b) => b.length - a.length)) {
    out = out.split(s).join(REDACTED);
  }
  return out.replace(JWT_PATTERN, REDACTED);
}

/** The secrets one client knows about. Long-lived credentials stay; rotating ones are bounded. */
export class SecretRegistry {
  private readonly fixed = new Set<string>();
  private readonly rotating: string[] = [];

  constructor(private readonly maxRotating = 1_000) {}

  /** Registers a credential that lives as long as the client (API key, password, static token). */
  addFixed(secret: string): void {
    if (secret.length > 0) this.fixed.add(secret);
  }

  /** Registers a value seen in passing (session JWTs, created key values); the oldest are forgotten first. */
  add(secret: string): void {
    if (secret.length === 0 || this.fixed.has(secret) || this.rotating.includes(secret)) return;
    this.rotating.push(secret);
    if (this.rotating.length > this.maxRotating) this.rotating.shift();
  }

  all(): string[] {
    return [...this.fixed, ...this.rotating];
  }

  redact(text: string): string {
    return redactSecrets(text, this.all());
  }
}
