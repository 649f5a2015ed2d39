/**
 * A tenant admin manages one CI key per team member from a list kept in stack config.
 *
 *   pulumi config set --path 'team[0]' alice@example.com
 *   pulumi config set --path 'team[1]' bob@example.com
 *
 * Removing somebody from the list deletes their key on the next `pulumi up`; adding somebody creates one;
 * the others are untouched. Owners cannot be changed in Palette, so each key's resource name is derived
 * from the whole e-mail address (two people named alice in different domains get different keys): editing
 * an address is a delete plus a create, which the preview shows as such.
 *
 * A member who already has a key made in the Palette console keeps it: the program adopts it instead of
 * making a second one (its name, description and expiry are then managed here; its value stays with its
 * owner, so `keyAvailable` is false and `values` has no entry for that member):
 *
 *   pulumi config set --path 'adopt["carol@example.com"].uid' 6d3f0c1e9b2a4f7d8c5e1a20
 *   pulumi config set --path 'adopt["carol@example.com"].name' carol-ci
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "pulumi-palette-apikeys";

const config = new pulumi.Config();
const team = (config.getObject<string[]>("team") ?? ["alice@palette.local", "bob@palette.local"]).map((e) => e.trim().toLowerCase());
const expiresIn = config.get("expiresIn") ?? "60d";
const existing = new Map(
  Object.entries(config.getObject<Record<string, { uid: string; name: string }>>("adopt") ?? {}).map(([email, key]) => [email.trim().toLowerCase(), key]),
);

/** "alice@example.com" -> "ci-alice-example-com": a resource name (and autoname prefix) Palette accepts. */
const resourceName = (email: string): string => `ci-${email.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "")}`;

// Caught here with a clear message rather than as a duplicate-URN error from the engine.
const clashes = team.filter((email, i) => team.findIndex((other) => resourceName(other) === resourceName(email)) !== i);
if (clashes.length > 0) throw new Error(`team: ${clashes.join(", ")} repeat(s) an earlier entry (one key per member)`);

const keys = team.map(
  (email) =>
    [
      email,
      new ApiKey(resourceName(email), {
        user: { email },
        description: `CI key of ${email}, managed by the platform team`,
        expiresIn,
        ...(existing.has(email) ? { adopt: { uid: existing.get(email)!.uid }, name: existing.get(email)!.name } : {}),
      }),
    ] as const,
);

/** Who owns which key, and until when, by member: safe to print (no key values). */
export const inventory = Object.fromEntries(
  keys.map(([email, k]) => [
    email,
    pulumi
      .all([k.name, k.userName, k.expiresAt, k.status, k.keyAvailable])
      .apply(([name, owner, expiresAt, status, keyAvailable]) => ({ name, owner, expiresAt, status, keyAvailable })),
  ]),
);
/** The key values by member, for a secrets store: a secret output (`pulumi stack output values --show-secrets`). */
export const values = pulumi.secret(
  pulumi.all(keys.map(([email, k]) => pulumi.all([email, k.key]))).apply((pairs) => Object.fromEntries(pairs.filter(([, value]) => value !== undefined))),
);
