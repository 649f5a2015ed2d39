/**
 * The Pulumi package schema of `palette`: what GetSchema answers, what YAML programs are checked
 * against and what `pulumi package add` / `gen-sdk` generate the SDKs of every language from. Its
 * property lists are typed against the dynamic ApiKey's (`ApiKeyArgs`, `ApiKeyOutputs`) and the
 * provider settings (`SETTINGS`), so a property added there and not here fails the type check.
 */
import type { ApiKeyArgs } from "../pulumi/api-key";
import { SETTINGS, type SettingName } from "../pulumi/config";
import type { ApiKeyOutputs } from "../pulumi/outputs";
import { DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH } from "../core/rules";
import { DEFAULT_HOST } from "../core/settings";
import { packageVersion } from "./version";

export const PACKAGE = "palette";
export const API_KEY = "palette:index:ApiKey";
export const GET_USER = "palette:index:getUser";
export const GET_API_KEYS = "palette:index:getApiKeys";

/** A JSON Schema-like Pulumi property (`propertySpec` of the metaschema). */
export interface PropertySpec {
  type?: "string" | "boolean" | "integer" | "number" | "array" | "object";
  $ref?: string;
  items?: PropertySpec;
  description: string;
  secret?: boolean;
  replaceOnChanges?: boolean;
  default?: string | boolean;
  defaultInfo?: { environment: string[] };
}

const str = (description: string, extra: Partial<PropertySpec> = {}): PropertySpec => ({ type: "string", description, ...extra });
const bool = (description: string): PropertySpec => ({ type: "boolean", description });
const ref = (type: string, description: string, extra: Partial<PropertySpec> = {}): PropertySpec => ({ $ref: `#/types/palette:index:${type}`, description, ...extra });

const USER = "a Palette user by `uid` or by `email` (exactly one); only a tenant admin may name another user than itself";

/** The inputs of the dynamic ApiKey, each described. */
const INPUTS: Record<keyof ApiKeyArgs, PropertySpec> = {
  name: str(`The key's name in Palette (at most ${NAME_MAX_LENGTH} characters), unique per owner; renaming is an in-place update. Default: the resource name plus a random suffix.`),
  description: str(`Free text (at most ${DESCRIPTION_MAX_LENGTH} characters), stored as the \`description\` annotation. Default: "".`),
  expiresIn: str('Relative lifetime, `"<n>d"` or `"<n>h"` (e.g. `"30d"`), resolved once to `expiresAt` at create and again only when this value changes. Mutually exclusive with `expiresAt`. Default `"30d"` when neither is set.'),
  expiresAt: str('Absolute expiry: an RFC 3339 instant (`"2027-01-31T12:00:00Z"`) or a day (`"2027-01-31"`, the end of that day, UTC), in the future. Mutually exclusive with `expiresIn`.'),
  active: bool("`false` revokes the key, `true` re-activates it (not possible once expired). Default true."),
  user: ref("ApiKeyUser", `The key's owner: ${USER}. Changing it replaces the key: Palette cannot reassign keys. Default: the caller.`, { replaceOnChanges: true }),
  rotateBefore: str("Rotate before expiry: once now is within this duration (`\"7d\"`) of `expiresAt`, the next update replaces the key create-before-delete. Needs a relative expiry and no explicit `name`."),
  keepPrevious: str("Keep the key a rotation replaced alive this long (`\"1d\"`, at most `rotateBefore`); listed in `previousKeys` until then. Needs `rotateBefore`."),
  adopt: ref("ApiKeyAdopt", "Adopt an existing key (by uid) instead of creating one: its value stays unknown (`keyAvailable` false). Needs `name`. Read at create only."),
  encryptFor: str("An ASCII-armored OpenPGP public key (RSA or ECC) to encrypt the key value to: the state then holds only `encryptedKey` and `key` stays absent. Read at create only: a later change cannot re-encrypt a value nobody holds, so it shows no diff and the preview warns (replace the resource to follow it). A private, expired or revoked key, or one that cannot encrypt, fails the preview."),
};

type Output = Exclude<keyof ApiKeyOutputs, "__autoname" | "__expiry">;

/** The outputs of the dynamic ApiKey (its engine bookkeeping aside), each described. */
const OUTPUTS: Record<Output, PropertySpec> = {
  ...INPUTS,
  encryptedKey: str("With `encryptFor`: the key value as an ASCII-armored OpenPGP message (`gpg --decrypt`); not a secret."),
  key: str("The key value. Secret: Palette shows it once, at creation; absent for an adopted or imported key (see `keyAvailable`).", { secret: true }),
  keyAvailable: bool("True when `key` holds the value (the key was created by this resource); false for an adopted or imported key."),
  uid: str("The key's Palette uid (also the resource id)."),
  userUid: str("The owner's uid."),
  userName: str('The owner\'s "First Last".'),
  userEmail: str("The owner's email, when the credentials may read it."),
  createdAt: str("When the key was created (ISO 8601)."),
  updatedAt: str("When the key was last changed (ISO 8601)."),
  status: str('`"active"`, `"revoked"` or `"expired"`, as of the last create, update or refresh.'),
  host: str("The Palette API the key lives at; with `tenantUid` the tenant guard: refresh, update and delete refuse credentials of another tenant."),
  tenantUid: str("The tenant the key lives in."),
  rotatesAt: str("When the key becomes due for rotation (`expiresAt - rotateBefore`)."),
  previousKeys: { type: "array", items: { $ref: "#/types/palette:index:PreviousApiKey", description: "A kept key." }, description: "Keys rotated out and still kept alive (`keepPrevious`)." },
};

const ALWAYS: readonly Output[] = ["keyAvailable", "uid", "name", "description", "active", "userUid", "userName", "status"];

const CONFIG_DESCRIPTIONS: Record<SettingName, string> = {
  host: `The Palette API host or URL. Default: ${DEFAULT_HOST}.`,
  apiKey: "A Palette API key to authenticate with (or use username and password).",
  projectUid: "The Palette project to work in; default: the tenant scope.",
  username: "A Palette user's email, with password, when no API key is set.",
  password: "That user's password.",
};

const SECRET_SETTINGS: ReadonlySet<SettingName> = new Set(["apiKey", "password"]);

/** The provider's settings, each with its environment fallback; the secret ones marked. */
function configVariables(): Record<SettingName, PropertySpec> {
  const out = {} as Record<SettingName, PropertySpec>;
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    out[name] = str(`${CONFIG_DESCRIPTIONS[name]} Falls back to ${SETTINGS[name].env}.`, {
      defaultInfo: { environment: [SETTINGS[name].env] },
      ...(SECRET_SETTINGS.has(name) ? { secret: true } : {}),
    });
  }
  return out;
}

const object = (description: string, properties: Record<string, PropertySpec>, required: string[] = []) => ({ type: "object" as const, description, properties, ...(required.length > 0 ? { required } : {}) });

const SUMMARY: Record<string, PropertySpec> = {
  uid: str("The key's uid."),
  name: str("The key's name."),
  description: str("The key's description."),
  expiresAt: str("When it expires (ISO 8601), when it does."),
  active: bool("Whether it is active."),
  status: str('`"active"`, `"revoked"` or `"expired"`.'),
  userUid: str("The owner's uid."),
  userName: str('The owner\'s "First Last".'),
  createdAt: str("When it was created."),
  updatedAt: str("When it was last changed."),
};

/** The package schema, versioned as the package. */
export function packageSchema(): Record<string, unknown> {
  const variables = configVariables();
  return {
    name: PACKAGE,
    displayName: "Palette API keys",
    version: packageVersion(),
    description: "Spectro Cloud Palette API keys as code: the ApiKey resource of pulumi-palette-apikeys as a native provider, for every Pulumi language.",
    keywords: ["pulumi", "palette", "spectrocloud", "category/utility", "kind/native"],
    license: "Apache-2.0",
    publisher: "pulumi-palette-apikeys",
    config: { variables },
    provider: {
      description: "The provider type of `palette`: each instance has its own host and credentials (its own tenant).",
      properties: providerProperties(variables),
      inputProperties: providerProperties(variables),
    },
    types: {
      "palette:index:ApiKeyUser": object(`The owner of an API key: ${USER}.`, { uid: str("The user's uid."), email: str("The user's email.") }),
      "palette:index:ApiKeyAdopt": object("The existing key to adopt.", { uid: str("Its uid (Palette console, API Keys; or `palette-apikeys audit --json`).") }, ["uid"]),
      "palette:index:PreviousApiKey": object("A key a rotation replaced, kept until `deleteAfter`.", { uid: str("Its uid."), name: str("Its name."), deleteAfter: str("The first update at or after this instant deletes it.") }, ["uid", "name", "deleteAfter"]),
      "palette:index:ApiKeySummary": object("An API key as Palette lists it (never its value).", SUMMARY, ["uid", "name", "active", "status", "userUid"]),
    },
    resources: {
      [API_KEY]: {
        description: "A Palette API key. The `key` output is a secret; the owner (`user`) cannot change in place.",
        properties: OUTPUTS,
        required: [...ALWAYS],
        inputProperties: INPUTS,
        requiredInputs: [],
      },
    },
    functions: {
      [GET_USER]: {
        description: "A Palette user, found by email (e.g. to name a key's owner by uid).",
        inputs: object("", { email: str("The user's email.") }, ["email"]),
        outputs: object("", { uid: str("The user's uid."), email: str("The user's email."), name: str('The user\'s "First Last".'), active: bool("Whether the user is active.") }, ["uid", "email", "name", "active"]),
      },
      [GET_API_KEYS]: {
        description: "Every API key the credentials may see: all of the tenant's for a tenant admin, one's own for a user, oldest first. Key values are never readable.",
        outputs: object("", { keys: { type: "array", items: { $ref: "#/types/palette:index:ApiKeySummary", description: "A key." }, description: "The keys." } }, ["keys"]),
      },
    },
    language: {
      nodejs: { packageName: "@pulumi-palette-apikeys/palette", packageDescription: "Palette API keys (native provider palette)", dependencies: { "@pulumi/pulumi": "^3.0.0" } },
      python: { packageName: "pulumi_palette", requires: { "pulumi": ">=3.0.0,<4.0.0" } },
      go: { importBasePath: "github.com/pulumi-palette-apikeys/pulumi-palette/sdk/go/palette", generateResourceContainerTypes: true },
      csharp: { rootNamespace: "PulumiPalette", packageReferences: { Pulumi: "3.*" } },
      java: { basePackage: "com.pulumipalette", dependencies: { "com.pulumi:pulumi": "1.0.0" } },
    },
  };
}

/**
 * The provider resource's properties: the variables without their environment hint, which would
 * make generated SDKs read the environment on the program's side and send it as the instance's own
 * setting, ahead of the stack config; the plugin falls back to both itself (config.ts).
 */
function providerProperties(variables: Record<SettingName, PropertySpec>): Record<string, PropertySpec> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, spec]) => {
      const { defaultInfo: _defaultInfo, ...rest } = spec;
      return [name, rest];
    }),
  );
}
