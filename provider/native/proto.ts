/**
 * The generated ResourceProvider (and Engine) stubs of `@pulumi/pulumi/proto` and the very copies of grpc-js and
 * google-protobuf they use (they are @pulumi/pulumi's dependencies, not ours): a Struct or a
 * service definition from another copy would be another class. `@pulumi/pulumi` is an optional peer
 * of this package; without it the plugin says which package to install (see ../pulumi/peer.ts).
 */
import { createRequire } from "node:module";
import type * as GrpcJs from "@grpc/grpc-js";
import type * as AnyPb from "google-protobuf/google/protobuf/any_pb";
import type * as EmptyPb from "google-protobuf/google/protobuf/empty_pb";
import type * as StructPb from "google-protobuf/google/protobuf/struct_pb";
import type * as EngineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as EnginePb from "@pulumi/pulumi/proto/engine_pb";
import type * as PluginPb from "@pulumi/pulumi/proto/plugin_pb";
import type * as ProviderGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as ProviderPb from "@pulumi/pulumi/proto/provider_pb";
import type * as StatusPb from "@pulumi/pulumi/proto/status_pb";
import { requirePulumiPeer } from "../pulumi/peer";

export interface PulumiProto {
  grpc: typeof GrpcJs;
  Struct: typeof StructPb.Struct;
  Empty: typeof EmptyPb.Empty;
  Any: typeof AnyPb.Any;
  pb: typeof ProviderPb;
  plugin: typeof PluginPb;
  status: typeof StatusPb;
  service: typeof ProviderGrpc.ResourceProviderService;
  /** The engine's own service, which a plugin calls back (its Log). */
  engine: { pb: typeof EnginePb; Client: typeof EngineGrpc.EngineClient };
}

let loaded: PulumiProto | undefined;

/** Loads the stubs once, on first use. */
export function pulumiProto(): PulumiProto {
  if (loaded !== undefined) return loaded;
  requirePulumiPeer();
  const load = createRequire(require.resolve("@pulumi/pulumi/proto/provider_pb"));
  loaded = {
    grpc: load("@grpc/grpc-js") as typeof GrpcJs,
    Struct: (load("google-protobuf/google/protobuf/struct_pb") as typeof StructPb).Struct,
    Empty: (load("google-protobuf/google/protobuf/empty_pb") as typeof EmptyPb).Empty,
    Any: (load("google-protobuf/google/protobuf/any_pb") as typeof AnyPb).Any,
    pb: load("./provider_pb") as typeof ProviderPb,
    plugin: load("./plugin_pb") as typeof PluginPb,
    status: load("./status_pb") as typeof StatusPb,
    service: (load("./provider_grpc_pb") as typeof ProviderGrpc).ResourceProviderService,
    engine: { pb: load("./engine_pb") as typeof EnginePb, Client: (load("./engine_grpc_pb") as typeof EngineGrpc).EngineClient },
  };
  return loaded;
}
