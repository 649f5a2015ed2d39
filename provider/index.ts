/**
 * pulumi-palette-apikeys' Pulumi entry: the `ApiKey` resource (a dynamic provider). Terraform and
 * OpenTofu reach the same key through `palette-apikeys terraform-mirror`; the SDK and the emulator
 * have their own entries (`pulumi-palette-apikeys/sdk`, `/emulator`).
 */
import { requirePulumiPeer } from "./pulumi/peer";

// Before ./pulumi/api-key loads @pulumi/pulumi: a missing optional peer is named with its install command.
requirePulumiPeer();

export { ApiKey } from "./pulumi/api-key";
export type { ApiKeyArgs, ApiKeyUserArgs, PreviousApiKey, ReadOnlyApiKey } from "./pulumi/api-key";
export type { ApiKeyOutputs } from "./pulumi/outputs";
