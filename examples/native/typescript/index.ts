/**
 * The native provider `palette` from TypeScript: the same program as the Python, Go, C# and YAML
 * examples beside it (README.md there has the commands).
 *
 * - `ci`: a key for the caller, through the default provider (the stack's `palette:` config).
 * - `tenant-b`: an explicit provider with its own host and key; `ci-b` is made in that tenant.
 * - `getUser`: a user found by email.
 *
 * Both key values are secrets: `pulumi stack output` masks them unless `--show-secrets` is passed.
 */
import * as pulumi from "@pulumi/pulumi";
import * as palette from "pulumi-palette-apikeys/native";

const config = new pulumi.Config();

const ci = new palette.ApiKey("ci", { description: "CI pipeline", expiresIn: "90d" });

const tenantB = new palette.Provider("tenant-b", {
  host: config.require("tenantBHost"),
  apiKey: config.requireSecret("tenantBApiKey"),
});
const ciB = new palette.ApiKey("ci-b", { description: "CI pipeline of tenant B", expiresIn: "90d" }, { provider: tenantB });

const alice = palette.getUser({ email: config.require("aliceEmail") });

export const ciKey = ci.key; // a secret
export const ciKeyName = ci.name;
export const ciBKey = ciB.key; // a secret
export const ciBTenant = ciB.tenantUid;
export const aliceUid = alice.then((u) => u.uid);
