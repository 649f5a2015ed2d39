/**
 * A consumer of the rotating key (../index.ts): it reads the CURRENT key through a StackReference on
 * every `up`, never a copy, so after a rotation its next `up` hands the new value on. The previous
 * key stays valid for `keepPrevious` (2 days in the example): run this stack's `up` within that
 * window after the keys stack's (the nightly pipeline runs them one after the other).
 *
 *   pulumi config set keysStack <org>/palette-apikeys-rotation/<stack>
 */
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const keys = new pulumi.StackReference("keys", { name: config.require("keysStack") });

// A secret in the keys stack, so a secret here, and in everything computed from it.
const deployerKey = keys.requireOutput("deployerKey") as pulumi.Output<string>;
const host = config.get("paletteHost") ?? "api.spectrocloud.com";

/** What a deployment job would be given; hand it to a CI secret, a Kubernetes Secret, an ESC environment. */
export const paletteEnvironment = pulumi.interpolate`SPECTROCLOUD_HOST=${host}\nSPECTROCLOUD_APIKEY=${deployerKey}\n`;
export const keyName = keys.requireOutput("deployerKeyName") as pulumi.Output<string>;
export const keyRotatesAt = keys.requireOutput("deployerRotatesAt") as pulumi.Output<string>;
