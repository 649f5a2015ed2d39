/**
 * The configuration of ONE provider instance. The engine starts a plugin process per provider
 * instance (the default provider, and each `new palette.Provider(...)`) and hands it its settings
 * in Configure: `args` (property names: `host`, `apiKey`, ...; secrets wrapped) or, from older
 * engines, `variables` (`palette:host`, ...). Those win; then the stack's `palette:` config in
 * PULUMI_CONFIG (what the dynamic provider reads, so one stack configuration serves both); then the
 * `SPECTROCLOUD_*` environment (resolved by ../pulumi/config.ts). Credentials come as a group: an
 * instance given a username and password is not handed the stack's API key, which would win over them.
 */
import { SETTINGS, type SettingName } from "../pulumi/config";
import { revealed, type Props } from "./wire";

/** The provider configuration variables, in the schema's (and `args`') names. */
export const CONFIG_NAMES = Object.keys(SETTINGS) as SettingName[];
const CREDENTIALS: readonly SettingName[] = ["apiKey", "username", "password"];

/** `palette:host` and `palette:config:host` (an older engine's spelling) are both `host`. */
function settingOf(key: string): SettingName | undefined {
  const m = /^palette:(?:config:)?([A-Za-z]+)$/.exec(key);
  const name = m?.[1];
  return name !== undefined && (CONFIG_NAMES as string[]).includes(name) ? (name as SettingName) : undefined;
}

type Settings = Partial<Record<SettingName, string>>;

const text = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);

/** The settings an instance was given: `args` (property names), else `variables` (config keys). */
export function instanceSettings(args: Props, variables: ReadonlyMap<string, string>): Settings {
  const out: Settings = {};
  const plain = revealed(args).values;
  for (const name of CONFIG_NAMES) {
    const v = text(plain[name]);
    if (v !== undefined) out[name] = v;
  }
  if (Object.keys(out).length > 0) return out;
  for (const [key, value] of variables) {
    const name = settingOf(key);
    if (name !== undefined && text(value) !== undefined) out[name] = value;
  }
  return out;
}

/** The stack's `palette:` settings in PULUMI_CONFIG (JSON the engine passes every plugin). */
export function stackSettings(env: Record<string, string | undefined>): Settings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(env.PULUMI_CONFIG ?? "{}");
  } catch {
    return {};
  }
  if (typeof parsed !== "object" || parsed === null) return {};
  const out: Settings = {};
  for (const [key, value] of Object.entries(parsed as Props)) {
    const name = settingOf(key);
    const v = text(value);
    if (name !== undefined && v !== undefined) out[name] = v;
  }
  return out;
}

/**
 * The lookup the Pulumi operations ask (`palette:host`, ...): the instance's settings, then the
 * stack's; the environment comes after both (../pulumi/config.ts).
 */
export function configLookup(instance: Settings, stack: Settings): (key: string) => string | undefined {
  const ownCredentials = CREDENTIALS.some((n) => instance[n] !== undefined);
  return (key) => {
    const name = settingOf(key);
    if (name === undefined) return undefined;
    if (instance[name] !== undefined) return instance[name];
    if (ownCredentials && CREDENTIALS.includes(name)) return undefined;
    return stack[name];
  };
}
