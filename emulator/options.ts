/**
 * The emulator's public types: what `startEmulator` accepts and what it returns.
 * Kept apart from the implementation so the contract reads in one place.
 */

/** A token-bucket rate limit: `perSecond` refill, `burst` bucket size, per path prefix and client IP. */
export interface RateLimitSettings {
  readonly perSecond: number;
  readonly burst: number;
}

export interface EmulatorOptions {
  /** TCP port. @default 0 (a random free port) */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /**
   * API key value of the seeded tenant admin.
   * @default the one the state file keeps (as a hash: accepted, not known; see `keptCredentials`), else random 32 characters [A-Za-z0-9]
   */
  adminKey?: string;
  /** API key value of the first seeded plain user (alice). @default as `adminKey` */
  userKey?: string;
  /** Password of every seeded user. @default as `adminKey` */
  password?: string;
  /**
   * Token that guards the emulator-only control surface (`/__emulator/...`, header `X-Emulator-Token`).
   * @default as `adminKey`
   */
  controlToken?: string;
  /**
   * JSON file to persist to (mode 0600): loaded at start when it exists, written after each change.
   * It keeps users (disabled, added), keys, the key limit, and the seeded credentials and control
   * token, all secrets as hashes only. A restart without one of those options accepts the same
   * credential as before without knowing its value (`keptCredentials`); an option given wins and
   * its hash replaces the kept one.
   */
  statePath?: string;
  /** Palette's documented limit per path prefix and client IP; `false` turns it off. @default { perSecond: 10, burst: 5 } */
  rateLimit?: RateLimitSettings | false;
  /** API keys one user may own. @default the state file's, else 20 */
  keyLimitPerUser?: number;
  /** Lifetime of a JWT from `/v1/auth/authenticate` or `/v1/auth/refresh`. @default 900000 (15 min) */
  jwtLifetimeMs?: number;
  /** How long after login a session may still be refreshed. @default 14400000 (240 min) */
  sessionTimeoutMs?: number;
  /**
   * What `POST /v1/apiKeys` returns as `uid`. The spec calls it a "User uid", so the default is the
   * owner's uid, the stricter case: clients must confirm the key's uid themselves.
   * @default "user"
   */
  createResponseUid?: "key" | "user";
  /** Initial clock time. @default the real current time */
  now?: Date;
  /** Seed of the PRNG behind rate-based faults. @default 1 */
  faultSeed?: number;
  /** Receives one line per request; API keys, tokens and passwords are never part of it. */
  log?: (line: string) => void;
}

/** The seeded credentials and the control token, as `EmulatorOptions` names them. */
export type CredentialName = "adminKey" | "userKey" | "password" | "controlToken";

/** A seeded user with its credentials. */
export interface SeedAccount {
  readonly uid: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  /** The seeded users' password; "" when this start kept it from the state file without its value (`keptCredentials`). */
  readonly password: string;
  readonly role: "tenantAdmin" | "user";
  /**
   * The account's seeded API key value; "" for an account seeded without a key (bob, `apiKeyUid`
   * "" too) or whose key this start kept from the state file without its value (`keptCredentials`).
   */
  readonly apiKey: string;
  /** The uid of that key; "" when there is none. */
  readonly apiKeyUid: string;
}

/** A user of the tenant as tests and the control surface see it; never a password. */
export interface EmulatorUserView {
  readonly uid: string;
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly role: "tenantAdmin" | "user";
  /** False for a disabled user (`status.isActive: false` on the user routes). */
  readonly active: boolean;
  readonly createdAt: Date;
}

/** A user to add to the tenant (Palette's `POST /v1/users` is not emulated; this is the emulator's way). */
export interface NewEmulatorUser {
  readonly email: string;
  /** @default the part of the email before "@" */
  readonly firstName?: string;
  /** @default "" */
  readonly lastName?: string;
  /** @default "user" */
  readonly role?: "tenantAdmin" | "user";
  /** Password for `/v1/auth/authenticate`. @default the seeded users' password */
  readonly password?: string;
}

/** A stored key as tests may inspect it. The value is not part of it: only its hash is stored. */
export interface EmulatorKeyView {
  readonly uid: string;
  readonly name: string;
  readonly description: string;
  readonly ownerUid: string;
  readonly expiresAt: Date;
  readonly active: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** True for the seeded credential keys ("bootstrap-admin", "bootstrap-alice"). */
  readonly seeded: boolean;
}

/** One request as the emulator saw it. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query; the token of `/v1/auth/refresh/{token}` is redacted. */
  readonly path: string;
  /** Status sent, or that would have been sent (lostResponse); 0 when the connection was dropped first. */
  readonly status: number;
  /** The fault kind applied, if any. */
  readonly fault?: FaultAction["kind"];
  /** Emulator clock time at arrival. */
  readonly at: Date;
}

/** The emulator's clock: real time plus a manual offset. */
export interface EmulatorClock {
  now(): Date;
  /** Moves time forward (or back, with a negative value). */
  advance(ms: number): void;
  /** Jumps to `d`; time keeps running from there. */
  set(d: Date): void;
}

export type FaultAction =
  /** Answers with this status and an error envelope instead of handling the request. */
  | { kind: "status"; status: number; code?: string; message?: string; retryAfterSeconds?: number }
  /**
   * Waits, then handles the request normally. With `afterHandling`, handles it first and then waits
   * before answering: the answer, when it arrives, describes the state of `ms` ago (a list in flight).
   */
  | { kind: "latency"; ms: number; afterHandling?: boolean }
  /** Destroys the socket before handling: the change is not made. */
  | { kind: "drop" }
  /** Handles the request (the change is made), then destroys the socket without answering. */
  | { kind: "lostResponse" };

export interface FaultRule {
  /** HTTP method, any case; any method when absent. */
  method?: string;
  /** Exact path (no query) or a RegExp tested against it; any path when absent. */
  path?: string | RegExp;
  /** How many matching requests to fault. @default 1 (Infinity when `rate` is set) */
  times?: number;
  /** Lets the first N matching requests through untouched. @default 0 */
  skip?: number;
  /** Probability 0..1 that a matching request is faulted, drawn from the seeded PRNG. */
  rate?: number;
  /**
   * What to do to a faulted request. A list is a mix: each faulted request gets one of them, drawn
   * uniformly from the seeded PRNG (one rule, because the first matching rule decides and a second
   * rate rule on the same requests would never be reached).
   */
  action: FaultAction | readonly FaultAction[];
}

export interface FaultInjector {
  /** Appends a rule; rules are checked in order and the first one that matches decides. */
  add(rule: FaultRule): void;
  /** Removes every rule and zeroes the stats. */
  clear(): void;
  readonly stats: { readonly matched: number; readonly byKind: Readonly<Record<FaultAction["kind"], number>> };
}

export interface RunningEmulator {
  /** "http://<host>:<port>" */
  readonly url: string;
  readonly port: number;
  readonly tenant: { readonly uid: string; readonly orgName: string };
  readonly accounts: { readonly admin: SeedAccount; readonly users: readonly SeedAccount[] };
  /** The `X-Emulator-Token` value the control surface (`/__emulator/...`) requires; "" when kept (`keptCredentials`). */
  readonly controlToken: string;
  /**
   * The credentials this start took from its state file, which keeps them as hashes only: they are
   * accepted as before, but their values are unknown here, so their fields above are "". Empty
   * without a state file, on a first start, and for any credential given as an option.
   */
  readonly keptCredentials: readonly CredentialName[];
  readonly clock: EmulatorClock;
  readonly faults: FaultInjector;
  /** Every stored key, seeded credential keys included (flagged); never a value. */
  keys(): EmulatorKeyView[];
  requests(): readonly RecordedRequest[];
  setRateLimit(r: RateLimitSettings | false): void;
  setKeyLimitPerUser(n: number): void;
  /** The API keys one user may own now. */
  keyLimitPerUser(): number;
  /** Every user of the tenant, oldest first. */
  users(): EmulatorUserView[];
  /** Adds a user to the tenant; 409-like error when the email is taken. Not undone by `reset()`. */
  addUser(user: NewEmulatorUser): EmulatorUserView;
  /**
   * Disables (`false`) or re-enables a user. A disabled user's API keys, tokens and password are
   * refused with 401, keys cannot be created for it, and its keys stay listed with their own
   * state: what an audit's "owner disabled" needs. Not undone by `reset()`.
   */
  setUserActive(uid: string, active: boolean): void;
  /**
   * Removes a user from the tenant (Palette has no such route here); their keys stay behind,
   * owned by a uid nobody has: the orphaned keys an audit must find. Not undone by `reset()`.
   */
  removeUser(uid: string): void;
  /**
   * Back to the seeded state: non-seed keys removed, seeded keys restored (active, expiring a year
   * from the clock's now), fault rules and stats, the request log, rate-limit buckets, sessions
   * and tokens cleared, rate limit and key limit back to the start options. The clock and the
   * users (added, disabled, removed) are left as they are.
   */
  reset(): void;
  /** Stops listening and destroys open connections. Idempotent. */
  close(): Promise<void>;
}
