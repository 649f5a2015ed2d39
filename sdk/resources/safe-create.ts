/**
 * The create protocol behind `apiKeys.create`, which never duplicates or orphans a key: each try
 * sends one POST, never repeated blind by the pipeline; the new key is found in the shared list taken
 * after it; after an ambiguous failure (no answer, 5xx, 429, an unreadable 2xx) the key the lost
 * attempt may have made is deleted (its value is gone) before the next try; a cancel once a POST was
 * out sends no new POST but still cleans up. Its own file because it is the one stateful protocol
 * of the API-key resource, whose other endpoints (api-keys.ts) are thin requests.
 */
import { ApiKeyEntityWire, paths } from "../wire";
import type { Call } from "../core/call";
import type { Clock } from "../core/clock";
import { sdkError } from "../core/error-context";
import { backoffDelayMs, shouldRetry, type AttemptOutcome, type RetryPolicy } from "../core/retry-policy";
import { errorFromTransport } from "../core/transport-errors";
import { isPaletteError, type PaletteError } from "../errors";
import type { ApiKey, CreateApiKeyParams, CreatedApiKey, UserInfo } from "../model";
import type { ResourceContext } from "./context";
import type { ApiKeyIndex, InvalidEntries } from "./key-index";
import { CreateResponse } from "./mapping";

/**
 * A key found after an ambiguous create is treated as made by this call unless it was created
 * more than this long before the call started (client and server clocks differ a little).
 * Older keys of the same name were there before and are never touched.
 */
export const LOST_KEY_CLOCK_SKEW_MS = 5 * 60_000;

/** What the protocol needs of the client: its requests, time, retry policy, the caller, and where key values go. */
export interface SafeCreateDeps {
  readonly ctx: ResourceContext;
  readonly clock: Clock;
  readonly retry: RetryPolicy | false;
  /** Wall clock, as `PaletteClientOptions.now`. */
  readonly now: () => Date;
  /** The caller's identity, cached by the client. */
  readonly whoAmI: (call: Call) => Promise<UserInfo>;
  /** Called with each created key value, so it is redacted from then on. */
  readonly onKeyValue: (value: string) => void;
}

/** What the protocol needs of the API-key resource, within a call: its shared list, and deleting a key. */
export interface KeyAccess {
  /** The shared `GET /v1/apiKeys` (see shared-list.ts), given up alone when the call is aborted. */
  sharedList(call: Call): Promise<ApiKeyIndex>;
  /** The list's malformed entries as the call's own `RESPONSE_INVALID`. */
  invalidEntries(call: Call): InvalidEntries;
  /** `DELETE /v1/apiKeys/{uid}`, a 404 after its own lost attempt counting as done. */
  deleteKey(call: Call, uid: string): Promise<void>;
}

/** The protocol for one client's API-key resource; `create` runs it for one call. */
export class SafeCreate {
  constructor(
    private readonly deps: SafeCreateDeps,
    private readonly keys: KeyAccess,
  ) {}

  /**
   * Creates the key `params` describe within `call`, `expiry` being `params.expiresAt` already checked
   * and in wire form. (No wire type in this signature: the SDK's public declarations reach this file,
   * and must not need zod, see test/package/pack.test.ts.)
   */
  async create(call: Call, params: CreateApiKeyParams, expiry: string): Promise<CreatedApiKey> {
    const { pipeline } = this.deps.ctx;
    const path = paths.apiKeys();
    const body = pipeline.validateBody(call, "POST", path, ApiKeyEntityWire, {
      metadata: {
        name: params.name,
        ...(params.description !== undefined && { annotations: { description: params.description } }),
      },
      spec: {
        expiry,
        ...(params.userUid !== undefined && { userUid: params.userUid }),
      },
    });
    const startedAt = this.deps.now();
    let retries = 0;
    for (;;) {
      let created: { readonly value: string; readonly uid: string | undefined };
      try {
        created = await pipeline.send(call, {
          method: "POST",
          path,
          body,
          response: CreateResponse,
          mode: "once",
          ...(params.userUid !== undefined && { hints: { createForOtherUser: true } }),
        });
      } catch (e) {
        if (!isPaletteError(e) || !isAmbiguousCreateFailure(e)) throw e;
        // Cancelled once the POST was out (or during its back-off): no new POST; the lost attempt's
        // key is still cleaned up, so nothing is orphaned.
        const cancelled = (): Promise<PaletteError> => this.giveUp(call, params, startedAt, this.cancelledAfterSend(call, path, e));
        if (call.cancelRequested) throw await cancelled();
        const policy = this.deps.retry;
        const delay = policy === false ? undefined : backoffDelayMs(retries, policy, () => this.deps.clock.random(), e.retryAfterMs);
        const retry =
          policy !== false &&
          delay !== undefined &&
          shouldRetry(retries, outcomeOf(e), policy) &&
          this.deps.clock.nowMs() + delay < call.deadlineAt;
        if (!retry) throw await this.giveUp(call, params, startedAt, e);
        // `callerSignal`, not `signal` (undefined once the POST went out): a cancel cuts the back-off.
        const interrupted = await this.deps.clock.sleep(delay, call.callerSignal).then(
          () => false,
          () => true,
        );
        if (interrupted) throw await cancelled();
        // The lost attempt may have made the key; its value is gone, so the key must go too.
        let removed: number;
        try {
          removed = await this.persist(call, () => this.removeLostKeys(call, params, startedAt));
        } catch (cleanup) {
          if (!isPaletteError(cleanup)) throw cleanup;
          throw cleanup.withContext(call.operation, `${cleanup.message} ${mayBeLeft(params.name)}`, { orphanedKeyName: params.name });
        }
        // A cancel during the clean-up: it is done, and the next POST is not sent.
        if (call.cancelRequested) throw withNote(call, this.cancelledAfterSend(call, path, e), removed);
        retries += 1;
        continue;
      }
      this.deps.onKeyValue(created.value);
      try {
        return { apiKey: await this.persist(call, () => this.confirm(call, created.uid, params)), value: created.value };
      } catch (e) {
        if (!isPaletteError(e)) throw e;
        throw e.withContext(
          call.operation,
          `${e.message} The key "${params.name}" was created but could not be confirmed: find it by name and delete it.`,
          { orphanedKeyName: params.name },
        );
      }
    }
  }

  private async ownerOf(call: Call, params: CreateApiKeyParams): Promise<string> {
    return params.userUid ?? (await this.deps.whoAmI(call)).userUid;
  }

  /**
   * The created key, from a list taken after the POST (shared with concurrent creates): the key
   * with the answer's uid when that is the key, else the newest key of that name and owner. The
   * answer's uid is the owner's when it is not the key's (docs/reference/palette-api.md §3), so the caller's own
   * uid is looked up only when the answer carried none.
   */
  private async confirm(call: Call, uid: string | undefined, params: CreateApiKeyParams): Promise<ApiKey> {
    const keys = await this.keys.sharedList(call);
    const invalid = this.keys.invalidEntries(call);
    const byUid = uid === undefined ? undefined : keys.byUid(uid, invalid);
    if (byUid?.name === params.name && (params.userUid === undefined || byUid.user.uid === params.userUid)) return byUid;
    const newestOf = (owner: string): ApiKey | undefined =>
      keys
        .named(params.name, invalid)
        .filter((k) => k.user.uid === owner).sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
    let owner = params.userUid ?? uid;
    let newest = owner === undefined ? undefined : newestOf(owner);
    if (newest === undefined && params.userUid === undefined) {
      // The answer's uid was neither the key's nor, it seems, the owner's: ask who the caller is.
      owner = await this.ownerOf(call, params);
      newest = newestOf(owner);
    }
    if (newest === undefined)
      throw sdkError(
        "RESPONSE_INVALID",
        `201, but no key named "${params.name}" of owner ${owner ?? "(unknown)"} is listed afterwards`,
        "Palette did not list the key it reported created; please report it.",
        this.deps.ctx.pipeline.context(call, "GET", paths.apiKeys(), 1),
      );
    return newest;
  }

  /**
   * Runs a read-only follow-up of create (confirming the new key, removing a lost one) again after
   * transient failures until the call's deadline, not just the pipeline's few retries: giving up
   * there leaves a key in Palette whose value nobody has.
   */
  private async persist<T>(call: Call, step: () => Promise<T>): Promise<T> {
    const policy = this.deps.retry;
    for (let round = 0; ; round += 1) {
      try {
        return await step();
      } catch (e) {
        if (policy === false || !isPaletteError(e) || !TRANSIENT.has(e.code)) throw e;
        const delay = backoffDelayMs(round, policy, () => this.deps.clock.random(), e.retryAfterMs);
        if (this.deps.clock.nowMs() + delay >= call.deadlineAt) throw e;
        // No signal: these follow a POST that went out (see `Call.commit`), and only they tell
        // whether a key is left without its value; the deadline bounds them.
        await this.deps.clock.sleep(delay);
      }
    }
  }

  /** Deletes keys of this name and owner that the call's lost attempts may have made. */
  private async removeLostKeys(call: Call, params: CreateApiKeyParams, startedAt: Date): Promise<number> {
    const owner = await this.ownerOf(call, params);
    const notBefore = startedAt.getTime() - LOST_KEY_CLOCK_SKEW_MS;
    const lost = (await this.keys.sharedList(call))
      .named(params.name, this.keys.invalidEntries(call))
      .filter((k) => k.user.uid === owner && (k.createdAt === null || k.createdAt.getTime() >= notBefore));
    for (const key of lost) {
      try {
        await this.keys.deleteKey(call, key.uid);
      } catch (e) {
        if (!isPaletteError(e) || e.code !== "NOT_FOUND") throw e;
      }
    }
    return lost.length;
  }

  /**
   * The error to throw when create stops retrying: after a last clean-up, saying whether a key may
   * be left. The clean-up reads and deletes only (no cancel stops it: it is what keeps a lost key
   * from being orphaned), and is skipped only when the deadline has passed.
   */
  private async giveUp(call: Call, params: CreateApiKeyParams, startedAt: Date, failure: PaletteError): Promise<PaletteError> {
    if (this.deps.clock.nowMs() >= call.deadlineAt) return left(call, params, failure);
    let removed: number;
    try {
      removed = await this.removeLostKeys(call, params, startedAt);
    } catch {
      return left(call, params, failure);
    }
    return withNote(call, failure, removed);
  }

  /** `ABORTED` for a create cancelled after its POST went out and failed without a usable answer (`lost`). */
  private cancelledAfterSend(call: Call, path: string, lost: PaletteError): PaletteError {
    const ctx = this.deps.ctx.pipeline.context(call, "POST", path, lost.attempts);
    const what = lost.status !== undefined ? String(lost.status) : lost.code;
    return errorFromTransport("aborted", what, ctx, undefined, { mayHaveReachedServer: true, afterWrite: call.committed });
  }
}

/** `failure`, adding what the clean-up of the lost attempts found: a deleted key, or none. */
function withNote(call: Call, failure: PaletteError, removed: number): PaletteError {
  const note = removed > 0 ? "The key made by the lost attempt was deleted; nothing was left behind." : "No key was left behind.";
  return failure.withContext(call.operation, `${failure.message} ${note}`);
}

/** `failure`, warning that a key of this name may exist without its value (the clean-up could not run). */
function left(call: Call, params: CreateApiKeyParams, failure: PaletteError): PaletteError {
  return failure.withContext(call.operation, `${failure.message} ${mayBeLeft(params.name)}`, { orphanedKeyName: params.name });
}

/**
 * The warning for a key that may exist without anyone holding its value. In no caller's terms (an
 * SDK method means nothing to a Pulumi user): `orphanedKeyName` lets each caller add its own.
 */
const mayBeLeft = (name: string): string =>
  `A key named "${name}" may have been created without its value reaching us: find it by name and delete it.`;

/** Failures that another try may not meet (the pipeline already retried each of them a few times). */
const TRANSIENT: ReadonlySet<string> = new Set(["SERVER", "RATE_LIMITED", "CONNECTION", "TIMEOUT"]);

/**
 * Failures after which the server may have made the key: no answer, a 5xx or 429, or an unreadable
 * 2xx. A request that never reached Palette (no connection came up) made nothing.
 */
export function isAmbiguousCreateFailure(e: PaletteError): boolean {
  if (!e.mayHaveReachedServer) return false;
  return (
    e.code === "TIMEOUT" ||
    e.code === "CONNECTION" ||
    e.code === "SERVER" ||
    e.code === "RATE_LIMITED" ||
    (e.code === "RESPONSE_INVALID" && e.status !== undefined && e.status >= 200 && e.status < 300)
  );
}

function outcomeOf(e: PaletteError): AttemptOutcome {
  if (e.code === "TIMEOUT") return { kind: "timeout" };
  if (e.code === "CONNECTION") return { kind: "connection" };
  // An unreadable 2xx is retried like a server error.
  if (e.status === undefined || (e.status >= 200 && e.status < 300)) return { kind: "status", status: 500 };
  return { kind: "status", status: e.status };
}
