/**
 * Provider configuration: stack config (`palette:*`, delivered by `configure()`) overridden by the
 * `SPECTROCLOUD_*` environment variables, which are always current, also in destroy and refresh
 * (the engine configures those from the config snapshot of the last `up`). Pure.
 */

/** The default Palette SaaS endpoint, as in the Spectro Cloud Terraform provider. */
export const DEFAULT_HOST = "api.spectrocloud.com";

/** Where each setting comes from: stack config key, then the environment variable that overrides it. */
export const SETTINGS = {
  host: { config: "palette:host", env: "SPECTROCLOUD_HOST" },
  apiKey: { config: "palette:apiKey", env: "SPECTROCLOUD_APIKEY" },
  projectUid: { config: "palette:projectUid", env: "SPECTROCLOUD_PROJECT_UID" },
  username: { config: "palette:username", env: "SPECTROCLOUD_USERNAME" },
  password: { config: "palette:password", env: "SPECTROCLOUD_PASSWORD" },
} as const;

export type SettingName = keyof typeof SETTINGS;

export type ProviderAuth = { apiKey: string } | { username: string; password: string };

export interface ProviderSettings {
  host: string;
  auth: ProviderAuth;
  projectUid?: string;
}

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

const present = (v: string | undefined): string | undefined => (v !== undefined && v.trim() !== "" ? v.trim() : undefined);

/**
 * Resolves the settings. `config` answers fully qualified keys (`palette:host`); `env` is usually
 * `process.env`. An API key wins over a username/password pair when both are set.
 */
export function resolveSettings(
  config: (key: string) => string | undefined,
  env: Record<string, string | undefined>,
): ProviderSettings {
  const get = (name: SettingName): string | undefined =>
    present(env[SETTINGS[name].env]) ?? present(config(SETTINGS[name].config));
  const apiKey = get("apiKey");
  const username = get("username");
  const password = get("password");
  let auth: ProviderAuth;
  if (apiKey !== undefined) auth = { apiKey };
  else if (username !== undefined && password !== undefined) auth = { username, password };
  else throw new MissingCredentialsError();
  const settings: ProviderSettings = { host: get("host") ?? DEFAULT_HOST, auth };
  const projectUid = get("projectUid");
  if (projectUid !== undefined) settings.projectUid = projectUid;
  return settings;
}
