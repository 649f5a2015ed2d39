/**
 * Provider settings (host, credentials, project) as both engines resolve them: each engine names
 * its own sources (stack config or a provider block, and the `SPECTROCLOUD_*` environment) in the
 * order it honours them, and its own words for how to fix missing credentials. Pure.
 */

/** The default Palette SaaS endpoint, as in the Spectro Cloud Terraform provider. */
export const DEFAULT_HOST = "api.spectrocloud.com";

/** The environment variables every engine falls back to: the Spectro Cloud Terraform provider's names. */
export const SETTING_ENV = {
  host: "SPECTROCLOUD_HOST",
  apiKey: "SPECTROCLOUD_APIKEY",
  projectUid: "SPECTROCLOUD_PROJECT_UID",
  username: "SPECTROCLOUD_USERNAME",
  password: "SPECTROCLOUD_PASSWORD",
} as const;

export type SettingName = keyof typeof SETTING_ENV;

/** One source of settings; undefined where it has none. */
export type SettingSource = (name: SettingName) => string | undefined;

export type ProviderAuth = { apiKey: string } | { username: string; password: string };

export interface ProviderSettings {
  host: string;
  auth: ProviderAuth;
  projectUid?: string;
}

const present = (v: string | undefined): string | undefined => (v !== undefined && v.trim() !== "" ? v.trim() : undefined);

export const environmentSource =
  (env: Record<string, string | undefined>): SettingSource =>
  (name) =>
    env[SETTING_ENV[name]];

/** Which half of a username/password pair was found, when no credentials could be made. */
export interface PartialCredentials {
  readonly username: boolean;
  readonly password: boolean;
}

/**
 * Resolves the settings from `sources`, the first that has a value winning. Credentials go by the
 * source that has the first of them: an API key wins over a username/password pair given by the same
 * source, but never over one given by a source before it (stack config or a provider block with a
 * username and password is not overridden by an SPECTROCLOUD_APIKEY a shell still exports, which may
 * be another tenant's). The two halves of a pair may come from different sources (a username in the
 * config, the password from the environment). `missing` makes the engine's error for no credentials.
 */
export function resolveFrom(sources: readonly SettingSource[], missing: (found: PartialCredentials) => Error): ProviderSettings {
  /** The first source's value of `name`, and that source's place (Infinity when none has one). */
  const found = (name: SettingName): { at: number; value?: string } => {
    for (const [at, source] of sources.entries()) {
      const value = present(source(name));
      if (value !== undefined) return { at, value };
    }
    return { at: Infinity };
  };
  const key = found("apiKey");
  const { at: usernameAt, value: username } = found("username");
  const { at: passwordAt, value: password } = found("password");
  const apiKey = key.at <= Math.min(usernameAt, passwordAt) ? key.value : undefined;
  let auth: ProviderAuth;
  if (apiKey !== undefined) auth = { apiKey };
  else if (username !== undefined && password !== undefined) auth = { username, password };
  else throw missing({ username: username !== undefined, password: password !== undefined });
  const settings: ProviderSettings = { host: found("host").value ?? DEFAULT_HOST, auth };
  const projectUid = found("projectUid").value;
  if (projectUid !== undefined) settings.projectUid = projectUid;
  return settings;
}
