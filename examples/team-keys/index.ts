/**
 * A tenant admin manages one CI key per team member from a list kept in stack config.
 *
 *   pulumi config set --path 'team[0]' alice@example.com
 *   pulumi config set --path 'team[1]' bob@example.com
 *
 * Removing somebody from the list deletes their key on the next `pulumi up`; adding somebody creates one.
 * Owners cannot be changed in Palette, so each key's resource name is derived from the e-mail: editing an
 * address is a delete plus a create, which the preview shows as such.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "pulumi-palette-apikeys";

const config = new pulumi.Config();
const team = config.getObject<string[]>("team") ?? ["alice@palette.local", "bob@palette.local"];
const expiresIn = config.get("expiresIn") ?? "60d";

const keys = team.map(
  (email) =>
    new ApiKey(`ci-${email.split("@")[0]}`, {
      user: { email },
      description: `CI key of ${email}, managed by the platform team`,
      expiresIn,
    }),
);

/** Who owns which key, and until when: safe to print (no key values). */
export const inventory = keys.map((k) =>
  pulumi.all([k.name, k.userName, k.expiresAt, k.status]).apply(([name, owner, expiresAt, status]) => ({
    name,
    owner,
    expiresAt,
    status,
  })),
);
/** The values, for a secrets store; a secret output. */
export const values = pulumi.secret(keys.map((k) => k.key));
