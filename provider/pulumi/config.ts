/**
 * The dynamic provider's settings: stack config (`palette:*`, delivered by `configure()`) wins, the
 * `SPECTROCLOUD_*` environment is the fallback, as in Pulumi's own providers and Spectro Cloud's
 * Terraform provider. (The environment used to win; a shell still exporting another tenant's
 * credentials then retargeted a stack.) Since pulumi/pulumi#18740 (CLI 3.153) refresh and destroy
 * configure default providers from the current stack config where compatible; older CLIs use the
 * config recorded at the last `up`. Either way the tenant guard (core/tenant-guard.ts) keeps every
 * key to the tenant it was created in. Pure.
 */
import { resolveFrom, environmentSource, SETTING_ENV, type PartialCredentials, type ProviderSettings, type SettingName } from "../core/settings";

export { DEFAULT_HOST, type ProviderAuth, type ProviderSettings, type SettingName } from "../core/settings";

/** Where each setting comes from: stack config key, then the environment variable it falls back to. */
export const SETTINGS = {
  host: { config: "palette:host", env: SETTING_ENV.host },
  apiKey: { config: "palette:apiKey", env: SETTING_ENV.apiKey },
  projectUid: { config: "palette:projectUid", env: SETTING_ENV.projectUid },
  username: { config: "palette:username", env: SETTING_ENV.username },
  password: { config: "palette:password", env: SETTING_ENV.password },
} as const satisfies Record<SettingName, { config: string; env: string }>;

const SET_API_KEY = "`pulumi config set --secret palette:apiKey <key>` or SPECTROCLOUD_APIKEY";

/** Thrown when neither an API key nor a username/password pair is configured. Names what is missing and how to set it. */
export class MissingCredentialsError extends Error {
  constructor(found: PartialCredentials = { username: false, password: false }, misplaced: readonly MisplacedSetting[] = []) {
    let text: string;
    if (found.username && !found.password) {
      text =
        "No Palette credentials: a username is set but no password: set it with " +
        `\`pulumi config set --secret palette:password <password>\` or SPECTROCLOUD_PASSWORD, or use an API key (${SET_API_KEY}).`;
    } else if (found.password && !found.username) {
      text =
        "No Palette credentials: a password is set but no username: set it with " +
        `\`pulumi config set palette:username <email>\` or SPECTROCLOUD_USERNAME, or use an API key (${SET_API_KEY}).`;
    } else {
      text =
        "No Palette credentials: set an API key with `pulumi config set --secret palette:apiKey <key>` or the " +
        "SPECTROCLOUD_APIKEY environment variable; or a username and password with `pulumi config set " +
        "palette:username <email>` and `pulumi config set --secret palette:password <password>`, or " +
        "SPECTROCLOUD_USERNAME and SPECTROCLOUD_PASSWORD.";
    }
    super([text, ...misplaced.map((m) => `\`${m.key}\` is set: did you mean \`${m.meant}\`?`)].join(" "));
    this.name = "MissingCredentialsError";
  }
}

/** A stack config key that looks like one of ours under the wrong namespace or spelling. */
export interface MisplacedSetting {
  readonly key: string;
  readonly meant: string;
}

/**
 * Settings the stack config holds where the provider does not read them: `pulumi config set apiKey …`
 * files the key under the project (`<project>:apiKey`), and `palette:apikey` differs in case. The
 * provider is asked for keys by name and cannot list them, but the engine starts provider plugins
 * with the stack's whole config as JSON in PULUMI_CONFIG (pulumi/pulumi `NewProvider`,
 * pkg/resource/plugin/provider_plugin.go; the Node SDK reads it back in runtime/config.js, whose
 * `cleanKey` also drops a legacy `:config:` segment). Only key names are used, never values.
 */
export function misplacedSettings(env: Record<string, string | undefined>): MisplacedSetting[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(env.PULUMI_CONFIG ?? "{}");
  } catch {
    return [];
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return [];
  const ours = new Map(Object.values(SETTINGS).map(({ config }) => [config.slice(config.indexOf(":") + 1).toLowerCase(), config]));
  const found: MisplacedSetting[] = [];
  for (const raw of Object.keys(parsed)) {
    const key = raw.replace(/^([^:]+):config:/, "$1:");
    const meant = ours.get(key.slice(key.indexOf(":") + 1).toLowerCase());
    if (key.includes(":") && meant !== undefined && key !== meant) found.push({ key, meant });
  }
  return found;
}

/**
 * Resolves the settings. `config` answers fully qualified keys (`palette:host`); `env` is usually
 * `process.env`. An API key wins over a username/password pair when both are set.
 */
export function resolveSettings(
  config: (key: string) => string | undefined,
  env: Record<string, string | undefined>,
): ProviderSettings {
  return resolveFrom([(name) => config(SETTINGS[name].config), environmentSource(env)], (found) => new MissingCredentialsError(found, misplacedSettings(env)));
}
