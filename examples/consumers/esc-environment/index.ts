/**
 * A secrets store for consumers outside Pulumi: publishes the ci-bot key of the keys stack
 * (examples/quickstart) into a Pulumi ESC environment. CI jobs and people then get it as environment
 * variables, and nobody copies it: `esc run <org>/palette/ci -- <command>`, the pulumi/esc-action
 * step in GitHub Actions, or `pulumi config env add palette/ci` in another stack.
 *
 * The key stays inside Pulumi's secret handling throughout. It arrives as a secret (a secret output
 * read through a StackReference); the environment definition computed from it is a secret in this
 * stack's state (the Environment resource keeps `yaml` secret in any case,
 * pulumi/pulumi-pulumiservice#271); and ESC encrypts the plaintext of an `fn::secret` when it saves an
 * environment, so the stored definition holds only ciphertext. When the keys stack replaces the key,
 * the next `pulumi up` of this stack writes the new value.
 *
 * (An ESC environment can also read the keys stack's output itself, `fn::open::pulumi-stacks`, with no
 * Pulumi program at all. This program is the pattern for any store a Pulumi resource writes: a
 * Kubernetes Secret or a Vault entry is written the same way, with their providers.)
 *
 * Needs `@pulumi/pulumiservice` in the project and a Pulumi Cloud login (ESC lives there):
 *   pulumi config set producerStack <org>/palette-apikeys-quickstart/<stack>
 *   pulumi config set escProject palette && pulumi config set escEnvironment ci   # the defaults
 */
import * as pulumi from "@pulumi/pulumi";
import * as pulumiservice from "@pulumi/pulumiservice";

const config = new pulumi.Config();
const keys = new pulumi.StackReference("keys", { name: config.require("producerStack") });

// requireOutput is typed Output<any>: say what the keys stack exports.
const apiKey = keys.requireOutput("ciBotKey") as pulumi.Output<string>;
const host = config.get("paletteHost") ?? "api.spectrocloud.com";

/** The environment's definition. JSON is YAML, and JSON.stringify quotes every value correctly. */
function definition(key: string): string {
  const values = {
    palette: { host, apiKey: { "fn::secret": key } },
    // ESC interpolation: the variables `esc run` sets, SPECTROCLOUD_APIKEY secret like its source.
    environmentVariables: { SPECTROCLOUD_HOST: "${palette.host}", SPECTROCLOUD_APIKEY: "${palette.apiKey}" },
  };
  return `${JSON.stringify({ values }, null, 2)}\n`;
}

const environment = new pulumiservice.Environment("palette-ci", {
  organization: config.get("escOrganization") ?? pulumi.getOrganization(),
  project: config.get("escProject") ?? "palette",
  name: config.get("escEnvironment") ?? "ci",
  yaml: apiKey.apply((key) => new pulumi.asset.StringAsset(definition(key))),
});

/** What consumers open: `esc run <this> -- <command>`. */
export const escEnvironment = pulumi.interpolate`${environment.organization}/${environment.project}/${environment.name}`;
