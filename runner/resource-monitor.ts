/**
 * The engine's side of the program protocol: a gRPC server with `pulumirpc.ResourceMonitor` and
 * `pulumirpc.Engine`, built on the stubs `@pulumi/pulumi/proto` ships, that a Pulumi Node.js program
 * (`cmd/run` in a child, or the Automation API's inline runner in-process) connects to as it would to
 * `pulumi up`'s resource monitor (pkg/resource/deploy/source_eval.go `resmon`).
 *
 * This module only translates: requests become plain {@link Registration}s (secrets unwrapped, their
 * names kept), answers go back in the wire form the runtime expects (secret outputs wrapped in the
 * secret signature). What a registration means is the {@link Deployment}'s business.
 *
 * Features (`SupportsFeature`) are answered for what the deployment implements: `secrets` yes;
 * `aliasSpecs` no, so the runtime computes alias URNs itself and sends `aliasURNs`; `resourceReferences`
 * and `outputValues` no, so inputs arrive as plain values, unknowns as the unknown sentinel;
 * `deletedWith`, `replaceWith`, transforms, parameterization and hooks no. `Invoke` (a provider
 * function) is answered by the deployment, its arguments and return as they are on the wire.
 */
import { createRequire } from "node:module";
import type * as GrpcJs from "@grpc/grpc-js";
import type * as StructPb from "google-protobuf/google/protobuf/struct_pb";
import type * as EmptyPb from "google-protobuf/google/protobuf/empty_pb";
import * as engrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import * as engpb from "@pulumi/pulumi/proto/engine_pb";
import * as resrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import * as respb from "@pulumi/pulumi/proto/resource_pb";
import * as provpb from "@pulumi/pulumi/proto/provider_pb";
import { fromStruct, secretObject, stripUndefined, unwrapSecrets, type PropertyMap } from "./wire-values";

/**
 * The monitor's Invoke answer, as the installed protocol names it: `provider_pb.InvokeResponse` in
 * @pulumi/pulumi 3.216 and 3.248, `resource_pb.ResourceInvokeResponse` (the same fields) in 3.276.
 * grpc-js refuses to serialize an instance of the other class.
 */
type InvokeAnswer = Pick<provpb.InvokeResponse, "setReturn" | "setFailuresList">;
const INVOKE_RESPONSE = (resrpc.ResourceMonitorService as unknown as { invoke: { responseType: new () => InvokeAnswer } }).invoke.responseType;

// The very grpc-js and google-protobuf copies the generated stubs use (see provider-client.ts).
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/proto/resource_pb"));
const grpc = pulumiRequire("@grpc/grpc-js") as typeof GrpcJs;
const { Struct } = pulumiRequire("google-protobuf/google/protobuf/struct_pb") as typeof StructPb;
const { Empty } = pulumiRequire("google-protobuf/google/protobuf/empty_pb") as typeof EmptyPb;

const SUPPORTED_FEATURES = new Set(["secrets"]);

/** A `RegisterResource` request, decoded. */
export interface Registration {
  type: string;
  name: string;
  custom: boolean;
  /** Parent URN ("" for the root stack). */
  parent: string;
  /** Input properties, secrets unwrapped (see `secretInputs`). */
  inputs: PropertyMap;
  /** Top-level input names that arrived secret. */
  secretInputs: string[];
  /** URNs this resource depends on (`dependsOn` and every input's resources). */
  dependencies: string[];
  /** An explicit provider reference (`urn::id`), "" for the default provider. */
  provider: string;
  /** The plugin version the program's SDK asks for ("" when none): it names the default provider. */
  version: string;
  /** undefined when the program did not say. */
  protect: boolean | undefined;
  retainOnDelete: boolean | undefined;
  deleteBeforeReplace: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  additionalSecretOutputs: string[];
  /** The URNs this resource was known as before (the runtime computes them: `aliasSpecs` is off). */
  aliases: string[];
  /** `import` id, "" when none. */
  importId: string;
}

/** A `ReadResource` request (`Resource.get`, `StackReference`), decoded. */
export interface ReadRequest {
  type: string;
  name: string;
  id: string;
  parent: string;
  inputs: PropertyMap;
  secretInputs: string[];
  dependencies: string[];
  additionalSecretOutputs: string[];
  /** An explicit provider reference, "" for the default provider. */
  provider: string;
  version: string;
}

/** An `Invoke` of a provider function. */
export interface Invocation {
  tok: string;
  /** Arguments as the runtime sent them (secrets in wire form). */
  args: PropertyMap;
  /** An explicit provider reference, "" for the default provider. */
  provider: string;
  version: string;
}

/** The engine's answer to a registration or read. */
export interface Answer {
  urn: string;
  /** undefined for components and for resources whose id a preview cannot know. */
  id?: string;
  outputs: PropertyMap;
  /** Top-level output names sent back secret. */
  secretOutputs: string[];
}

export type LogSeverity = "debug" | "info" | "warning" | "error";

/** What the monitor delegates to. */
export interface Deployment {
  registerResource(r: Registration): Promise<Answer>;
  readResource(r: ReadRequest): Promise<Answer>;
  invoke(call: Invocation): Promise<{ result: PropertyMap; failures: { property: string; reason: string }[] }>;
  registerResourceOutputs(urn: string, outputs: PropertyMap, secretOutputs: string[]): void;
  log(severity: LogSeverity, message: string, urn: string): void;
}

/**
 * Thrown by a {@link Deployment} that halts the run: the call is answered `UNAVAILABLE`, as the
 * engine's monitor answers once the deployment is cancelled. The runtime then stops sending RPCs and
 * exits without reporting an error of its own (the engine reports the step that failed).
 */
export class MonitorShuttingDown extends Error {
  override readonly name = "MonitorShuttingDown";
}

/** A running monitor + engine server on a loopback port. */
export class MonitorServer {
  private rootUrn = "";

  private constructor(
    private readonly server: GrpcJs.Server,
    /** `127.0.0.1:<port>`, serving both the resource monitor and the engine. */
    readonly address: string,
  ) {}

  static async start(deployment: Deployment): Promise<MonitorServer> {
    const server = new grpc.Server();
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p)));
    });
    const monitor = new MonitorServer(server, `127.0.0.1:${port}`);
    server.addService(resrpc.ResourceMonitorService, monitor.monitorHandlers(deployment));
    server.addService(engrpc.EngineService, monitor.engineHandlers(deployment));
    return monitor;
  }

  /** Stops accepting calls; calls in flight are cut. */
  close(): Promise<void> {
    this.server.forceShutdown();
    return Promise.resolve();
  }

  private monitorHandlers(d: Deployment): GrpcJs.UntypedServiceImplementation {
    return {
      supportsFeature: unary<respb.SupportsFeatureRequest, respb.SupportsFeatureResponse>((req) => {
        const res = new respb.SupportsFeatureResponse();
        res.setHassupport(SUPPORTED_FEATURES.has(req.getId()));
        return Promise.resolve(res);
      }),
      registerResource: unary<respb.RegisterResourceRequest, respb.RegisterResourceResponse>(async (req) => {
        const { values, secretKeys } = unwrapSecrets(fromStruct(req.getObject()));
        const answer = await d.registerResource({
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          parent: req.getParent(),
          inputs: values,
          secretInputs: secretKeys,
          dependencies: req.getDependenciesList(),
          provider: req.getProvider(),
          version: req.getVersion(),
          protect: req.hasProtect() ? req.getProtect() : undefined,
          retainOnDelete: req.hasRetainondelete() ? req.getRetainondelete() : undefined,
          deleteBeforeReplace: req.getDeletebeforereplace(),
          ignoreChanges: req.getIgnorechangesList(),
          replaceOnChanges: req.getReplaceonchangesList(),
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          aliases: req.getAliasurnsList(),
          importId: req.getImportid(),
        });
        const res = new respb.RegisterResourceResponse();
        res.setUrn(answer.urn);
        if (answer.id !== undefined) res.setId(answer.id);
        res.setObject(toWire(answer.outputs, answer.secretOutputs));
        return res;
      }),
      readResource: unary<respb.ReadResourceRequest, respb.ReadResourceResponse>(async (req) => {
        const { values, secretKeys } = unwrapSecrets(fromStruct(req.getProperties()));
        const answer = await d.readResource({
          type: req.getType(),
          name: req.getName(),
          id: req.getId(),
          parent: req.getParent(),
          inputs: values,
          secretInputs: secretKeys,
          dependencies: req.getDependenciesList(),
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          provider: req.getProvider(),
          version: req.getVersion(),
        });
        const res = new respb.ReadResourceResponse();
        res.setUrn(answer.urn);
        res.setProperties(toWire(answer.outputs, answer.secretOutputs));
        return res;
      }),
      registerResourceOutputs: unary<respb.RegisterResourceOutputsRequest, EmptyPb.Empty>((req) => {
        const { values, secretKeys } = unwrapSecrets(fromStruct(req.getOutputs()));
        d.registerResourceOutputs(req.getUrn(), values, secretKeys);
        return Promise.resolve(new Empty());
      }),
      invoke: unary<respb.ResourceInvokeRequest, InvokeAnswer>(async (req) => {
        const answer = await d.invoke({ tok: req.getTok(), args: fromStruct(req.getArgs()), provider: req.getProvider(), version: req.getVersion() });
        const res = new INVOKE_RESPONSE();
        res.setReturn(Struct.fromJavaScript(stripUndefined(answer.result) as Record<string, StructPb.JavaScriptValue>));
        res.setFailuresList(
          answer.failures.map((f) => {
            const failure = new provpb.CheckFailure();
            failure.setProperty(f.property);
            failure.setReason(f.reason);
            return failure;
          }),
        );
        return res;
      }),
      signalAndWaitForShutdown: unary<EmptyPb.Empty, EmptyPb.Empty>(() => Promise.resolve(new Empty())),
    };
  }

  private engineHandlers(d: Deployment): GrpcJs.UntypedServiceImplementation {
    const severities: Record<number, LogSeverity> = {
      [engpb.LogSeverity.DEBUG]: "debug",
      [engpb.LogSeverity.INFO]: "info",
      [engpb.LogSeverity.WARNING]: "warning",
      [engpb.LogSeverity.ERROR]: "error",
    };
    return {
      log: unary<engpb.LogRequest, EmptyPb.Empty>((req) => {
        d.log(severities[req.getSeverity()] ?? "info", req.getMessage(), req.getUrn());
        return Promise.resolve(new Empty());
      }),
      getRootResource: unary<engpb.GetRootResourceRequest, engpb.GetRootResourceResponse>(() => {
        const res = new engpb.GetRootResourceResponse();
        res.setUrn(this.rootUrn);
        return Promise.resolve(res);
      }),
      setRootResource: unary<engpb.SetRootResourceRequest, engpb.SetRootResourceResponse>((req) => {
        this.rootUrn = req.getUrn();
        return Promise.resolve(new engpb.SetRootResourceResponse());
      }),
    };
  }
}

/** A unary handler from an async function; a rejection becomes a gRPC error carrying its message. */
function unary<Req, Res>(fn: (req: Req) => Promise<Res>): GrpcJs.handleUnaryCall<Req, Res> {
  return (call, callback) => {
    fn(call.request).then(
      (res) => callback(null, res),
      (e: unknown) =>
        callback({ code: e instanceof MonitorShuttingDown ? grpc.status.UNAVAILABLE : grpc.status.UNKNOWN, details: e instanceof Error ? e.message : String(e) }),
    );
  };
}

/** Outputs in wire form: each secret top-level property wrapped in the secret signature. */
function toWire(outputs: PropertyMap, secretOutputs: readonly string[]): StructPb.Struct {
  const wire: PropertyMap = {};
  for (const [k, v] of Object.entries(stripUndefined(outputs))) wire[k] = secretOutputs.includes(k) ? secretObject({ value: v }) : v;
  return Struct.fromJavaScript(wire as Record<string, StructPb.JavaScriptValue>);
}
