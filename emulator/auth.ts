/**
 * Who a request is: an API key, a session JWT or a password login, checked as Palette documents
 * them, with sessions that time out and users that can be disabled. Every 401 says why, since the
 * emulator is a tool to learn the API with.
 */
import type { IncomingHttpHeaders } from "node:http";
import { unauthorized } from "./http-error";
import { newUid } from "./ids";
import type { JwtSigner } from "./jwt";
import type { EmulatorClock } from "./options";
import { hashPassword, passwordMatches } from "./secrets";
import type { Store, StoredUser } from "./store";

/** Who is calling, and how they proved it. */
export interface Principal {
  readonly user: StoredUser;
  readonly via: "apiKey" | "jwt";
}

export interface AuthSettings {
  jwtLifetimeMs: number;
  sessionTimeoutMs: number;
}

const NO_USER_PASSWORD = hashPassword(newUid());

/** Palette's docs say only 401 for an invalid credential; this says why, as the emulator's other 401s do. */
const DISABLED = "User account is disabled: a tenant admin must enable it before its API keys, tokens or password work again";

interface Session {
  readonly userUid: string;
  readonly startedAt: number;
}

/**
 * API-key and token authentication as Palette documents it: an `ApiKey` header (any case) or
 * `?ApiKey=` query parameter, else a raw JWT in `Authorization` (no "Bearer"). An API key, when
 * sent, decides alone: a bad key is a 401 even if a valid token is also present.
 */
export class Authenticator {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly store: Store,
    private readonly clock: EmulatorClock,
    private readonly signer: JwtSigner,
    private readonly settings: AuthSettings,
  ) {}

  authenticate(headers: IncomingHttpHeaders, query: URLSearchParams): Principal {
    const apiKey = apiKeyFrom(headers, query);
    if (apiKey !== undefined) return { user: this.userForKey(apiKey), via: "apiKey" };
    const token = headers.authorization;
    if (token !== undefined && token !== "") return { user: this.userForToken(token), via: "jwt" };
    return this.fail();
  }

  /** `POST /v1/auth/authenticate`: a fresh session and its first token. */
  login(emailId: string, password: string, org: string | undefined): string {
    const user = this.store.findUserByEmail(emailId);
    const orgMatches = org === undefined || org === "" || org.toLowerCase() === this.store.tenant.orgName.toLowerCase();
    // Hash the password even for an unknown email, so both misses cost the same.
    const passwordOk = passwordMatches(password, user?.password ?? NO_USER_PASSWORD);
    const ok = user !== undefined && passwordOk && orgMatches;
    if (!ok || user === undefined) throw unauthorized("Invalid credentials: check the email, password and organization");
    // Said only to someone who knew the password: it reveals nothing to a guesser.
    if (!user.active) throw unauthorized(DISABLED);
    const now = this.clock.now();
    user.lastSignIn = now;
    const sid = newUid();
    this.sessions.set(sid, { userUid: user.uid, startedAt: now.getTime() });
    return this.mint(user.uid, sid);
  }

  /** `GET /v1/auth/refresh/{token}`: a new token in the same session, while both are still valid. */
  refresh(token: string): string {
    const claims = this.signer.verify(token);
    const now = this.clock.now().getTime();
    const session = claims === undefined ? undefined : this.sessions.get(claims.sid);
    if (claims === undefined || session === undefined || session.userUid !== claims.sub) {
      throw unauthorized("Invalid authorization token: log in again");
    }
    if (this.store.getUser(claims.sub)?.active === false) throw unauthorized(DISABLED);
    if (now >= claims.exp * 1000) throw unauthorized("Authorization token expired: log in again");
    if (now - session.startedAt >= this.settings.sessionTimeoutMs) {
      throw unauthorized("Session timed out: log in again");
    }
    return this.mint(claims.sub, claims.sid);
  }

  /** Forgets every session, which invalidates every token issued so far. */
  clearSessions(): void {
    this.sessions.clear();
  }

  /** Ends one user's sessions (disabled or removed): their tokens stop working, even once re-enabled. */
  endSessionsOf(userUid: string): void {
    for (const [sid, session] of this.sessions) if (session.userUid === userUid) this.sessions.delete(sid);
  }

  private mint(userUid: string, sid: string): string {
    const now = this.clock.now().getTime();
    return this.signer.sign({
      sub: userUid,
      sid,
      iat: Math.floor(now / 1000),
      exp: Math.floor((now + this.settings.jwtLifetimeMs) / 1000),
    });
  }

  private userForKey(value: string): StoredUser {
    const key = this.store.findKeyByValue(value);
    if (key === undefined) return this.fail("Invalid API key");
    if (!key.active) return this.fail("API key is revoked: re-activate it or use another key");
    if (key.expiresAt.getTime() <= this.clock.now().getTime()) return this.fail("API key has expired: create a new key");
    const owner = this.store.getUser(key.ownerUid) ?? this.fail("Invalid API key");
    return owner.active ? owner : this.fail(DISABLED);
  }

  private userForToken(token: string): StoredUser {
    if (/^bearer\s/i.test(token)) {
      return this.fail("Send the raw token in the Authorization header, without 'Bearer'");
    }
    const claims = this.signer.verify(token);
    if (claims === undefined || !this.sessions.has(claims.sid)) return this.fail("Invalid authorization token");
    if (this.clock.now().getTime() >= claims.exp * 1000) return this.fail("Authorization token expired: refresh it or log in again");
    const user = this.store.getUser(claims.sub) ?? this.fail("Invalid authorization token");
    return user.active ? user : this.fail(DISABLED);
  }

  private fail(message?: string): never {
    throw unauthorized(message);
  }
}

/** The API key from the `ApiKey` header (any case; Node lower-cases names) or the `ApiKey` query parameter (any case). */
export function apiKeyFrom(headers: IncomingHttpHeaders, query: URLSearchParams): string | undefined {
  const header = headers.apikey;
  if (typeof header === "string" && header !== "") return header;
  for (const [name, value] of query) if (name.toLowerCase() === "apikey" && value !== "") return value;
  return undefined;
}
