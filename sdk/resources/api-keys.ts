/** `client.apiKeys`: Palette API keys, with a create that never duplicates or orphans a key. */
import { isValid } from "date-fns";
import { ApiKeyActiveStateWire, ApiKeyEntityWire, ApiKeyUpdateWire, paths } from "../wire";
import type { RequestOptions } from "../config";
import type { Call } from "../core/call";
import type { Clock } from "../core/clock";
import { invalidParamsError, sdkError } from "../core/error-context";
import { responseInvalidError } from "../core/response-errors";
import { errorFromTransport } from "../core/transport-errors";
import { backoffDelayMs, shouldRetry, type AttemptOutcome, type RetryPolicy } from "../core/retry-policy";
import { isPaletteError, type PaletteError, type PaletteResource } from "../errors";
import type { ApiKey, CreateApiKeyParams, CreatedApiKey, UpdateApiKeyParams, UserInfo } from "../model";
import { ApiKeyListResponse, ApiKeyResponse, CreateResponse } from "./mapping";
import type { ResourceContext } from "./context";
import { ApiKeyIndexResponse, type ApiKeyIndex, type InvalidEntries } from "./key-index";
import { SharedRequest } from "./shared-list";

/** What this module's calls handle: the noun their errors use. */
const RESOURCE: PaletteResource = "API key";

/**
 * A key found after an ambiguous create is treated as made by this call unless it was created
 * more than this long before the call started (client and server clocks differ a little).
 * Older keys of the same name were there before and are never touched.
 */
export const LOST_KEY_CLOCK_SKEW_MS = 5 * 60_000;

export interface ApiKeysApi {
  /** `GET /v1/apiKeys`: every key of the tenant for a tenant admin, the caller's own for a user. */
  list(options?: RequestOptions): Promise<ApiKey[]>;
  /**
   * The same list, shared: concurrent calls (and the creates finding their keys) make one request,
   * sent after each of them was made, so no answer is older than its question (see shared-list.ts).
   * A refresh of 500 keys is then one request instead of 500 GETs.
   */
  listShared(options?: RequestOptions): Promise<ApiKey[]>;
  /**
   * The key with this uid in the shared list (see `listShared`), or undefined when the list does not
   * hold it (a plain user's list holds only their own keys: a `get` tells whether it exists). Only
   * that entry is validated and mapped: a malformed entry of another key fails nobody who reads this one.
   */
  findShared(uid: string, options?: RequestOptions): Promise<ApiKey | undefined>;
  /** `GET /v1/apiKeys/{uid}`; `NOT_FOUND` when there is no such key. */
  get(uid: string, options?: RequestOptions): Promise<ApiKey>;
  /**
   * Creates a key and returns it with its value (shown only this once). The new key is found in a
   * list taken after the POST (shared with concurrent creates and reads): by the answer's uid when
   * that is the key's, else by name + owner (the spec calls that uid a "User uid").
   * Never retried blind: after an ambiguous failure (no answer, 5xx, 429) any key of that name and
   * owner made by the lost attempt is deleted (its value is lost) before trying again.
   */
  create(params: CreateApiKeyParams, options?: RequestOptions): Promise<CreatedApiKey>;
  /**
   * `PUT /v1/apiKeys/{uid}` with the full body; fields left out keep their current value, read with
   * a GET first (the PUT replaces all three, and only Palette knows their values now). Two requests
   * either way. Returns the key as it is afterwards: read back when every field was given, else the
   * GET's view with the edits applied and `updatedAt` the client's clock at the write.
   */
  update(uid: string, params: UpdateApiKeyParams, options?: RequestOptions): Promise<ApiKey>;
  /** Revokes (`false`) or re-activates (`true`) a key (`PUT /v1/apiKeys/{uid}/state`). */
  setActive(uid: string, active: boolean, options?: RequestOptions): Promise<void>;
  /** `DELETE /v1/apiKeys/{uid}`; `NOT_FOUND` when it does not exist (the caller decides whether that is fine). */
  delete(uid: string, options?: RequestOptions): Promise<void>;
  /** The first key with this name (and owner, when given), or undefined. */
  findByName(name: string, ownerUid?: string, options?: RequestOptions): Promise<ApiKey | undefined>;
}

export interface ApiKeysDeps {
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

export class ApiKeysResource implements ApiKeysApi {
  private readonly shared: SharedRequest<ApiKeyIndex>;

  constructor(private readonly deps: ApiKeysDeps) {
    // The shared request belongs to no caller: one caller's signal must not cancel the others' answer.
    this.shared = new SharedRequest((onSend) =>
      deps.ctx.pipeline.send(this.start("apiKeys.listShared"), { method: "GET", path: paths.apiKeys(), response: ApiKeyIndexResponse, mode: "retry", onSend }),
    );
  }

  list(options?: RequestOptions): Promise<ApiKey[]> {
    return this.listIn(this.start("apiKeys.list", options));
  }

  async listShared(options?: RequestOptions): Promise<ApiKey[]> {
    const call = this.start("apiKeys.listShared", options);
    return (await this.sharedListIn(call)).all(this.invalidEntries(call));
  }

  async findShared(uid: string, options?: RequestOptions): Promise<ApiKey | undefined> {
    const call = this.start("apiKeys.findShared", options);
    return (await this.sharedListIn(call)).byUid(uid, this.invalidEntries(call));
  }

  get(uid: string, options?: RequestOptions): Promise<ApiKey> {
    return this.getIn(this.start("apiKeys.get", options), uid);
  }

  async create(params: CreateApiKeyParams, options?: RequestOptions): Promise<CreatedApiKey> {
    const call = this.start("apiKeys.create", options);
    const { pipeline } = this.deps.ctx;
    const path = paths.apiKeys();
    const body = pipeline.validateBody(call, "POST", path, ApiKeyEntityWire, {
      metadata: {
        name: params.name,
        ...(params.description !== undefined && { annotations: { description: params.description } }),
      },
      spec: {
        expiry: this.wireTime(call, "POST", path, params.expiresAt),
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

  async update(uid: string, params: UpdateApiKeyParams, options?: RequestOptions): Promise<ApiKey> {
    const call = this.start("apiKeys.update", options);
    const path = paths.apiKey(uid);
    const complete = params.name !== undefined && params.description !== undefined && params.expiresAt !== undefined;
    // Not the engine's stored view: fields the program leaves alone (ignoreChanges, or edited out of
    // band since the last refresh) must keep Palette's current value, which only Palette knows.
    const current = complete ? undefined : await this.getIn(call, uid);
    const expiresAt = params.expiresAt ?? current?.expiresAt ?? null;
    if (expiresAt === null)
      throw invalidParamsError(
        [{ path: "expiresAt", message: "is required: Palette reports no expiry for this key" }],
        this.deps.ctx.pipeline.context(call, "PUT", path, 0),
      );
    const body = this.deps.ctx.pipeline.validateBody(call, "PUT", path, ApiKeyUpdateWire, {
      metadata: {
        name: params.name ?? current?.name ?? "",
        annotations: { description: params.description ?? current?.description ?? "" },
      },
      spec: { expiry: this.wireTime(call, "PUT", path, expiresAt) },
    });
    await this.deps.ctx.pipeline.send(call, { method: "PUT", path, body, mode: "retry" });
    if (current === undefined) return this.getIn(call, uid);
    const { name, annotations } = body.metadata;
    const description = annotations?.description ?? "";
    return { ...current, name, description, expiresAt, annotations: { ...current.annotations, description }, updatedAt: this.deps.now() };
  }

  async setActive(uid: string, active: boolean, options?: RequestOptions): Promise<void> {
    const call = this.start("apiKeys.setActive", options);
    const path = paths.apiKeyState(uid);
    // Always an explicit boolean: Go clients omit false, which servers must read as false anyway.
    const body = this.deps.ctx.pipeline.validateBody(call, "PUT", path, ApiKeyActiveStateWire, { isActive: active });
    await this.deps.ctx.pipeline.send(call, { method: "PUT", path, body, mode: "retry" });
  }

  delete(uid: string, options?: RequestOptions): Promise<void> {
    return this.deleteIn(this.start("apiKeys.delete", options), uid);
  }

  async findByName(name: string, ownerUid?: string, options?: RequestOptions): Promise<ApiKey | undefined> {
    const keys = await this.listIn(this.start("apiKeys.findByName", options));
    return keys.find((k) => k.name === name && (ownerUid === undefined || k.user.uid === ownerUid));
  }

  private start(operation: string, options?: RequestOptions): Call {
    return this.deps.ctx.startCall(RESOURCE, operation, options);
  }

  private listIn(call: Call): Promise<ApiKey[]> {
    return this.deps.ctx.pipeline.send(call, { method: "GET", path: paths.apiKeys(), response: ApiKeyListResponse, mode: "retry" });
  }

  /** The shared list, given up alone when this call is aborted. */
  private sharedListIn(call: Call): Promise<ApiKeyIndex> {
    const answer = this.shared.get();
    const signal = call.signal;
    if (signal === undefined) return answer;
    const aborted = (): PaletteError => errorFromTransport("aborted", "ABORTED", this.deps.ctx.pipeline.context(call, "GET", paths.apiKeys(), 0));
    if (signal.aborted) return Promise.reject(aborted());
    return new Promise((resolve, reject) => {
      const stop = (): void => reject(aborted());
      signal.addEventListener("abort", stop, { once: true });
      answer.then(resolve, reject).finally(() => signal.removeEventListener("abort", stop));
    });
  }

  /** A shared list's malformed entries, as the `RESPONSE_INVALID` of `call` that needed them (as if it had listed alone). */
  private invalidEntries(call: Call): InvalidEntries {
    return (issues) => responseInvalidError(200, issues, this.deps.ctx.pipeline.context(call, "GET", paths.apiKeys(), 1));
  }

  private getIn(call: Call, uid: string): Promise<ApiKey> {
    return this.deps.ctx.pipeline.send(call, { method: "GET", path: paths.apiKey(uid), response: ApiKeyResponse, mode: "retry" });
  }

  private deleteIn(call: Call, uid: string): Promise<void> {
    return this.deps.ctx.pipeline.send(call, {
      method: "DELETE",
      path: paths.apiKey(uid),
      mode: "retry",
      // A retried DELETE that finds nothing most likely finds what its own lost attempt deleted.
      notFoundAfterAmbiguousIsSuccess: true,
    });
  }

  private wireTime(call: Call, method: "POST" | "PUT", path: string, date: Date): string {
    if (!(date instanceof Date) || !isValid(date))
      throw invalidParamsError([{ path: "expiresAt", message: "must be a valid Date" }], this.deps.ctx.pipeline.context(call, method, path, 0));
    return date.toISOString();
  }

  private async ownerOf(call: Call, params: CreateApiKeyParams): Promise<string> {
    return params.userUid ?? (await this.deps.whoAmI(call)).userUid;
  }

  /**
   * The created key, from a list taken after the POST (shared with concurrent creates): the key
   * with the answer's uid when that is the key, else the newest key of that name and owner. The
   * answer's uid is the owner's when it is not the key's (palette-api.md §3), so the caller's own
   * uid is looked up only when the answer carried none.
   */
  private async confirm(call: Call, uid: string | undefined, params: CreateApiKeyParams): Promise<ApiKey> {
    const keys = await this.sharedListIn(call);
    const invalid = this.invalidEntries(call);
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
    const lost = (await this.sharedListIn(call))
      .named(params.name, this.invalidEntries(call))
      .filter((k) => k.user.uid === owner && (k.createdAt === null || k.createdAt.getTime() >= notBefore));
    for (const key of lost) {
      try {
        await this.deleteIn(call, key.uid);
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
