/** How the Terraform provider is addressed and shipped (ARCHITECTURE.md, "The engines' paths"). */

/** `terraform.local/palette-apikeys/palette`: any host works for a provider installed from a mirror. */
export const PROVIDER_ADDRESS = { host: "terraform.local", namespace: "palette-apikeys", type: "palette" } as const;

export const PROVIDER_SOURCE = `${PROVIDER_ADDRESS.host}/${PROVIDER_ADDRESS.namespace}/${PROVIDER_ADDRESS.type}`;

/** The bundle `npm run build` writes under dist/terraform/, and the boot script the launcher runs it with. */
export const BUNDLE_FILE = "terraform-provider-palette.js";
export const BOOT_FILE = "boot.js";

/** OpenPGP (encrypt_for), beside the bundle, which requires it by this name when a key is encrypted (scripts/bundle-terraform.mjs). */
export const OPENPGP_FILE = "palette-openpgp.cjs";
/**
 * The SDK's chunk beside the bundle, which requires it as `./palette-sdk.cjs` when a call first needs
 * Palette (scripts/bundle-terraform.mjs): shipped under this same name.
 */
export const SDK_CHUNK_FILE = "palette-sdk.cjs";
/** The provider with the SDK and OpenPGP inside, under dist/terraform/: a single executable's require() reaches only built-ins. */
export const SINGLE_FILE_BUNDLE = "single/terraform-provider-palette.js";
