/**
 * pulumi-palette-apikeys: manage Spectro Cloud Palette API keys with Pulumi.
 * The SDK and the emulator have their own entries (`pulumi-palette-apikeys/sdk`, `/emulator`).
 */
export { ApiKey } from "./pulumi/api-key";
export type { ApiKeyArgs, ApiKeyUserArgs, PreviousApiKey, ReadOnlyApiKey } from "./pulumi/api-key";
export type { ApiKeyOutputs } from "./pulumi/outputs";
