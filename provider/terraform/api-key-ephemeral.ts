/**
 * `ephemeral "palette_api_key"` (Terraform 1.10+): a key made when Terraform opens the resource and
 * deleted when it closes it, for a run that hands a short-lived key to another provider block (a
 * second `palette` provider acting as a bot user, Spectro Cloud's provider). Nothing of it is stored
 * in plan or state: Terraform keeps only the private bytes (uid and location) between open and close.
 * Terraform opens it in plan and again in apply, each time a key of its own, each deleted at close;
 * the short default expiry ("1h") bounds a run that dies before it can close.
 *
 * The same core rules and lifecycle as the managed resource; the SDK is loaded on open, through the
 * lifecycle the provider hands in.
 */
import { DEFAULT_EPHEMERAL_EXPIRES_IN, ephemeralExpiry } from "../core/ephemeral";
import type { KeyLifecycle } from "../core/lifecycle";
import { autoname, exactlyOneOwner, nameProblem, textRules } from "../core/rules";
import type { KeyLocation } from "../core/tenant-guard";
import type { CtyObject, Diagnostic, EphemeralResourceType, Schema } from "../tfplugin6";
import { error, NAME_PREFIX, TERRAFORM_NAMES as N } from "./api-key-state";
import { knownString, stringAt } from "./values";

const RULES = textRules(`set a ${N.name}, or use ${NAME_PREFIX} instead for a generated one`);

export const EPHEMERAL_API_KEY_SCHEMA: Schema = {
  version: 0,
  block: {
    description:
      "A Palette API key for one Terraform run: created when Terraform opens it (in plan, and again in apply), deleted when Terraform closes it. Never stored in plan or state.",
    attributes: [
      { name: "name", type: "string", optional: true, computed: true, description: "The key's name. Conflicts with `name_prefix`; one of them is required." },
      { name: "name_prefix", type: "string", optional: true, description: 'A prefix plus a random suffix per opening ("ci" gives "ci-x3k9a1q"): plan and apply each open their own key.' },
      { name: "description", type: "string", optional: true, description: 'Free text. Default "".' },
      {
        name: "expires_in",
        type: "string",
        optional: true,
        description: `Lifetime in whole hours or days ("2h", "1d"): bounds a run that dies before it closes the key. Default "${DEFAULT_EPHEMERAL_EXPIRES_IN}".`,
      },
      { name: "user_uid", type: "string", optional: true, description: "Owner by uid (tenant admins only for others). Default: the caller." },
      { name: "user_email", type: "string", optional: true, description: "Owner by email. Conflicts with `user_uid`." },
      { name: "id", type: "string", computed: true, description: "The key's Palette uid." },
      { name: "key", type: "string", computed: true, sensitive: true, description: "The key value, for another provider block." },
      { name: "expires_at", type: "string", computed: true, description: "When the key expires (RFC 3339)." },
    ],
  },
};

/** What Terraform keeps between open and close: the key and where it lives (its tenant guard). */
interface Opened {
  uid: string;
  location: KeyLocation;
}

function validate(config: CtyObject): Diagnostic[] {
  const diags: Diagnostic[] = [];
  for (const field of ["name", "description", "expiresIn", "userUid", "userEmail"] as const) {
    const v = stringAt(config, N[field]);
    const reason = typeof v === "string" ? RULES[field](v) : undefined;
    if (reason !== undefined) diags.push(error(`Invalid ${N[field]}`, N[field], `${N[field]} ${reason}`));
  }
  const prefix = stringAt(config, NAME_PREFIX);
  const prefixReason = typeof prefix === "string" ? nameProblem(prefix, `set a prefix such as "ci", or use ${N.name} instead`) : undefined;
  if (prefixReason !== undefined) diags.push(error(`Invalid ${NAME_PREFIX}`, NAME_PREFIX, `${NAME_PREFIX} ${prefixReason}`));
  const name = stringAt(config, N.name);
  if (name !== undefined && prefix !== undefined) diags.push(error("Conflicting name", NAME_PREFIX, `${N.name} and ${NAME_PREFIX} are mutually exclusive: set one of them`));
  if (name === undefined && prefix === undefined) diags.push(error("Missing name", N.name, `set ${N.name}, or ${NAME_PREFIX} for a new random suffix per opening`));
  if (stringAt(config, N.userUid) !== undefined && stringAt(config, N.userEmail) !== undefined) diags.push(error("Conflicting owner", N.userEmail, exactlyOneOwner(N)));
  return diags;
}

function openedOf(priv: Buffer | undefined): Opened | undefined {
  if (priv === undefined || priv.length === 0) return undefined;
  const o = JSON.parse(priv.toString("utf8")) as Partial<Opened>;
  return typeof o.uid === "string" && typeof o.location?.host === "string" && typeof o.location.tenantUid === "string" ? { uid: o.uid, location: o.location } : undefined;
}

export function ephemeralApiKey(lifecycle: (signal: AbortSignal) => KeyLifecycle, clock: () => Date = () => new Date()): EphemeralResourceType {
  return {
    schema: EPHEMERAL_API_KEY_SCHEMA,

    async validate(config) {
      return validate(config);
    },

    async open(config, ctx) {
      const diagnostics = validate(config);
      if (diagnostics.length > 0) return { result: null, diagnostics };
      const expiresIn = knownString(config, N.expiresIn);
      const expiresAt = ephemeralExpiry(expiresIn, clock());
      const email = knownString(config, N.userEmail);
      const uid = knownString(config, N.userUid);
      const made = await lifecycle(ctx.signal).create({
        name: knownString(config, N.name) ?? autoname(knownString(config, NAME_PREFIX) ?? "apikey", Math.random),
        description: knownString(config, N.description) ?? "",
        expiresAt,
        active: true,
        owner: email !== undefined ? { email } : uid !== undefined ? { uid } : undefined,
      });
      const opened: Opened = { uid: made.key.uid, location: made.location };
      return {
        result: {
          ...config,
          id: made.key.uid,
          name: made.key.name,
          key: made.value ?? null,
          expires_at: made.key.expiresAt?.toISOString() ?? expiresAt.toISOString(),
        },
        private: Buffer.from(JSON.stringify(opened)),
      };
    },

    async close(priv) {
      const opened = openedOf(priv);
      if (opened === undefined) return {};
      // Not on the call's signal: a run stopped with Ctrl-C still closes, and its key must still go.
      await lifecycle(new AbortController().signal).delete(opened.uid, opened.location);
      return {};
    },
  };
}
