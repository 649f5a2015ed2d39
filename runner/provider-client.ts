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
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import type * as GrpcJs from "@grpc/grpc-js";
import type * as EmptyPb from "google-protobuf/google/protobuf/empty_pb";
import type * as StructPb from "google-protobuf/google/protobuf/struct_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/provider_pb";
import * as statuspb from "@pulumi/pulumi/proto/status_pb";
import { endWithRunner } from "./child-processes";
import { fromStruct, secretObject, stripUndefined, type PropertyMap } from "./wire-values";

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
  ) {
    super(message);
  }
}

/** Result of {@link ProviderClient.check}. */
export interface CheckResult {
  inputs: PropertyMap;
  failures: { property: string; reason: string }[];
}

/** Result of {@link ProviderClient.diff}. */
export interface DiffResult {
  changes: "none" | "some" | "unknown";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/** A running dynamic-provider host plus the gRPC client connected to it, which closes both. */
export class ProviderClient {
  /** Everything the provider process printed so far (for secret scans and failure diagnostics). */
  readonly output: { stdout: string; stderr: string };

  private readonly exited: Promise<void>;
  private closed = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly client: provrpc.ResourceProviderClient,
    private readonly callTimeoutMs: number,
    output: { stdout: string; stderr: string },
    exited: Promise<void>,
  ) {
    this.output = output;
    this.exited = exited;
  }

  /** Spawns the host (`node <@pulumi/pulumi/cmd/dynamic-provider> 127.0.0.1:1`), reads its port and connects. */
  static async start(o: ProviderClientOptions = {}): Promise<ProviderClient> {
    const project = o.project ?? "palette-demo";
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, PULUMI_NODEJS_PROJECT: project, ...o.env })) {
      if (v !== undefined) env[k] = v;
    }
    // The host ignores the engine address except for requiring one; nothing listens on port 1.
    const ownProcessGroup = o.ownProcessGroup === true;
    const child = spawn(process.execPath, [...(o.nodeArgs ?? []), require.resolve("@pulumi/pulumi/cmd/dynamic-provider"), "127.0.0.1:1"], {
      cwd: o.cwd ?? process.cwd(),
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: ownProcessGroup,
    });
    endWithRunner(child, ownProcessGroup);
    const output = { stdout: "", stderr: "" };
    const exited = new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.once("error", () => resolve());
    });
    child.stdout?.setEncoding("utf8");
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      output.stderr += chunk;
    });

    child.stdout?.on("data", (chunk: string) => {
      output.stdout += chunk;
    });
    const port = await new Promise<number>((resolve, reject) => {
      let settled = false;
      const settle = (why: string | undefined, port?: number): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (port !== undefined) return resolve(port);
        child.kill("SIGKILL");
        reject(new Error(`dynamic-provider host did not start: ${why ?? "unknown"}\nstderr:\n${output.stderr}`));
      };
      const timer = setTimeout(() => settle("timed out waiting for its port"), o.startupTimeoutMs ?? 30_000);
      timer.unref();
      child.stdout?.on("data", () => {
        const newline = output.stdout.indexOf("\n");
        if (newline < 0) return;
        const first = output.stdout.slice(0, newline).trim();
        const port = Number(first);
        if (Number.isInteger(port) && port > 0) settle(undefined, port);
        else settle(`unexpected first line ${JSON.stringify(first)}`);
      });
      child.once("error", (e) => settle(e.message));
      child.once("exit", (code, signal) => settle(`exited early (code ${String(code)}, signal ${String(signal)})`));
    });
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new ProviderClient(child, client, o.callTimeoutMs ?? 120_000, output, exited);
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

  /** `Check(olds = previous inputs, news = program inputs)`. */
  async check(urn: string, olds: PropertyMap, news: PropertyMap): Promise<CheckResult> {
    const req = new pb.CheckRequest();
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const res = await this.call<pb.CheckResponse>("check", req);
    return {
      inputs: fromStruct(res.getInputs()),
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /** `Diff(olds = stored outputs, news = checked inputs)`; `oldInputs` is sent but the Node host does not pass it on. */
  async diff(id: string, urn: string, olds: PropertyMap, news: PropertyMap, oldInputs?: PropertyMap): Promise<DiffResult> {
    const req = new pb.DiffRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    if (oldInputs) req.setOldInputs(toStruct(oldInputs));
    const res = await this.call<pb.DiffResponse>("diff", req);
    const changes = res.getChanges();
    return {
      changes:
        changes === pb.DiffResponse.DiffChanges.DIFF_NONE
          ? "none"
          : changes === pb.DiffResponse.DiffChanges.DIFF_SOME
            ? "some"
            : "unknown",
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
    };
  }

  /**
   * `Create(inputs)`. Rejects with {@link ProviderInitError} on a partial failure. Note: the Node host
   * ignores `preview` and creates anyway; the engine never calls it in preview (supportsPreview=false).
   */
  async create(urn: string, inputs: PropertyMap, opts: { preview?: boolean } = {}): Promise<{ id: string; properties: PropertyMap }> {
    const req = new pb.CreateRequest();
    req.setUrn(urn);
    req.setProperties(toStruct(inputs));
    req.setPreview(opts.preview ?? false);
    const res = await this.call<pb.CreateResponse>("create", req);
    return { id: res.getId(), properties: fromStruct(res.getProperties()) };
  }

  /**
   * `Read(id, properties = stored outputs)`. An empty `id` in the result means the resource is gone.
   * When the provider returns no inputs the engine keeps the old ones, so `inputs` echoes the argument.
   */
  async read(
    id: string,
    urn: string,
    properties: PropertyMap,
    inputs?: PropertyMap,
  ): Promise<{ id: string; properties: PropertyMap; inputs: PropertyMap }> {
    const req = new pb.ReadRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(toStruct(properties));
    if (inputs) req.setInputs(toStruct(inputs));
    const res = await this.call<pb.ReadResponse>("read", req);
    return {
      id: res.getId(),
      properties: fromStruct(res.getProperties()),
      inputs: res.hasInputs() ? fromStruct(res.getInputs()) : stripUndefined(inputs ?? {}),
    };
  }

  /** `Update(olds = stored outputs, news = checked inputs)`. Rejects with {@link ProviderInitError} on a partial failure. */
  async update(id: string, urn: string, olds: PropertyMap, news: PropertyMap, oldInputs?: PropertyMap): Promise<{ properties: PropertyMap }> {
    const req = new pb.UpdateRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    if (oldInputs) req.setOldInputs(toStruct(oldInputs));
    const res = await this.call<pb.UpdateResponse>("update", req);
    return { properties: fromStruct(res.getProperties()) };
  }

  /** `Delete(id, properties = stored outputs)`. */
  async delete(id: string, urn: string, properties: PropertyMap): Promise<void> {
    const req = new pb.DeleteRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(toStruct(properties));
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
    return this.child.pid;
  }

  /** Closes the client, kills the host and waits for it to exit. Safe to call twice. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.client.close();
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    }
    await this.exited;
  }

  private call<R>(method: "configure" | "check" | "diff" | "create" | "read" | "update" | "delete" | "cancel", req: unknown): Promise<R> {
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
      return new ProviderInitError(message, detail.getId(), fromStruct(detail.getProperties()), detail.getReasonsList());
    }
  }
  const e = new Error(message);
  Object.assign(e, { code: err.code });
  return e;
}

function toStruct(map: PropertyMap): StructPb.Struct {
  return Struct.fromJavaScript(stripUndefined(map) as Record<string, StructPb.JavaScriptValue>);
}
