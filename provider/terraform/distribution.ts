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
/**
 * The main script of a single executable (provider/terraform/sea-main.ts), under dist/terraform/; the
 * files of `SEA_ASSETS` are its assets, by these same names.
 */
export const SEA_BOOT_FILE = "sea-boot.js";
export const SEA_ASSETS = [BUNDLE_FILE, SDK_CHUNK_FILE, OPENPGP_FILE] as const;
