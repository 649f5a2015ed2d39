/**
 * The dynamic provider's settings: stack config (`palette:*`, delivered by `configure()`) wins, the
 * `SPECTROCLOUD_*` environment is the fallback, as in Pulumi's own providers and Spectro Cloud's
 * Terraform provider. (The environment used to win; a shell still exporting another tenant's
 * credentials then retargeted a stack.) Since pulumi/pulumi#18740 (CLI 3.153) refresh and destroy
 * configure default providers from the current stack config where compatible; older CLIs use the
 * config recorded at the last `up`. Either way the tenant guard (core/tenant-guard.ts) keeps every
 * key to the tenant it was created in. Pure.
 */
import { resolveFrom, environmentSource, SETTING_ENV, type ProviderSettings, type SettingName } from "../core/settings";

export { DEFAULT_HOST, type ProviderAuth, type ProviderSettings, type SettingName } from "../core/settings";

/** Where each setting comes from: stack config key, then the environment variable it falls back to. */
export const SETTINGS = {
  host: { config: "palette:host", env: SETTING_ENV.host },
  apiKey: { config: "palette:apiKey", env: SETTING_ENV.apiKey },
  projectUid: { config: "palette:projectUid", env: SETTING_ENV.projectUid },
  username: { config: "palette:username", env: SETTING_ENV.username },
  password: { config: "palette:password", env: SETTING_ENV.password },
} as const satisfies Record<SettingName, { config: string; env: string }>;

/** Thrown when neither an API key nor a username/password pair is configured. Names both ways to fix it. */
export class MissingCredentialsError extends Error {
  constructor() {
    super(
      "No Palette credentials: set an API key with `pulumi config set --secret palette:apiKey <key>` or the " +
        "SPECTROCLOUD_APIKEY environment variable; or a username and password with `pulumi config set " +
        "palette:username <email>` and `pulumi config set --secret palette:password <password>`, or " +
        "SPECTROCLOUD_USERNAME and SPECTROCLOUD_PASSWORD.",
    );
    this.name = "MissingCredentialsError";
  }
}

/**
 * Resolves the settings. `config` answers fully qualified keys (`palette:host`); `env` is usually
 * `process.env`. An API key wins over a username/password pair when both are set.
 */
export function resolveSettings(
  config: (key: string) => string | undefined,
  env: Record<string, string | undefined>,
): ProviderSettings {
  return resolveFrom([(name) => config(SETTINGS[name].config), environmentSource(env)], () => new MissingCredentialsError());
}
