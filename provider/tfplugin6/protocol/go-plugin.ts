/**
 * The services go-plugin itself expects beside the provider's (hashicorp/go-plugin v1.6): Shutdown
 * on the controller, the stdio stream, and gRPC health. Written from the reference's field table.
 */
import type { Message } from "./message-spec";

export const PLUGIN = {
  Empty: {},
  StdioData: { channel: "int32 1", data: "bytes 2" },
} as const;

export const HEALTH = {
  HealthCheckRequest: { service: "string 1" },
  HealthCheckResponse: { status: "int32 1" },
} as const;

export type HealthCheckResponse = Message<typeof HEALTH, "HealthCheckResponse">;
export const SERVING = 1;
