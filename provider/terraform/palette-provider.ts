/**
 * The Palette provider for Terraform: its provider block. Resources and data sources arrive with
 * the `palette_api_key` work; until then the provider validates and configures nothing.
 */
import type { AttributeSchema, ProviderDefinition } from "./framework";

const setting = (name: string, env: string, what: string, sensitive = false): AttributeSchema => ({
  name,
  type: "string",
  optional: true,
  ...(sensitive ? { sensitive: true } : {}),
  description: `${what} Falls back to the ${env} environment variable.`,
});

export function createPaletteProvider(): ProviderDefinition {
  return {
    providerSchema: {
      version: 0,
      block: {
        description: "Spectro Cloud Palette API keys.",
        attributes: [
          setting("host", "SPECTROCLOUD_HOST", "Palette host name (https implied) or URL; default api.spectrocloud.com."),
          setting("api_key", "SPECTROCLOUD_APIKEY", "Palette API key.", true),
          setting("username", "SPECTROCLOUD_USERNAME", "Palette user name (email), with password, instead of an API key."),
          setting("password", "SPECTROCLOUD_PASSWORD", "Password for username.", true),
          setting("project_uid", "SPECTROCLOUD_PROJECT_UID", "Palette project uid; tenant scope when unset."),
        ],
      },
    },
    resources: {},
    dataSources: {},
    validateConfig: async () => [],
    configure: async () => [],
  };
}
