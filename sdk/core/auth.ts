/**
 * Authenticators: which headers each attempt carries, and how a session token is obtained, kept
 * fresh and renewed. Session renewal is single-flight: concurrent calls share one login or refresh.
 */
import { HEADER_API_KEY, HEADER_AUTHORIZATION } from "../wire";
import { isPaletteError } from "../errors";
import type { Call } from "./call";
import { waitWithin, type Clock } from "./clock";
import type { AuthKind } from "./error-context";
import { jwtExpiresAt } from "./jwt";

/** Palette JWTs live 15 minutes. */
export const TOKEN_LIFETIME_MS = 15 * 60_000;
/** Refresh once less than this remains. */
export const REFRESH_MARGIN_MS = 2 * 60_000;

export interface AttemptCredentials {
  readonly headers: Readonly<Record<string, string>>;
  /** The credential used, so a 401 can be matched to it. */
  readonly credential: string;
}

export interface Authenticator {
  readonly kind: AuthKind;
  /** Headers for one attempt (may log in or refresh first). */
  credentials(call: Call): Promise<AttemptCredentials>;
  /** After a 401 with `credential`: renews the session if possible; true when another attempt makes sense. */
  renewAfterUnauthorized(credential: string, call: Call): Promise<boolean>;
  /** Logs in now (no-op for static credentials). */
  login(call: Call): Promise<void>;
  /** Refreshes the token now, or logs in when there is none (no-op for static credentials). */
  refresh(call: Call): Promise<void>;
}

/** One fixed credential in one header: nothing to log in with, nothing to renew. */
abstract class FixedHeaderAuthenticator implements Authenticator {
  abstract readonly kind: Authenticator["kind"];
  constructor(
    private readonly header: string,
    private readonly value: string,
  ) {}
  credentials(): Promise<AttemptCredentials> {
    return Promise.resolve({ headers: { [this.header]: this.value }, credential: this.value });
  }
  renewAfterUnauthorized(): Promise<boolean> {
    return Promise.resolve(false);
  }
  login(): Promise<void> {
    return Promise.resolve();
  }
  refresh(): Promise<void> {
    return Promise.resolve();
  }
}

/** `ApiKey` header. */
export class ApiKeyAuthenticator extends FixedHeaderAuthenticator {
  readonly kind = "apiKey";
  constructor(apiKey: string) {
    super(HEADER_API_KEY, apiKey);
  }
}

/** A JWT from elsewhere, sent raw in `Authorization` (Palette wants no "Bearer"). */
export class StaticTokenAuthenticator extends FixedHeaderAuthenticator {
  readonly kind = "token";
  constructor(token: string) {
    super(HEADER_AUTHORIZATION, token);
  }
}

/** The two wire calls a session needs; implemented by the auth resource. */
export interface TokenExchange {
  /** `POST /v1/auth/authenticate`; resolves with the JWT. */
  authenticate(call: Call): Promise<string>;
  /** `GET /v1/auth/refresh/{token}`; resolves with the new JWT. */
  refresh(token: string, call: Call): Promise<string>;
}

export interface SessionDeps {
  readonly exchange: TokenExchange;
  /** Wall clock for expiry decisions. */
  readonly now: () => Date;
  /** Pipeline clock, for waiting on a shared renewal within a call's own budget. */
  readonly clock: Clock;
  /** A fresh call with the client's default budget: a shared renewal must not die with one caller's signal. */
  readonly backgroundCall: (operation: string) => Call;
  /** Called with every token obtained, so it is redacted from then on. */
  readonly onToken: (token: string) => void;
  readonly log?: (message: string) => void;
}

interface Token {
  readonly value: string;
  readonly expiresAt: Date;
}

/** Email + password session: login, proactive refresh, re-login after a 401. */
export class SessionAuthenticator implements Authenticator {
  readonly kind = "password";
  private token: Token | undefined;
  private inflight: Promise<string> | undefined;

  constructor(private readonly deps: SessionDeps) {}

  async credentials(call: Call): Promise<AttemptCredentials> {
    const value = await this.current(call);
    return { headers: { [HEADER_AUTHORIZATION]: value }, credential: value };
  }

  async renewAfterUnauthorized(credential: string, call: Call): Promise<boolean> {
    if (this.token?.value === credential) this.token = undefined;
    await this.current(call);
    return true;
  }

  async login(call: Call): Promise<void> {
    await this.shared("login", call);
  }

  async refresh(call: Call): Promise<void> {
    await this.shared(this.token === undefined ? "login" : "refresh", call);
  }

  private current(call: Call): Promise<string> {
    const t = this.token;
    const now = this.deps.now().getTime();
    if (t !== undefined && t.expiresAt.getTime() - now >= REFRESH_MARGIN_MS) return Promise.resolve(t.value);
    return this.shared(t !== undefined && t.expiresAt.getTime() > now ? "refresh" : "login", call);
  }

  private shared(kind: "login" | "refresh", call: Call): Promise<string> {
    if (this.inflight === undefined) {
      const p = this.renew(kind).finally(() => {
        if (this.inflight === p) this.inflight = undefined;
      });
      this.inflight = p;
      // Waiters may give up early; the renewal's own failure is theirs to see, not an unhandled rejection.
      p.catch(() => undefined);
    }
    return waitWithin(this.inflight, this.deps.clock, call.deadlineAt, call.signal);
  }

  private async renew(kind: "login" | "refresh"): Promise<string> {
    const old = this.token;
    if (kind === "refresh" && old !== undefined) {
      try {
        return this.store(await this.deps.exchange.refresh(old.value, this.deps.backgroundCall("auth.refresh")));
      } catch (e) {
        const unauthorized = isPaletteError(e) && e.code === "UNAUTHENTICATED";
        // A refresh that failed for another reason leaves a still-valid token usable.
        if (!unauthorized && old.expiresAt.getTime() > this.deps.now().getTime()) {
          this.deps.log?.("token refresh failed; keeping the current token until it expires");
          return old.value;
        }
        this.deps.log?.("token refresh refused; logging in again");
      }
    }
    return this.store(await this.deps.exchange.authenticate(this.deps.backgroundCall("auth.login")));
  }

  private store(value: string): string {
    this.deps.onToken(value);
    const issuedAt = this.deps.now();
    this.token = { value, expiresAt: jwtExpiresAt(value) ?? new Date(issuedAt.getTime() + TOKEN_LIFETIME_MS) };
    return value;
  }
}
