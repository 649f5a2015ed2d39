/**
 * Session tokens: Palette answers a login with a JWT; the emulator mints and checks its own with
 * node:crypto, so the SDK's renewal before expiry is exercised for real.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** What the emulator puts in its tokens. Times are in seconds, as RFC 7519 has them. */
export interface TokenClaims {
  /** User uid. */
  readonly sub: string;
  /** Session id; refresh keeps it. */
  readonly sid: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

const HEADER = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));

/** HS256 JWTs signed with a per-process secret, minted and checked with node:crypto only. */
export class JwtSigner {
  private readonly secret = randomBytes(32);

  sign(claims: Omit<TokenClaims, "jti">): string {
    const payload = base64url(JSON.stringify({ ...claims, jti: randomBytes(8).toString("hex") }));
    return `${HEADER}.${payload}.${this.mac(`${HEADER}.${payload}`)}`;
  }

  /** The claims of a well-formed token with a valid signature, whatever its expiry; otherwise undefined. */
  verify(token: string): TokenClaims | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    const expected = Buffer.from(this.mac(`${header}.${payload}`));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    if (header !== HEADER) return undefined;
    try {
      const claims: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      return isClaims(claims) ? claims : undefined;
    } catch {
      return undefined;
    }
  }

  private mac(input: string): string {
    return createHmac("sha256", this.secret).update(input).digest("base64url");
  }
}

function base64url(s: string): string {
  return Buffer.from(s, "utf8").toString("base64url");
}

function isClaims(v: unknown): v is TokenClaims {
  if (typeof v !== "object" || v === null) return false;
  const c = v as Record<string, unknown>;
  return (
    typeof c.sub === "string" &&
    typeof c.sid === "string" &&
    typeof c.jti === "string" &&
    typeof c.iat === "number" &&
    typeof c.exp === "number"
  );
}
