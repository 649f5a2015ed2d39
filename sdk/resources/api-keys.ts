/**
 * `client.apiKeys`: Palette API keys. The endpoints are thin requests; the create that never
 * duplicates or orphans a key is the protocol in safe-create.ts, which this resource feeds with its
 * shared list and its DELETE.
 */
import { isValid } from "date-fns";
import { ApiKeyActiveStateWire, ApiKeyUpdateWire, paths } from "../wire";
import type { RequestOptions } from "../config";
import type { Call } from "../core/call";
import { invalidParamsError } from "../core/error-context";
import { responseInvalidError } from "../core/response-errors";
import { errorFromTransport } from "../core/transport-errors";
import type { PaletteError, PaletteResource } from "../errors";
import type { ApiKey, CreateApiKeyParams, CreatedApiKey, UpdateApiKeyParams } from "../model";
import { ApiKeyListResponse, ApiKeyResponse } from "./mapping";
import { ApiKeyIndexResponse, type ApiKeyIndex, type InvalidEntries } from "./key-index";
import { SafeCreate, type SafeCreateDeps } from "./safe-create";
import { SharedRequest } from "./shared-list";

/** What this module's calls handle: the noun their errors use. */
const RESOURCE: PaletteResource = "API key";

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

/** What the resource needs of the client: what its create protocol needs (the rest uses `ctx` and `now`). */
export type ApiKeysDeps = SafeCreateDeps;

export class ApiKeysResource implements ApiKeysApi {
  private readonly shared: SharedRequest<ApiKeyIndex>;
  private readonly safeCreate: SafeCreate;

  constructor(private readonly deps: ApiKeysDeps) {
    // The shared request belongs to no caller: one caller's signal must not cancel the others' answer.
    this.shared = new SharedRequest((onSend) =>
      deps.ctx.pipeline.send(this.start("apiKeys.listShared"), { method: "GET", path: paths.apiKeys(), response: ApiKeyIndexResponse, mode: "retry", onSend }),
    );
    this.safeCreate = new SafeCreate(deps, {
      sharedList: (call) => this.sharedListIn(call),
      invalidEntries: (call) => this.invalidEntries(call),
      deleteKey: (call, uid) => this.deleteIn(call, uid),
    });
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
    return this.safeCreate.create(call, params, this.wireTime(call, "POST", paths.apiKeys(), params.expiresAt));
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
}
