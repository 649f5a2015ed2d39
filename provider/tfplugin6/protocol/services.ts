/**
 * The gRPC service definitions served to Terraform, with protobufjs codecs. Built from the message
 * specs on first use (about a millisecond) instead of loading `.proto` files.
 */
import type { MethodDefinition, ServiceDefinition } from "@grpc/grpc-js";
import type { IConversionOptions, Root, Type } from "protobufjs/light";
import { HEALTH, PLUGIN } from "./go-plugin";
import { buildRoot } from "./message-spec";
import { PROVIDER_RPCS, TFPLUGIN6 } from "./tfplugin6";

// Zero values stay absent (as on the wire), int64 become numbers, bytes stay Buffers.
const DECODE: IConversionOptions = { longs: Number, enums: Number, defaults: false };

function method(root: Root, path: string, request: string, response: string, responseStream = false): MethodDefinition<object, object> {
  const encoder = (type: Type) => (message: object) => Buffer.from(type.encode(type.fromObject(message)).finish());
  const decoder = (type: Type) => (bytes: Buffer) => type.toObject(type.decode(bytes), DECODE);
  const req = root.lookupType(request);
  const res = root.lookupType(response);
  return {
    path,
    requestStream: false,
    responseStream,
    requestSerialize: encoder(req),
    requestDeserialize: decoder(req),
    responseSerialize: encoder(res),
    responseDeserialize: decoder(res),
  };
}

export interface PluginServices {
  provider: ServiceDefinition;
  controller: ServiceDefinition;
  stdio: ServiceDefinition;
  health: ServiceDefinition;
}

let built: PluginServices | undefined;

export function pluginServices(): PluginServices {
  if (built !== undefined) return built;
  const root = buildRoot({ tfplugin6: TFPLUGIN6, plugin: PLUGIN, "grpc.health.v1": HEALTH });
  const provider: Record<string, MethodDefinition<object, object>> = {};
  for (const rpc of PROVIDER_RPCS) {
    provider[rpc] = method(root, `/tfplugin6.Provider/${rpc}`, `tfplugin6.${rpc}.Request`, `tfplugin6.${rpc}.Response`);
  }
  built = {
    provider,
    controller: { Shutdown: method(root, "/plugin.GRPCController/Shutdown", "plugin.Empty", "plugin.Empty") },
    // The request is google.protobuf.Empty; plugin.Empty is the same empty message on the wire.
    stdio: { StreamStdio: method(root, "/plugin.GRPCStdio/StreamStdio", "plugin.Empty", "plugin.StdioData", true) },
    health: {
      Check: method(root, "/grpc.health.v1.Health/Check", "grpc.health.v1.HealthCheckRequest", "grpc.health.v1.HealthCheckResponse"),
    },
  };
  return built;
}
