/**
 * The native plugin as the Pulumi engine starts it: `node dist/provider/native/main.js <engine>`,
 * the port read from the first line on stdout, then the ResourceProvider service called through
 * @pulumi/pulumi's generated client with google-protobuf Structs. Everything the process writes is
 * kept, so a test can prove no secret reached stdout or stderr.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import type * as GrpcJs from "@grpc/grpc-js";
import type * as EmptyPb from "google-protobuf/google/protobuf/empty_pb";
import type * as StructPb from "google-protobuf/google/protobuf/struct_pb";
import * as engineRpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import * as rpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/provider_pb";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";

const load = createRequire(require.resolve("@pulumi/pulumi/proto/provider_pb"));
export const grpc = load("@grpc/grpc-js") as typeof GrpcJs;
export const { Struct } = load("google-protobuf/google/protobuf/struct_pb") as typeof StructPb;
export const { Empty } = load("google-protobuf/google/protobuf/empty_pb") as typeof EmptyPb;
export { pb };

export const PLUGIN = path.resolve(__dirname, "../../../dist/provider/native/main.js");
export const SIG = "4dabf18193072939515e22adb298388d";
export const secret = (value: unknown): Record<string, unknown> => ({ [SIG]: "1b47061264138c4ac30d75fd1eb44270", value });
export const URN = (name: string): string => `urn:pulumi:dev::native-test::palette:index:ApiKey::${name}`;

type Props = Record<string, unknown>;
export const struct = (props: Props): StructPb.Struct => Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]);

export interface Plugin {
  readonly process: ChildProcess;
  readonly client: rpc.ResourceProviderClient;
  /** The first stdout line, as read (the port) and everything after it. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  call<Req, Res>(method: keyof rpc.IResourceProviderClient, req: Req): Promise<Res>;
  configure(args: Props): Promise<pb.ConfigureResponse>;
  check(name: string, news: Props, olds?: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }>;
  create(name: string, inputs: Props): Promise<{ id: string; outs: Props }>;
  diff(name: string, id: string, olds: Props, news: Props): Promise<pb.DiffResponse>;
  update(name: string, id: string, olds: Props, news: Props): Promise<Props>;
  read(name: string, id: string, props?: Props, inputs?: Props): Promise<pb.ReadResponse>;
  delete(name: string, id: string, props: Props): Promise<void>;
  cancel(): Promise<void>;
  close(): void;
}

/**
 * Starts the plugin as the engine does (argv, environment without SPECTROCLOUD_*), ready for calls;
 * `engineAddress` is where its Log calls go (by default a port nobody serves: they go to stderr).
 */
export async function startPlugin(env: Record<string, string | undefined> = {}, engineAddress = "127.0.0.1:1"): Promise<Plugin> {
  const child = spawn(process.execPath, [PLUGIN, "--logtostderr", "-v=9", engineAddress], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...NO_ENV_CREDENTIALS, PULUMI_CONFIG: "{}", ...env },
  });
  let out = "";
  let err = "";
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("\n")) resolve(out.slice(0, out.indexOf("\n")));
    });
    child.once("exit", (code) => reject(new Error(`the plugin exited (${code}) before printing its port: ${err}`)));
  });
  const client = new rpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  const call = <Req, Res>(method: keyof rpc.IResourceProviderClient, req: Req): Promise<Res> =>
    new Promise((resolve, reject) => {
      const fn = client[method] as unknown as (r: Req, cb: (e: Error | null, res: Res) => void) => void;
      fn.call(client, req, (e, res) => (e ? reject(e) : resolve(res)));
    });
  const plugin: Plugin = {
    process: child,
    client,
    stdout: () => out,
    stderr: () => err,
    call,
    configure: (args) => {
      const req = new pb.ConfigureRequest();
      req.setArgs(struct(args));
      return call("configure", req);
    },
    async check(name, news, olds = {}) {
      const req = new pb.CheckRequest();
      req.setUrn(URN(name));
      req.setName(name);
      req.setType("palette:index:ApiKey");
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call<pb.CheckRequest, pb.CheckResponse>("check", req);
      return { inputs: (res.getInputs()?.toJavaScript() ?? {}) as Props, failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })) };
    },
    async create(name, inputs) {
      const req = new pb.CreateRequest();
      req.setUrn(URN(name));
      req.setProperties(struct(inputs));
      const res = await call<pb.CreateRequest, pb.CreateResponse>("create", req);
      return { id: res.getId(), outs: (res.getProperties()?.toJavaScript() ?? {}) as Props };
    },
    diff(name, id, olds, news) {
      const req = new pb.DiffRequest();
      req.setUrn(URN(name));
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      return call("diff", req);
    },
    async update(name, id, olds, news) {
      const req = new pb.UpdateRequest();
      req.setUrn(URN(name));
      req.setId(id);
      req.setOlds(struct(olds));
      req.setNews(struct(news));
      const res = await call<pb.UpdateRequest, pb.UpdateResponse>("update", req);
      return (res.getProperties()?.toJavaScript() ?? {}) as Props;
    },
    read(name, id, props = {}, inputs = {}) {
      const req = new pb.ReadRequest();
      req.setUrn(URN(name));
      req.setId(id);
      req.setProperties(struct(props));
      req.setInputs(struct(inputs));
      return call("read", req);
    },
    async delete(name, id, props) {
      const req = new pb.DeleteRequest();
      req.setUrn(URN(name));
      req.setId(id);
      req.setProperties(struct(props));
      await call("delete", req);
    },
    async cancel() {
      await call("cancel", new Empty());
    },
    close() {
      client.close();
      child.kill();
    },
  };
  return plugin;
}

/** What a fake engine's Log received. */
export interface LoggedMessage {
  severity: "debug" | "info" | "warning" | "error";
  message: string;
  urn: string;
}

/** A stand-in for the engine's Log service (`pulumirpc.Engine`), recording what plugins send it. */
export async function startFakeEngine(): Promise<{ address: string; logged: LoggedMessage[]; close(): Promise<void> }> {
  const logged: LoggedMessage[] = [];
  const severities = ["debug", "info", "warning", "error"] as const;
  const server = new grpc.Server();
  // Log only: the other Engine RPCs are the language runtime's, which a provider never calls.
  const handlers: GrpcJs.UntypedServiceImplementation = {
    log: (call: GrpcJs.ServerUnaryCall<enginePb.LogRequest, EmptyPb.Empty>, cb: GrpcJs.sendUnaryData<EmptyPb.Empty>) => {
      const req = call.request;
      logged.push({ severity: severities[req.getSeverity()] ?? "error", message: req.getMessage(), urn: req.getUrn() });
      cb(null, new Empty());
    },
  };
  server.addService(engineRpc.EngineService, handlers);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { address: `127.0.0.1:${port}`, logged, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}
