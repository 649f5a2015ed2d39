/**
 * A consumer stack: takes the key the keys stack (examples/quickstart) exports, through a
 * StackReference, without it ever leaving Pulumi's secret handling.
 *
 * `ciBotKey` is a secret output of the keys stack, so it is a secret here too (the engine tells the
 * program which outputs of the other stack are secret), and so is everything computed from it with
 * `apply` or `interpolate`: encrypted in this stack's state, masked in previews and logs. Hand it to
 * any resource input (a Kubernetes Secret's `stringData`, a CI system's secret variable, the
 * credentials of a provider) and that resource's state keeps it encrypted as well; the secrets store
 * pattern is in ../esc-environment.
 *
 * The keys stack's output names are the contract between the two stacks: `requireOutput` fails the
 * preview, naming the output, when the keys stack stops exporting it.
 *
 *   pulumi config set producerStack <org>/palette-apikeys-quickstart/<stack>
 */
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const keys = new pulumi.StackReference("keys", { name: config.require("producerStack") });

// requireOutput is typed Output<any>: say what the keys stack exports.
const apiKey = keys.requireOutput("ciBotKey") as pulumi.Output<string>;
const host = config.get("paletteHost") ?? "api.spectrocloud.com";

/**
 * What a deployment job of this stack would be given: the variables that Palette's tools and this
 * package's provider read. Computed from a secret, so a secret; exported here to show just that.
 */
export const paletteEnvironment = pulumi.interpolate`SPECTROCLOUD_HOST=${host}\nSPECTROCLOUD_APIKEY=${apiKey}\n`;
export const keyName = keys.requireOutput("ciBotKeyName") as pulumi.Output<string>;
export const keyExpiresAt = keys.requireOutput("ciBotExpiresAt") as pulumi.Output<string>;
