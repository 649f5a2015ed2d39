/**
 * The `ApiKey` resource: a Palette API key managed by Pulumi.
 *
 * Pulumi serializes the provider object below into every resource's state (`__provider`). It is
 * kept tiny on purpose: its methods only `require()` the implementation module inside the provider
 * process, so no credential, client or schema is ever captured, the text is identical across
 * versions of this package, and refresh/destroy run the installed code rather than a frozen copy.
 */
import * as pulumi from "@pulumi/pulumi";
import { recipientChangeWarning } from "./recipient-change";
import type * as Impl from "./impl";
import type { ApiKeyOutputs } from "./outputs";

/**
 * Loads the implementation module in the provider process. Inside a user's project the package
 * resolves by name. Inside this repository it does not (require-from-string has no package scope,
 * so Node's self-reference by name fails): then walk up from the working directory to this
 * package's own package.json and load its build output. No path is baked into the state.
 */
function load(): typeof Impl {
  const entry = "pulumi-palette-apikeys/provider/impl";
  try {
    return require(entry);
  } catch (e) {
    const missing = (e as { code?: unknown }).code === "MODULE_NOT_FOUND" && String((e as Error).message).includes(`'${entry}'`);
    if (!missing) throw e;
    const path = require("node:path") as typeof import("node:path");
    const fs = require("node:fs") as typeof import("node:fs");
    for (let dir = process.cwd(), up = ""; dir !== up; up = dir, dir = path.dirname(dir)) {
      const manifest = path.join(dir, "package.json");
      if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "pulumi-palette-apikeys") {
        return require(path.join(dir, "dist", "provider", "impl.js"));
      }
    }
    throw new Error(
      `Cannot load ${entry} from ${process.cwd()}: add pulumi-palette-apikeys to the Pulumi project's dependencies ` +
        "(npm install pulumi-palette-apikeys), or, in a checkout of it, run `npm run build` first.",
    );
  }
}

/** The serialized provider: a module-level singleton, so Pulumi serializes it once per program. */
const provider: pulumi.dynamic.ResourceProvider = {
  configure: (req) => load().configure(req),
  check: (olds, news) => load().check(olds, news),
  diff: (id, olds, news) => load().diff(id, olds, news),
  create: (inputs) => load().create(inputs),
  read: (id, props) => load().read(id, props),
  update: (id, olds, news) => load().update(id, olds, news),
  delete: (id, props) => load().delete(id, props),
};

let previewNoted = false;

/**
 * With credentials configured, a preview's check verifies them and the owners' emails against
 * Palette (see impl.ts). Without any, the provider can only check the inputs, and says so once per
 * program: a green preview must not read as "Palette agreed".
 */
function notePreviewWithoutCredentials(): void {
  if (previewNoted || !pulumi.runtime.isDryRun()) return;
  const configured = (config: string, env: string): boolean =>
    (pulumi.runtime.getConfig(config) ?? "").trim() !== "" || (process.env[env] ?? "").trim() !== "";
  if (configured("palette:apiKey", "SPECTROCLOUD_APIKEY") || configured("palette:username", "SPECTROCLOUD_USERNAME")) return;
  previewNoted = true;
  void pulumi.log.info(
    "palette: no credentials are configured, so this preview checked the ApiKey inputs only and nothing against Palette " +
      "(set palette:apiKey, or SPECTROCLOUD_APIKEY, to have previews verify the credentials and every owner's email).",
  );
}

/**
 * encryptFor is read at create (the dynamic-provider protocol has no warnings, so the program says
 * it): when the recorded recipient differs from the program's, the key keeps its value as it was
 * recorded. A key this run creates (or replaces) records the program's, so nothing is said then.
 */
function warnOnRecipientChange(key: ApiKey, wanted: pulumi.Input<string> | undefined): void {
  pulumi.all([key.encryptFor, key.keyAvailable, wanted]).apply(([recorded, plain, program]) => {
    const message = recipientChangeWarning(recorded, plain, program);
    if (message !== undefined) void pulumi.log.warn(message, key);
  });
}

/** The owner of a key: a Palette user by uid or by email (exactly one). Tenant admins only for others. */
export type ApiKeyUserArgs = { uid: pulumi.Input<string>; email?: never } | { email: pulumi.Input<string>; uid?: never };

/** Inputs of an {@link ApiKey}. Every property may be a Pulumi output of another resource. */
export interface ApiKeyArgs {
  /**
   * The key's name in Palette, unique per owner. Renaming is an in-place update.
   * @default the resource name plus a random suffix, e.g. "ci-key-x3k9a1q"
   */
  name?: pulumi.Input<string> | undefined;
  /** Free text, stored as the `description` annotation. @default "" */
  description?: pulumi.Input<string> | undefined;
  /**
   * Relative lifetime: `"7d"`, `"30d"`, `"60d"`, `"90d"` or any `"<n>d"` / `"<n>h"`. Resolved once to an
   * absolute `expiresAt` when created and again only when this value changes: time passing never makes
   * a diff. Mutually exclusive with `expiresAt`.
   * @default "30d" when neither expiresIn nor expiresAt is set
   */
  expiresIn?: pulumi.Input<string> | undefined;
  /**
   * Absolute expiry: an RFC 3339 instant (`"2027-01-31T12:00:00Z"`) or a day (`"2027-01-31"`, meaning the
   * end of that day, UTC). Must lie in the future. Mutually exclusive with `expiresIn`.
   */
  expiresAt?: pulumi.Input<string> | undefined;
  /** `false` revokes the key, `true` re-activates it (not possible once expired). @default true */
  active?: pulumi.Input<boolean> | undefined;
  /** The owner. Changing it replaces the key: Palette cannot reassign keys. @default the caller */
  user?: pulumi.Input<ApiKeyUserArgs> | undefined;
  /**
   * Rotate before expiry: once now is within this duration (`"7d"`, `"12h"`) of `expiresAt`, the next
   * `up` replaces the key create-before-delete, the new key with a fresh autoname and a fresh
   * `expiresIn`. Needs a relative expiry (`expiresIn`, or the default) and no explicit `name`; must be
   * shorter than `expiresIn`. Outside the window time passing never makes a diff: run `up` on a schedule.
   */
  rotateBefore?: pulumi.Input<string> | undefined;
  /**
   * Keep the key a rotation replaced alive for this long (`"1d"`, at most `rotateBefore`), so consumers
   * can switch to the new value. The new key's state lists it in `previousKeys`; the first `up` after
   * the grace period deletes it, and so does `destroy`. Needs `rotateBefore`.
   */
  keepPrevious?: pulumi.Input<string> | undefined;
  /**
   * Adopt an existing key instead of creating one (pulumi import cannot work for dynamic resources).
   * The create verifies that the key exists where the credentials lead, belongs to `user` (default:
   * the caller) and has not expired, then applies `name` (required with adopt), `description`,
   * the expiry and `active` in place. Its value stays unknown: `key` is undefined and `keyAvailable`
   * false. Read at create only: changing or removing it later changes nothing. Removing the resource
   * deletes the key unless the `retainOnDelete` resource option is set.
   */
  adopt?: pulumi.Input<{ uid: pulumi.Input<string> }> | undefined;
  /**
   * An ASCII-armored OpenPGP public key (RSA or ECC; `gpg --armor --export <id>`). The create encrypts
   * the key value to it: the stack records only `encryptedKey`, and `key` stays undefined. A private
   * key, an expired or revoked key, a key that cannot encrypt, or text that is no key fails `preview`.
   * Read at create only: a later change or removal is no diff (nobody holds the value to encrypt it
   * again) and `up` warns; replace the key to follow it (`pulumi up --replace <urn>`). Not with `adopt`.
   */
  encryptFor?: pulumi.Input<string> | undefined;
}

/** A key a rotation replaced and that is kept until `deleteAfter` (see `keepPrevious`). */
export interface PreviousApiKey {
  uid: string;
  name: string;
  /** ISO 8601 instant; the first `up` at or after it deletes the key. */
  deleteAfter: string;
}

/** Output-only names, passed as undefined so the SDK exposes them (pulumi/pulumi#5174). */
const OUTPUT_NAMES = [
  "key",
  "keyAvailable",
  "uid",
  "name",
  "description",
  "expiresIn",
  "expiresAt",
  "active",
  "user",
  "userUid",
  "userName",
  "userEmail",
  "createdAt",
  "updatedAt",
  "status",
  "host",
  "tenantUid",
  "rotateBefore",
  "keepPrevious",
  "rotatesAt",
  "previousKeys",
  "encryptedKey",
  "encryptFor",
] as const satisfies readonly (keyof ApiKeyOutputs)[];

/**
 * A Palette API key.
 *
 * Credentials come from stack config (`palette:apiKey` or `palette:username`/`palette:password`, plus
 * `palette:host` and `palette:projectUid`) or from the environment (`SPECTROCLOUD_APIKEY`,
 * `SPECTROCLOUD_USERNAME`/`SPECTROCLOUD_PASSWORD`, `SPECTROCLOUD_HOST`, `SPECTROCLOUD_PROJECT_UID`), the fallback.
 *
 * @example
 * const ci = new ApiKey("ci", { description: "CI pipeline", expiresIn: "90d" });
 * export const ciKey = ci.key; // a secret
 */
export class ApiKey extends pulumi.dynamic.Resource {
  /**
   * The key value. Secret; Palette shows it only once, at creation, and the stack carries it from
   * then on. (Not known for a key read with {@link ApiKey.get}, whose type says so, nor for an adopted
   * key: see `keyAvailable`.)
   */
  declare readonly key: pulumi.Output<string>;
  /** True when `key` holds the value (the key was created by this resource); false for an adopted key. */
  declare readonly keyAvailable: pulumi.Output<boolean>;
  /** The key's Palette uid (also the resource id). */
  declare readonly uid: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly description: pulumi.Output<string>;
  /** Echo of the `expiresIn` input; absent when the program used `expiresAt`. */
  declare readonly expiresIn: pulumi.Output<string | undefined>;
  /** When the key expires (ISO 8601, UTC). */
  declare readonly expiresAt: pulumi.Output<string>;
  declare readonly active: pulumi.Output<boolean>;
  /** Echo of the `user` input; absent when the key belongs to the caller. */
  declare readonly user: pulumi.Output<{ uid?: string; email?: string } | undefined>;
  declare readonly userUid: pulumi.Output<string>;
  /** The owner's "First Last". */
  declare readonly userName: pulumi.Output<string>;
  /** The owner's email, when the caller may read it. */
  declare readonly userEmail: pulumi.Output<string | undefined>;
  declare readonly createdAt: pulumi.Output<string>;
  declare readonly updatedAt: pulumi.Output<string>;
  /** `"active"`, `"revoked"` or `"expired"`, as of the last create, update or refresh. */
  declare readonly status: pulumi.Output<"active" | "revoked" | "expired">;
  /** The Palette API the key lives at. With `tenantUid`, the tenant guard: refresh, update and delete refuse other credentials. */
  declare readonly host: pulumi.Output<string>;
  /** The tenant the key lives in. */
  declare readonly tenantUid: pulumi.Output<string>;
  /** Echo of the `rotateBefore` input. */
  declare readonly rotateBefore: pulumi.Output<string | undefined>;
  /** Echo of the `keepPrevious` input. */
  declare readonly keepPrevious: pulumi.Output<string | undefined>;
  /** When the key becomes due for rotation (`expiresAt - rotateBefore`, ISO 8601); absent without `rotateBefore`. */
  declare readonly rotatesAt: pulumi.Output<string | undefined>;
  /** Keys rotated out and still kept alive (`keepPrevious`); absent when there are none. */
  declare readonly previousKeys: pulumi.Output<PreviousApiKey[] | undefined>;
  /** With `encryptFor`: the key value as an ASCII-armored OpenPGP message (`gpg --decrypt`); not a secret. */
  declare readonly encryptedKey: pulumi.Output<string | undefined>;
  /** The public key `encryptedKey` is encrypted to: `encryptFor` as it was when the key was created. */
  declare readonly encryptFor: pulumi.Output<string | undefined>;

  constructor(name: string, args: ApiKeyArgs = {}, opts?: pulumi.CustomResourceOptions) {
    notePreviewWithoutCredentials();
    const props: Record<string, unknown> = Object.fromEntries(OUTPUT_NAMES.map((k) => [k, undefined]));
    Object.assign(props, args, { __logicalName: name });
    super(
      provider,
      name,
      props,
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["key"] }),
      "palette",
      "ApiKey",
    );
    if (opts?.id === undefined) warnOnRecipientChange(this, args.encryptFor);
  }

  /**
   * Reads an existing key by uid, read-only: Pulumi never changes or deletes it. Its `key` is always
   * `undefined`, hence the narrower type: Palette returns a key's value once, to whoever created it,
   * so no later read can know it. Every other output is read from Palette.
   */
  static get(name: string, uid: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions): ReadOnlyApiKey {
    // The same class at run time; only the declared type of `key` differs (the class's is right for created keys).
    return new ApiKey(name, {}, { ...opts, id: uid }) as unknown as ReadOnlyApiKey;
  }
}

/**
 * What {@link ApiKey.get} returns: an existing key read by uid. Everything an {@link ApiKey} has, but
 * `key`, which is never known.
 */
export type ReadOnlyApiKey = Omit<ApiKey, "key"> & {
  /** Always `undefined`: Palette returns a key's value only in the response to its creation. */
  readonly key: pulumi.Output<undefined>;
};
