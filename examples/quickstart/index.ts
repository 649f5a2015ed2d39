/**
 * Quickstart: the program the root Pulumi.yaml runs (and `npm run demo` walks through).
 *
 * - `ci-bot`: a key for the caller (whoever the provider's credentials belong to).
 * - `alice-ci`: a key that a tenant admin creates for another user of the tenant, found by e-mail.
 *
 * Both key values are Pulumi secrets: `pulumi stack output` masks them unless `--show-secrets` is passed.
 */
import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "pulumi-palette-apikeys";

const config = new pulumi.Config();

const ciBot = new ApiKey("ci-bot", {
  description: "Used by the CI pipeline to deploy cluster profiles",
  expiresIn: config.get("ciBotExpiresIn") ?? "30d",
});

const aliceCi = new ApiKey("alice-ci", {
  description: "Alice's automation key, managed by the platform team",
  expiresIn: "90d",
  user: { email: config.get("aliceEmail") ?? "alice@palette.local" },
});

export const ciBotKeyName = ciBot.name;
export const ciBotExpiresAt = ciBot.expiresAt;
export const ciBotStatus = ciBot.status;
export const ciBotKey = ciBot.key; // a secret
export const aliceKeyName = aliceCi.name;
export const aliceKeyOwner = aliceCi.userName;
export const aliceKeyStatus = aliceCi.status;
export const aliceKey = aliceCi.key; // a secret
