/**
 * A local stand-in for Spectro Cloud Palette's API-key, user and auth endpoints, faithful to what is
 * known of the real API (docs/reference/palette-api.md; its place in the design: ARCHITECTURE.md).
 *
 * @example
 * const emu = await startEmulator({ port: 0 });
 * // SPECTROCLOUD_HOST=emu.url SPECTROCLOUD_APIKEY=emu.accounts.admin.apiKey
 * emu.faults.add({ method: "POST", path: "/v1/apiKeys", action: { kind: "lostResponse" } });
 * await emu.close();
 */
import { once } from "node:events";
import { RATE_LIMIT_BURST, RATE_LIMIT_PER_SECOND } from "../sdk/wire";
import { Authenticator } from "./auth";
import { createClock } from "./clock";
import { credentialHashes, keptCredentialNames, resolveCredentials } from "./credentials";
import { Faults } from "./faults";
import { newUid } from "./ids";
import { JwtSigner } from "./jwt";
import { userNotFound } from "./http-error";
import type { EmulatorKeyView, EmulatorOptions, EmulatorUserView, NewEmulatorUser, RateLimitSettings, RunningEmulator } from "./options";
import { loadState, saveState, type PersistedState } from "./persistence";
import { RateLimiter, validRateLimit } from "./rate-limiter";
import { Router } from "./router";
import { apiKeyRoutes } from "./routes/api-keys";
import { authRoutes } from "./routes/auth";
import { controlGuard, controlRoutes, emailTaken, type ControlTarget } from "./routes/control";
import type { LiveSettings, RouteDeps } from "./routes/deps";
import { pageRoutes } from "./routes/page";
import { userRoutes } from "./routes/users";
import { printable } from "./redact";
import { hashPassword, type PasswordHash } from "./secrets";
import { applySeedKeys, ORG_NAME, restoreAddedUsers, seedUsers } from "./seed";
import { createEmulatorServer } from "./server";
import { Store, type StoredKey, type StoredUser } from "./store";

export type {
  CredentialName,
  EmulatorClock,
  EmulatorKeyView,
  EmulatorOptions,
  EmulatorUserView,
  NewEmulatorUser,
  FaultAction,
  FaultInjector,
  FaultRule,
  RateLimitSettings,
  RecordedRequest,
  RunningEmulator,
  SeedAccount,
} from "./options";

export const DEFAULT_RATE_LIMIT: RateLimitSettings = { perSecond: RATE_LIMIT_PER_SECOND, burst: RATE_LIMIT_BURST };
export const DEFAULT_KEY_LIMIT_PER_USER = 20;
export const DEFAULT_JWT_LIFETIME_MS = 15 * 60 * 1000;
export const DEFAULT_SESSION_TIMEOUT_MS = 240 * 60 * 1000;

/** Starts an emulator and resolves once it listens. Close it with `close()`. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const persisted = options.statePath === undefined ? undefined : loadState(options.statePath);
  const resolved = resolveOptions(options, persisted);
  const credentials = resolveCredentials(options, persisted?.credentials);
  const clock = createClock(options.now ?? new Date());

  let loading = true;
  const settings: LiveSettings = { keyLimitPerUser: resolved.keyLimitPerUser, createResponseUid: resolved.createResponseUid };
  const save = (): void => {
    if (!loading && options.statePath !== undefined) {
      saveState(options.statePath, store, { credentials: credentialHashes(credentials), keyLimitPerUser: settings.keyLimitPerUser });
    }
  };
  const store = new Store(persisted?.tenant ?? { uid: newUid(), orgName: ORG_NAME }, save);
  const accounts = seedUsers(store, credentials, clock.now(), persisted);
  restoreAddedUsers(store, persisted);
  for (const key of persisted?.keys ?? []) {
    // A removed user's keys stay (the orphans an audit must find), but not a removed seed's own
    // credential key: the seed comes back with a new uid and is given a fresh one.
    if (store.getUser(key.ownerUid) !== undefined || !key.seeded) store.putKey({ ...key });
  }
  applySeedKeys(store, accounts, credentials, clock.now());
  loading = false;
  // Also rewrites an older file at once: a v2 file's clear credentials do not outlive this start.
  save();

  const auth = new Authenticator(store, clock, new JwtSigner(), {
    jwtLifetimeMs: resolved.jwtLifetimeMs,
    sessionTimeoutMs: resolved.sessionTimeoutMs,
  });
  const faults = new Faults(resolved.faultSeed);
  const limiter = new RateLimiter(resolved.rateLimit);
  let rateLimit = resolved.rateLimit;
  const [admin, ...users] = accounts;
  if (admin === undefined) throw new Error("emulator seed has no tenant admin");
  const existingUser = (uid: string): StoredUser => store.getUser(uid) ?? throwError(userNotFound(uid));

  // One implementation behind both the in-process API and the HTTP control surface.
  const control: Omit<RunningEmulator, "url" | "port" | "requests" | "close"> & ControlTarget = {
    tenant: { uid: store.tenant.uid, orgName: store.tenant.orgName },
    accounts: { admin, users },
    controlToken: credentials.controlToken.value ?? "",
    keptCredentials: keptCredentialNames(credentials),
    clock,
    faults,
    keys: () => store.listKeys().map(toView),
    setRateLimit(r) {
      limiter.configure(r);
      rateLimit = r;
    },
    rateLimit: () => rateLimit,
    setKeyLimitPerUser(n) {
      settings.keyLimitPerUser = validKeyLimit(n);
      save();
    },
    keyLimitPerUser: () => settings.keyLimitPerUser,
    users: () => store.listUsers().map(toUserView),
    addUser(u) {
      const user = newUser(u, credentials.password.hash, clock.now());
      if (store.findUserByEmail(user.email) !== undefined) throw emailTaken(user.email);
      store.addUser(user);
      return toUserView(user);
    },
    setUserActive(uid, active) {
      existingUser(uid);
      store.setUserActive(uid, active);
      // A disabled user's sessions end; re-enabling does not bring old tokens back.
      if (!active) auth.endSessionsOf(uid);
    },
    removeUser(uid) {
      existingUser(uid);
      store.removeUser(uid);
      auth.endSessionsOf(uid);
    },
    reset() {
      store.retainKeys((k) => k.seeded);
      applySeedKeys(store, accounts, credentials, clock.now());
      faults.clear();
      http.clearRequests();
      auth.clearSessions();
      control.setRateLimit(resolved.rateLimit);
      settings.keyLimitPerUser = resolved.keyLimitPerUser;
      save();
    },
  };

  const deps: RouteDeps = { store, auth, settings };
  const router = new Router([
    ...apiKeyRoutes(deps),
    ...authRoutes(deps),
    ...userRoutes(deps),
    ...controlRoutes(control),
    ...pageRoutes(),
  ]);
  const guardControl = controlGuard(credentials.controlToken.hash);
  const http = createEmulatorServer({ clock, faults, limiter, router, auth, guardControl, log: options.log });

  http.server.listen(resolved.port, resolved.host);
  // once() rejects when "error" comes first (for example EADDRINUSE).
  await once(http.server, "listening");
  const address = http.server.address();
  const port = typeof address === "object" && address !== null ? address.port : resolved.port;
  const urlHost = resolved.host.includes(":") ? `[${resolved.host}]` : resolved.host;
  const { rateLimit: _rateLimit, ...api } = control;

  return {
    ...api,
    url: `http://${urlHost}:${port}`,
    port,
    requests: () => http.requests(),
    close: () => http.close(),
  };
}

function throwError(e: Error): never {
  throw e;
}

/**
 * A user to store, from the in-process or control-surface request; refuses what Palette could not
 * hold. Without a password of its own it gets the seeded users' hash: the value may be unknown here.
 */
function newUser(u: NewEmulatorUser, seededPassword: PasswordHash, now: Date): StoredUser {
  const email = u.email.trim();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new RangeError(`email must look like name@domain, got '${printable(email)}'`);
  const role = u.role ?? "user";
  if (role !== "user" && role !== "tenantAdmin") throw new RangeError('role must be "user" or "tenantAdmin"');
  if (u.password !== undefined && (u.password === "" || /\s/.test(u.password))) {
    throw new RangeError("password must be a non-empty string without white space");
  }
  return {
    uid: newUid(),
    email,
    firstName: u.firstName ?? email.slice(0, email.indexOf("@")),
    lastName: u.lastName ?? "",
    role,
    password: u.password === undefined ? seededPassword : hashPassword(u.password),
    createdAt: now,
    lastSignIn: null,
    active: true,
  };
}

/** A copy without the password hash (nor the sign-in time, which only the user routes show). */
function toUserView({ uid, email, firstName, lastName, role, active, createdAt }: StoredUser): EmulatorUserView {
  return { uid, email, firstName, lastName, role, active, createdAt: new Date(createdAt) };
}

/** A copy without the hash: tests see what a key is, never anything that could become its value. */
function toView(k: StoredKey): EmulatorKeyView {
  return {
    uid: k.uid,
    name: k.name,
    description: k.description,
    ownerUid: k.ownerUid,
    expiresAt: new Date(k.expiresAt),
    active: k.active,
    createdAt: new Date(k.createdAt),
    updatedAt: new Date(k.updatedAt),
    seeded: k.seeded,
  };
}

interface ResolvedOptions {
  port: number;
  host: string;
  rateLimit: RateLimitSettings | false;
  keyLimitPerUser: number;
  jwtLifetimeMs: number;
  sessionTimeoutMs: number;
  createResponseUid: "key" | "user";
  faultSeed: number;
}

/** Fills defaults and refuses options that would make a broken emulator (a clear error now beats a confusing 401 later). */
function resolveOptions(o: EmulatorOptions, persisted: PersistedState | undefined): ResolvedOptions {
  const port = o.port ?? 0;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new RangeError("port must be an integer within 0..65535");
  const positive = (name: string, v: number): number => {
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number`);
    return v;
  };
  const createResponseUid = o.createResponseUid ?? "user";
  if (createResponseUid !== "key" && createResponseUid !== "user") throw new RangeError('createResponseUid must be "key" or "user"');
  return {
    port,
    host: o.host ?? "127.0.0.1",
    rateLimit: validRateLimit(o.rateLimit ?? DEFAULT_RATE_LIMIT),
    keyLimitPerUser: validKeyLimit(o.keyLimitPerUser ?? persisted?.keyLimitPerUser ?? DEFAULT_KEY_LIMIT_PER_USER),
    jwtLifetimeMs: positive("jwtLifetimeMs", o.jwtLifetimeMs ?? DEFAULT_JWT_LIFETIME_MS),
    sessionTimeoutMs: positive("sessionTimeoutMs", o.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS),
    createResponseUid,
    faultSeed: o.faultSeed ?? 1,
  };
}

function validKeyLimit(n: number): number {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError("keyLimitPerUser must be an integer >= 0");
  return n;
}
