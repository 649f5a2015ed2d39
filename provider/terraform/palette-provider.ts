/**
 * The `palette` Terraform provider: its configuration block and the resource and data sources it
 * serves, all on provider/core. Configuration is read in `configure`; the client is built on the
 * first call that needs Palette, so `validate` and plans of new keys need no credentials.
 */
import type { EngineHints } from "../core/explain";
import type { KeyLifecycle } from "../core/lifecycle";
import type { Preflight } from "../core/preflight";
import type { ClientCache } from "../core/session";
import { environmentSource, resolveFrom, type SettingName, type SettingSource } from "../core/settings";
import { ephemeralApiKey } from "./api-key-ephemeral";
import { apiKeyResource } from "./api-key-resource";
import { TERRAFORM_NAMES } from "./api-key-state";
import { clockFrom } from "../core/clock";
import { apiKeysDataSource, userDataSource, type PaletteCall } from "./data-sources";
import type { CtyObject, Diagnostic, ProviderDefinition, Schema } from "../tfplugin6";
import { stringAt } from "./values";

/** The provider block's attribute for each setting; each falls back to the same SPECTROCLOUD_* variable. */
export const BLOCK_ATTRIBUTES: Readonly<Record<SettingName, string>> = {
  host: "host",
  apiKey: "api_key",
  username: "username",
  password: "password",
  projectUid: "project_uid",
};

const PROVIDER_SCHEMA: Schema = {
  version: 0,
  block: {
    description: "Spectro Cloud Palette API keys.",
    attributes: [
      { name: "host", type: "string", optional: true, description: "Palette API host: a bare host name (https implied) or a full URL. Falls back to SPECTROCLOUD_HOST, then api.spectrocloud.com." },
      { name: "api_key", type: "string", optional: true, sensitive: true, description: "A Palette API key. Falls back to SPECTROCLOUD_APIKEY. Wins over username/password." },
      { name: "username", type: "string", optional: true, description: "Email of a Palette user, for token login with `password`. Falls back to SPECTROCLOUD_USERNAME." },
      { name: "password", type: "string", optional: true, sensitive: true, description: "Password of `username`. Falls back to SPECTROCLOUD_PASSWORD." },
      { name: "project_uid", type: "string", optional: true, description: "Palette project scope. Falls back to SPECTROCLOUD_PROJECT_UID." },
    ],
  },
};

/** The core's advice in Terraform's words. */
export const TERRAFORM_HINTS: EngineHints = {
  recorded: "Terraform saved the key in state; the next `terraform apply` finishes the change (a key left half-made by a create is tainted and replaced).",
  vanished: "run `terraform apply -refresh-only` to drop it from state, or `terraform apply` to create a new one",
  wrongTenant:
    'Point the provider back at the key\'s tenant (host and api_key in the provider "palette" block, which win over ' +
    "SPECTROCLOUD_HOST and SPECTROCLOUD_APIKEY), or, if the key was moved or deleted on purpose, drop it from state " +
    "with `terraform state rm <address>`.",
  keyNotAtHost:
    'Point the provider back at the recorded host (`host` in the provider "palette" block, or SPECTROCLOUD_HOST) to manage ' +
    "the key there. If it was deleted there, `terraform apply -refresh-only` against that host drops it from state; only if " +
    "that host no longer answers and the Palette console shows the key gone, drop it with `terraform state rm <address>`.",
  host: 'The provider takes Palette\'s host from `host` in the provider "palette" block or SPECTROCLOUD_HOST.',
  credentials:
    'The provider takes its credentials from `api_key` (or `username` and `password`) in the provider "palette" block, ' +
    "or SPECTROCLOUD_APIKEY (or SPECTROCLOUD_USERNAME and SPECTROCLOUD_PASSWORD).",
  orphaned:
    "Terraform did not record that key in state, so `terraform destroy` will not remove it: if it is there, delete it in the Palette console (API Keys).",
  nameTaken:
    "To manage that key with Terraform instead, import it: `terraform import <address> <its uid>`, or an `import { to = <address>  id = \"<its uid>\" }` block " +
    "(the uid is on the Palette console's API Keys page, and in `npx palette-apikeys audit --json`).",
};

export class MissingTerraformCredentials extends Error {
  constructor() {
    super(
      'No Palette credentials: set api_key (or username and password) in the provider "palette" block, ' +
        "or the SPECTROCLOUD_APIKEY (or SPECTROCLOUD_USERNAME and SPECTROCLOUD_PASSWORD) environment variable.",
    );
    this.name = "MissingTerraformCredentials";
  }
}

function blockSource(config: CtyObject): SettingSource {
  return (name) => {
    const v = stringAt(config, BLOCK_ATTRIBUTES[name]);
    return typeof v === "string" ? v : undefined;
  };
}

/** A username without its password (or the reverse) is a mistake worth naming before any call. */
function pairProblems(config: CtyObject, env: Record<string, string | undefined>): Diagnostic[] {
  const has = (name: SettingName): boolean => stringAt(config, BLOCK_ATTRIBUTES[name]) !== undefined || environmentSource(env)(name) !== undefined;
  if (has("apiKey")) return [];
  if (has("username") && !has("password")) {
    return [{ severity: "error", summary: "password is missing", detail: "username is set but password is not: set password (or SPECTROCLOUD_PASSWORD), or use api_key.", attribute: ["password"] }];
  }
  if (has("password") && !has("username")) {
    return [{ severity: "error", summary: "username is missing", detail: "password is set but username is not: set username (or SPECTROCLOUD_USERNAME), or use api_key.", attribute: ["username"] }];
  }
  return [];
}

/**
 * The HTTP client and the lifecycle, loaded by the first call that needs Palette: Terraform starts
 * 2-5 provider processes per command, and those that only serve schemas, validation and plans
 * never pay for loading them.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- lazy loads, for the reason above */
const lifecycleModule = (): typeof import("../core/lifecycle") => require("../core/lifecycle");
const sessionModule = (): typeof import("../core/session") => require("../core/session");
const preflightModule = (): typeof import("../core/preflight") => require("../core/preflight");
const explainModule = (): typeof import("../core/explain") => require("../core/explain");
const sdkModule = (): typeof import("../../sdk") => require("../../sdk");
/* eslint-enable @typescript-eslint/no-require-imports */

export function createPaletteProvider(env: Record<string, string | undefined> = process.env): ProviderDefinition {
  let sources: SettingSource[] = [environmentSource(env)];
  let clientsMade: ClientCache | undefined;
  const clients = (): ClientCache => (clientsMade ??= new (sessionModule().ClientCache)("pulumi-palette-apikeys-terraform"));
  // Explicit configuration wins; the environment is the fallback (the Spectro Cloud provider's convention).
  const session = () => clients().sessionFor(resolveFrom(sources, () => new MissingTerraformCredentials()));
  /**
   * A data source's call, on the resources' session: not sent once Palette rejected the
   * credentials, and its failure explained as a resource's is (a rejection in full once per run).
   */
  const palette: PaletteCall = async (call) => {
    const s = session();
    try {
      return await s.rejection.gate(() => call(s.client));
    } catch (e) {
      // The SDK fails with PaletteErrors only; anything else is passed on as it is.
      if (!sdkModule().isPaletteError(e)) throw e;
      throw new Error(s.rejection.tell(e, (told) => explainModule().explain(told, TERRAFORM_HINTS)), { cause: e });
    }
  };
  const lifecycle = (signal: AbortSignal): KeyLifecycle => new (lifecycleModule().KeyLifecycle)(session(), TERRAFORM_NAMES, TERRAFORM_HINTS, signal);
  /** Only where credentials are configured: a plan without them checks the configuration alone. */
  const preflight = (): Preflight | undefined => {
    let s;
    try {
      s = session();
    } catch (e) {
      if (e instanceof MissingTerraformCredentials) return undefined;
      throw e;
    }
    return preflightModule().preflightFor(s);
  };
  let clockMade: (() => Date) | undefined;
  /** Real time unless PALETTE_APIKEYS_NOW moves it (core/clock.ts); read on first use. */
  const clock = (): Date => (clockMade ??= clockFrom(env))();
  return {
    providerSchema: PROVIDER_SCHEMA,
    resources: { palette_api_key: apiKeyResource(lifecycle, clock, preflight) },
    dataSources: { palette_user: userDataSource(palette), palette_api_keys: apiKeysDataSource(palette, clock) },
    ephemeralResources: { palette_api_key: ephemeralApiKey(lifecycle, clock) },
    async validateConfig(config) {
      return pairProblems(config, env);
    },
    async configure(config) {
      sources = [blockSource(config), environmentSource(env)];
      return pairProblems(config, env);
    },
  };
}
