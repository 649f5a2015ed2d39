/**
 * A local stand-in for Spectro Cloud Palette's API-key, user and auth endpoints (DESIGN.md §4).
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
import { Faults } from "./faults";
import { newSecret, newUid } from "./ids";
import { JwtSigner } from "./jwt";
import type { EmulatorKeyView, EmulatorOptions, RateLimitSettings, RunningEmulator } from "./options";
import { loadState, saveState } from "./persistence";
import { RateLimiter, validRateLimit } from "./rate-limiter";
import { Router } from "./router";
import { apiKeyRoutes } from "./routes/api-keys";
import { authRoutes } from "./routes/auth";
import type { LiveSettings, RouteDeps } from "./routes/deps";
import { userRoutes } from "./routes/users";
import { applySeedKeys, ORG_NAME, seedUsers } from "./seed";
import { createEmulatorServer } from "./server";
import { Store, type StoredKey } from "./store";

export type {
  EmulatorClock,
  EmulatorKeyView,
  EmulatorOptions,
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
  const resolved = resolveOptions(options);
  const clock = createClock(options.now ?? new Date());
  const persisted = options.statePath === undefined ? undefined : loadState(options.statePath);

  let loading = true;
  const save = (): void => {
    if (!loading && options.statePath !== undefined) saveState(options.statePath, store);
  };
  const store = new Store(persisted?.tenant ?? { uid: newUid(), orgName: ORG_NAME }, save);
  const credentials = { adminKey: resolved.adminKey, userKey: resolved.userKey, password: resolved.password };
  const accounts = seedUsers(store, credentials, clock.now(), persisted);
  for (const key of persisted?.keys ?? []) {
    if (store.getUser(key.ownerUid) !== undefined) store.putKey({ ...key });
  }
  applySeedKeys(store, accounts, clock.now());
  loading = false;
  save();

  const settings: LiveSettings = { keyLimitPerUser: resolved.keyLimitPerUser, createResponseUid: resolved.createResponseUid };
  const auth = new Authenticator(store, clock, new JwtSigner(), {
    jwtLifetimeMs: resolved.jwtLifetimeMs,
    sessionTimeoutMs: resolved.sessionTimeoutMs,
  });
  const deps: RouteDeps = { store, auth, settings };
  const router = new Router([...apiKeyRoutes(deps), ...authRoutes(deps), ...userRoutes(deps)]);
  const faults = new Faults(resolved.faultSeed);
  const limiter = new RateLimiter(resolved.rateLimit);
  const http = createEmulatorServer({ clock, faults, limiter, router, auth, log: options.log });

  http.server.listen(resolved.port, resolved.host);
  // once() rejects when "error" comes first (for example EADDRINUSE).
  await once(http.server, "listening");
  const address = http.server.address();
  const port = typeof address === "object" && address !== null ? address.port : resolved.port;
  const urlHost = resolved.host.includes(":") ? `[${resolved.host}]` : resolved.host;
  const [admin, ...users] = accounts;
  if (admin === undefined) throw new Error("emulator seed has no tenant admin");

  return {
    url: `http://${urlHost}:${port}`,
    port,
    tenant: { uid: store.tenant.uid, orgName: store.tenant.orgName },
    accounts: { admin, users },
    clock,
    faults,
    keys: () => store.listKeys().map(toView),
    requests: () => http.requests(),
    setRateLimit: (r) => limiter.configure(r),
    setKeyLimitPerUser(n) {
      settings.keyLimitPerUser = validKeyLimit(n);
    },
    removeUser(uid) {
      if (!store.removeUser(uid)) throw new Error(`no user ${uid}`);
    },
    reset() {
      store.retainKeys((k) => k.seeded);
      applySeedKeys(store, accounts, clock.now());
      faults.clear();
      http.clearRequests();
      auth.clearSessions();
      limiter.configure(resolved.rateLimit);
      settings.keyLimitPerUser = resolved.keyLimitPerUser;
    },
    close: () => http.close(),
  };
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
  adminKey: string;
  userKey: string;
  password: string;
  rateLimit: RateLimitSettings | false;
  keyLimitPerUser: number;
  jwtLifetimeMs: number;
  sessionTimeoutMs: number;
  createResponseUid: "key" | "user";
  faultSeed: number;
}

/** Fills defaults and refuses options that would make a broken emulator (a clear error now beats a confusing 401 later). */
function resolveOptions(o: EmulatorOptions): ResolvedOptions {
  const port = o.port ?? 0;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new RangeError("port must be an integer within 0..65535");
  const adminKey = o.adminKey ?? newSecret();
  const userKey = o.userKey ?? newSecret();
  const password = o.password ?? newSecret(20);
  for (const [name, value] of [
    ["adminKey", adminKey],
    ["userKey", userKey],
    ["password", password],
  ] as const) {
    if (value === "" || /\s/.test(value)) throw new RangeError(`${name} must be a non-empty string without white space`);
  }
  if (adminKey === userKey) throw new RangeError("adminKey and userKey must differ: a key value identifies one key");
  const positive = (name: string, v: number): number => {
    if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number`);
    return v;
  };
  const createResponseUid = o.createResponseUid ?? "user";
  if (createResponseUid !== "key" && createResponseUid !== "user") throw new RangeError('createResponseUid must be "key" or "user"');
  return {
    port,
    host: o.host ?? "127.0.0.1",
    adminKey,
    userKey,
    password,
    rateLimit: validRateLimit(o.rateLimit ?? DEFAULT_RATE_LIMIT),
    keyLimitPerUser: validKeyLimit(o.keyLimitPerUser ?? DEFAULT_KEY_LIMIT_PER_USER),
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
