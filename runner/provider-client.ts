/**
 * The engine's client of a provider process: starts the REAL `@pulumi/pulumi` dynamic-provider gRPC
 * host and makes the calls the Pulumi engine makes to it (the engine's `plugin.provider`).
 *
 * The engine starts `@pulumi/pulumi/cmd/dynamic-provider` as a plugin, reads the port it prints and
 * talks `pulumirpc.ResourceProvider` to it. This module does the same without a Pulumi CLI, so engine
 * tests, the bench and the offline runner exercise the exact serialize -> load -> configure -> CRUD
 * path a user's `pulumi up` would. It is a protocol client, not an engine: it plans nothing,
 * annotates no secrets and keeps no state (see `offline-engine.ts` for that).
 *
 * Protocol notes (checked against @pulumi/pulumi 3.248 `cmd/dynamic-provider/index.js`):
 * - the host answers `acceptSecrets=false`, so values arrive and leave as plain values; secret config
 *   is sent in Pulumi's wire form and unwrapped by the host;
 * - a `Struct` cannot hold `undefined`: every map sent here is stripped of undefined values first;
 * - errors thrown by `create`/`update` with an `id` come back as `ErrorResourceInitFailed` packed into
 *   the `grpc-status-details-bin` trailer; they are decoded into {@link ProviderInitError}.
 */
import { createRequire } from "node:module";
import type * as GrpcJs from "@grpc/grpc-js";
import type * as EmptyPb from "google-protobuf/google/protobuf/empty_pb";
import type * as StructPb from "google-protobuf/google/protobuf/struct_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/provider_pb";
import type * as pluginpb from "@pulumi/pulumi/proto/plugin_pb";
import * as statuspb from "@pulumi/pulumi/proto/status_pb";
import { mergedEnv, PluginProcess } from "./plugin-process";
import { fromStruct, markSecrets, secretObject, stripUndefined, unwrapSecrets, type PropertyMap } from "./wire-values";

// grpc-js and google-protobuf are @pulumi/pulumi's dependencies, not ours: load the very copies its
// generated proto modules use, so channel credentials and Struct instances are the same classes.
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/proto/provider_pb"));
const grpc = pulumiRequire("@grpc/grpc-js") as typeof GrpcJs;
const { Struct } = pulumiRequire("google-protobuf/google/protobuf/struct_pb") as typeof StructPb;
const { Empty } = pulumiRequire("google-protobuf/google/protobuf/empty_pb") as typeof EmptyPb;

/** A configuration value that the engine would hold as a secret. */
export interface SecretValue {
  secret: string;
}

const INIT_FAILED_TYPE = "pulumirpc.ErrorResourceInitFailed";

/** Options for {@link ProviderClient.start}. */
export interface ProviderClientOptions {
  /** Provider process working directory (default `process.cwd()`); the serialized provider's `require` resolves from here. */
  cwd?: string;
  /** Merged over `process.env`; an `undefined` value removes the variable. `PULUMI_NODEJS_PROJECT` defaults to `project`. */
  env?: Record<string, string | undefined>;
  /** Project name (default `"palette-demo"`). */
  project?: string;
  /** Stack name (default `"dev"`). */
  stack?: string;
  /** How long to wait for the host to print its port (default 30 s). */
  startupTimeoutMs?: number;
  /** gRPC deadline per call (default 120 s), so a wedged provider fails a test instead of hanging it. */
  callTimeoutMs?: number;
  /** Node options for the host process before its script, e.g. `--cpu-prof` to see where a provider call spends its time. */
  nodeArgs?: readonly string[];
  /**
   * Starts the host leading a process group of its own, as the Pulumi CLI starts plugins
   * (cmdutil.RegisterProcessGroup), so a terminal's Ctrl-C reaches only this process. Only for a
   * caller that handles SIGINT/SIGTERM itself (and then closes the host): otherwise Ctrl-C would kill
   * this process and leave the host running. @default false (the host shares this process's group)
   */
  ownProcessGroup?: boolean;
}

/** Marks a config value as secret for {@link ProviderClient.configure}. */
export function secretConfig(value: string): SecretValue {
  return { secret: value };
}

/**
 * A `create`/`update` that failed after the resource came to exist (the provider threw an error
 * carrying `id`). The engine would record `id` and `properties` as the resource's state.
 */
export class ProviderInitError extends Error {
  override readonly name = "ProviderInitError";
  constructor(
    message: string,
    readonly id: string,
    readonly properties: PropertyMap,
    readonly reasons: string[],
    /** The properties the provider returned secret. */
    readonly secretOutputs: string[] = [],
  ) {
    super(message);
  }
}

/** Result of {@link ProviderClient.check}: the checked inputs, secrets unwrapped and named in `secretKeys`. */
export interface CheckResult {
  inputs: PropertyMap;
  failures: { property: string; reason: string }[];
  secretKeys: string[];
}

/** Result of {@link ProviderClient.diff}. */
export interface DiffResult {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** The top-level properties the provider says changed (`diffs`). */
  diffs: string[];
}

/** Result of {@link ProviderClient.read}, secrets unwrapped and named. */
export interface ReadResult {
  id: string;
  properties: PropertyMap;
  inputs: PropertyMap;
  secretOutputs: string[];
  secretInputs: string[];
  /** Whether the provider returned inputs (else `inputs` echoes the request's). */
  inputsReturned: boolean;
}

type Method = "configure" | "checkConfig" | "diffConfig" | "invoke" | "getPluginInfo" | "getSchema" | "check" | "diff" | "create" | "read" | "update" | "delete" | "cancel";

/** A running provider process (the dynamic-provider host or a native plugin) plus the gRPC client connected to it, which closes both. */
export class ProviderClient {
  /** Everything the provider process printed so far (for secret scans and failure diagnostics). */
  readonly output: { stdout: string; stderr: string };
  /**
   * Whether the provider takes and returns secrets in Pulumi's wire form (its `Configure` answer):
   * native plugins do, @pulumi/pulumi's dynamic-provider host does not, so it is sent plain values.
   */
  acceptsSecrets = false;

  private closed = false;

  private constructor(
    private readonly plugin: PluginProcess,
    private readonly client: provrpc.ResourceProviderClient,
    private readonly callTimeoutMs: number,
  ) {
    this.output = plugin.output;
  }

  /** Spawns the host (`node <@pulumi/pulumi/cmd/dynamic-provider> 127.0.0.1:1`), reads its port and connects. */
  static async start(o: ProviderClientOptions = {}): Promise<ProviderClient> {
    const project = o.project ?? "palette-demo";
    // The host ignores the engine address except for requiring one; nothing listens on port 1.
    const plugin = await PluginProcess.start({
      command: process.execPath,
      args: [...(o.nodeArgs ?? []), require.resolve("@pulumi/pulumi/cmd/dynamic-provider"), "127.0.0.1:1"],
      label: "dynamic-provider host",
      cwd: o.cwd ?? process.cwd(),
      env: mergedEnv({ PULUMI_NODEJS_PROJECT: project }, o.env ?? {}),
      ownProcessGroup: o.ownProcessGroup === true,
      ...(o.startupTimeoutMs !== undefined && { startupTimeoutMs: o.startupTimeoutMs }),
    });
    return ProviderClient.connect(plugin, o.callTimeoutMs);
  }

  /** Connects to a started plugin process; {@link close} ends both. */
  static connect(plugin: PluginProcess, callTimeoutMs = 120_000): ProviderClient {
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
    return new ProviderClient(plugin, client, callTimeoutMs);
  }

  /**
   * Sends `Configure` as the engine does before any other call: `args` holds every key fully qualified,
   * secrets in Pulumi's wire form (the host unwraps them); `variables` holds the plain strings.
   */
  async configure(config: Record<string, string | SecretValue>): Promise<void> {
    const args: PropertyMap = {};
    const req = new pb.ConfigureRequest();
    for (const [key, value] of Object.entries(config)) {
      const plain = typeof value === "string" ? value : value.secret;
      args[key] = typeof value === "string" ? value : secretObject({ value: value.secret });
      req.getVariablesMap().set(key, plain);
    }
    req.setArgs(toStruct(args));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    await this.call("configure", req);
  }

  /**
   * `Configure` of a provider resource, as the engine's registry sends it (provider_plugin.go
   * `Configure`): `variables` keyed `<pkg>:config:<key>` (objects as JSON, `version` left out), `args`
   * the inputs with secrets in wire form, and the URN, name, type and id of the instance. The answer
   * says whether the provider takes and returns secrets ({@link acceptsSecrets}).
   */
  async configureProvider(urn: string, id: string, inputs: PropertyMap, secretInputs: readonly string[]): Promise<void> {
    const type = typeOfUrn(urn);
    const pkg = type.slice("pulumi:providers:".length);
    const req = new pb.ConfigureRequest();
    for (const [k, v] of Object.entries(stripUndefined(inputs))) {
      if (k !== "version") req.getVariablesMap().set(`${pkg}:config:${k}`, typeof v === "string" ? v : JSON.stringify(v));
    }
    req.setArgs(toStruct(markSecrets(inputs, secretInputs)));
    req.setUrn(urn);
    req.setName(nameOfUrn(urn));
    req.setType(type);
    req.setId(id);
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    req.setSendsOldInputs(true);
    req.setSendsOldInputsToDelete(true);
    const res = await this.call<pb.ConfigureResponse>("configure", req);
    this.acceptsSecrets = res.getAcceptsecrets();
  }

  /**
   * `CheckConfig(olds, news)` of a provider resource: sent plain (the engine does not keep secrets
   * here), their secretness copied back by name. A provider without it accepts the news as they are.
   */
  async checkConfig(urn: string, olds: PropertyMap, news: PropertyMap, secretNews: readonly string[]): Promise<CheckResult> {
    const req = new pb.CheckRequest();
    req.setUrn(urn);
    req.setName(nameOfUrn(urn));
    req.setType(typeOfUrn(urn));
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    try {
      const res = await this.call<pb.CheckResponse>("checkConfig", req);
      const { values, secretKeys } = unwrapSecrets(fromStruct(res.getInputs()));
      return { inputs: values, failures: failuresOf(res), secretKeys: [...new Set([...secretKeys, ...secretNews.filter((k) => k in values)])] };
    } catch (e) {
      if (isUnimplemented(e)) return { inputs: stripUndefined(news), failures: [], secretKeys: [...secretNews] };
      throw e;
    }
  }

  /** `DiffConfig(oldInputs, oldOutputs, newInputs)` of a provider resource; a provider without it answers "unknown". */
  async diffConfig(urn: string, oldInputs: PropertyMap, oldOutputs: PropertyMap, newInputs: PropertyMap): Promise<DiffResult> {
    const req = new pb.DiffRequest();
    req.setUrn(urn);
    req.setName(nameOfUrn(urn));
    req.setType(typeOfUrn(urn));
    req.setOldInputs(toStruct(oldInputs));
    req.setOlds(toStruct(oldOutputs));
    req.setNews(toStruct(newInputs));
    try {
      return diffOf(await this.call<pb.DiffResponse>("diffConfig", req));
    } catch (e) {
      if (isUnimplemented(e)) return { changes: "unknown", replaces: [], deleteBeforeReplace: false, diffs: [] };
      throw e;
    }
  }

  /** `Invoke(tok, args)`: the function's return, secrets still in wire form, and its check failures. */
  async invoke(tok: string, args: PropertyMap): Promise<{ result: PropertyMap; failures: CheckResult["failures"] }> {
    const req = new pb.InvokeRequest();
    req.setTok(tok);
    req.setArgs(toStruct(this.outgoing(args)));
    const res = await this.call<pb.InvokeResponse>("invoke", req);
    return { result: fromStruct(res.getReturn()), failures: failuresOf(res) };
  }

  /** `GetPluginInfo`: the plugin's version ("" when it has none). */
  async pluginVersion(): Promise<string> {
    return (await this.call<pluginpb.PluginInfo>("getPluginInfo", new Empty())).getVersion();
  }

  /** `GetSchema`: the package schema as the plugin serves it (JSON text). */
  async schema(): Promise<string> {
    return (await this.call<pb.GetSchemaResponse>("getSchema", new pb.GetSchemaRequest())).getSchema();
  }

  /** `Check(olds = previous inputs, news = program inputs)`; secrets may be in wire form (see {@link outgoing}). */
  async check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<CheckResult> {
    const req = new pb.CheckRequest();
    req.setUrn(urn);
    req.setOlds(toStruct(this.outgoing(olds)));
    req.setNews(toStruct(this.outgoing(news)));
    const res = await this.call<pb.CheckResponse>("check", req);
    const { values, secretKeys } = unwrapSecrets(fromStruct(res.getInputs()));
    return { inputs: values, failures: failuresOf(res), secretKeys };
  }

  /** `Diff(olds = stored outputs, news = checked inputs)`; `oldInputs` is sent but the Node host does not pass it on. */
  async diff(id: string, urn: string, olds: PropertyMap, news: PropertyMap, oldInputs?: PropertyMap): Promise<DiffResult> {
    const req = new pb.DiffRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setOlds(toStruct(this.outgoing(olds)));
    req.setNews(toStruct(this.outgoing(news)));
    if (oldInputs) req.setOldInputs(toStruct(this.outgoing(oldInputs)));
    return diffOf(await this.call<pb.DiffResponse>("diff", req));
  }

  /**
   * `Create(inputs)`. Rejects with {@link ProviderInitError} on a partial failure. Note: the Node host
   * ignores `preview` and creates anyway; the engine never calls it in preview (supportsPreview=false).
   */
  async create(urn: string, inputs: PropertyMap, opts: { preview?: boolean } = {}): Promise<{ id: string; properties: PropertyMap; secretOutputs: string[] }> {
    const req = new pb.CreateRequest();
    req.setUrn(urn);
    req.setProperties(toStruct(this.outgoing(inputs)));
    req.setPreview(opts.preview ?? false);
    const res = await this.call<pb.CreateResponse>("create", req);
    const { values, secretKeys } = unwrapSecrets(fromStruct(res.getProperties()));
    return { id: res.getId(), properties: values, secretOutputs: secretKeys };
  }

  /**
   * `Read(id, properties = stored outputs)`. An empty `id` in the result means the resource is gone.
   * When the provider returns no inputs the engine keeps the old ones, so `inputs` echoes the argument
   * (`inputsReturned` says which: an import needs the provider's).
   */
  async read(id: string, urn: string, properties: PropertyMap, inputs?: PropertyMap): Promise<ReadResult> {
    const req = new pb.ReadRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(toStruct(this.outgoing(properties)));
    if (inputs) req.setInputs(toStruct(this.outgoing(inputs)));
    const res = await this.call<pb.ReadResponse>("read", req);
    const outputs = unwrapSecrets(fromStruct(res.getProperties()));
    const read = unwrapSecrets(res.hasInputs() ? fromStruct(res.getInputs()) : (inputs ?? {}));
    return {
      id: res.getId(),
      properties: outputs.values,
      inputs: read.values,
      secretOutputs: outputs.secretKeys,
      secretInputs: read.secretKeys,
      inputsReturned: res.hasInputs(),
    };
  }

  /** `Update(olds = stored outputs, news = checked inputs)`. Rejects with {@link ProviderInitError} on a partial failure. */
  async update(id: string, urn: string, olds: PropertyMap, news: PropertyMap, oldInputs?: PropertyMap): Promise<{ properties: PropertyMap; secretOutputs: string[] }> {
    const req = new pb.UpdateRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setOlds(toStruct(this.outgoing(olds)));
    req.setNews(toStruct(this.outgoing(news)));
    if (oldInputs) req.setOldInputs(toStruct(this.outgoing(oldInputs)));
    const res = await this.call<pb.UpdateResponse>("update", req);
    const { values, secretKeys } = unwrapSecrets(fromStruct(res.getProperties()));
    return { properties: values, secretOutputs: secretKeys };
  }

  /** `Delete(id, properties = stored outputs, oldInputs)`. */
  async delete(id: string, urn: string, properties: PropertyMap, oldInputs?: PropertyMap): Promise<void> {
    const req = new pb.DeleteRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(toStruct(this.outgoing(properties)));
    if (oldInputs) req.setOldInputs(toStruct(this.outgoing(oldInputs)));
    await this.call("delete", req);
  }

  /**
   * `Cancel`, as the engine sends it to every provider when the user cancels (Ctrl-C): the
   * provider should stop what it has not started; calls in flight still answer. The host of
   * @pulumi/pulumi 3.x ignores it; our provider never abandons a write that reached Palette anyway.
   */
  async cancel(): Promise<void> {
    if (this.closed) return;
    await this.call("cancel", new Empty());
  }

  /** The provider process's id (for the bench's probes). */
  get pid(): number | undefined {
    return this.plugin.pid;
  }

  /** Closes the client, kills the host and waits for it to exit. Safe to call twice. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.client.close();
    }
    await this.plugin.close();
  }

  /**
   * A property map as this provider takes it: secrets in wire form for a provider that accepts them,
   * plain for one that does not (the dynamic-provider host), as the engine marshals them.
   */
  private outgoing(map: PropertyMap): PropertyMap {
    return this.acceptsSecrets ? map : unwrapSecrets(map).values;
  }

  private call<R>(method: Method, req: unknown): Promise<R> {
    if (this.closed) return Promise.reject(new Error(`ProviderClient.${method} after close()`));
    const deadline = new Date(Date.now() + this.callTimeoutMs);
    // The generated client has one overload set per method; this indexes them uniformly.
    const fn = this.client[method] as unknown as (
      r: unknown,
      md: GrpcJs.Metadata,
      o: Partial<GrpcJs.CallOptions>,
      cb: (e: GrpcJs.ServiceError | null, res: R) => void,
    ) => unknown;
    return new Promise<R>((resolve, reject) => {
      fn.call(this.client, req, new grpc.Metadata(), { deadline }, (err, res) => {
        if (err) reject(decodeError(err));
        else resolve(res);
      });
    });
  }
}

/** Turns a gRPC error into the provider's own message, or a {@link ProviderInitError} when one is packed in. */
function decodeError(err: GrpcJs.ServiceError): Error {
  const message = err.details || err.message;
  const bin = err.metadata?.get("grpc-status-details-bin")[0];
  if (bin !== undefined) {
    const bytes = typeof bin === "string" ? Buffer.from(bin, "binary") : bin;
    const status = statuspb.Status.deserializeBinary(new Uint8Array(bytes));
    for (const any of status.getDetailsList()) {
      if (!any.getTypeUrl().endsWith(INIT_FAILED_TYPE)) continue;
      const detail = pb.ErrorResourceInitFailed.deserializeBinary(any.getValue_asU8());
      const { values, secretKeys } = unwrapSecrets(fromStruct(detail.getProperties()));
      return new ProviderInitError(message, detail.getId(), values, detail.getReasonsList(), secretKeys);
    }
  }
  const e = new Error(message);
  Object.assign(e, { code: err.code });
  return e;
}

function diffOf(res: pb.DiffResponse): DiffResult {
  const changes = res.getChanges();
  return {
    changes: changes === pb.DiffResponse.DiffChanges.DIFF_NONE ? "none" : changes === pb.DiffResponse.DiffChanges.DIFF_SOME ? "some" : "unknown",
    replaces: res.getReplacesList(),
    deleteBeforeReplace: res.getDeletebeforereplace(),
    diffs: res.getDiffsList(),
  };
}

function failuresOf(res: { getFailuresList(): pb.CheckFailure[] }): CheckResult["failures"] {
  return res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() }));
}

function isUnimplemented(e: unknown): boolean {
  return (e as { code?: unknown }).code === grpc.status.UNIMPLEMENTED;
}

/** A URN's type (the last of a parent-qualified chain) and name. */
function typeOfUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.slice(qualified.lastIndexOf("$") + 1);
}

function nameOfUrn(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

function toStruct(map: PropertyMap): StructPb.Struct {
  return Struct.fromJavaScript(stripUndefined(map) as Record<string, StructPb.JavaScriptValue>);
}
