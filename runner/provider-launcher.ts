/**
 * How a run starts its provider processes, as the engine's plugin host does (pkg/host `Provider`,
 * plugin `NewProvider`): the dynamic-provider host (configured at once with the whole stack config,
 * as the engine gives dynamic providers every key), and a package's plugin found by
 * `plugin-lookup.ts`, started with the engine's address as its argument, `PULUMI_PROJECT` and
 * `PULUMI_CONFIG` (the package's config keys, unqualified, as JSON) in its environment, then asked
 * `GetPluginInfo` as the host asks every plugin it loads.
 */
import { findProviderPlugin } from "./plugin-lookup";
import { mergedEnv, PluginProcess } from "./plugin-process";
import { ProviderClient, type SecretValue } from "./provider-client";
import type { ProviderLauncher } from "./provider-registry";

export interface LaunchOptions {
  projectDir: string;
  project: string;
  stack: string;
  /** Stack config, keys qualified (`palette:host`). */
  config: Record<string, string | SecretValue>;
  env: Record<string, string | undefined>;
  /** The engine service's address, which a plugin gets as its argument. */
  engineAddress: string;
  ownProcessGroup: boolean;
}

export function providerLauncher(o: LaunchOptions): ProviderLauncher {
  return {
    dynamic: async () => {
      const host = await ProviderClient.start({ cwd: o.projectDir, env: o.env, project: o.project, stack: o.stack, ownProcessGroup: o.ownProcessGroup });
      return configured(host, () => host.configure(o.config));
    },
    plugin: async (pkg) => {
      const env = mergedEnv(o.env, { PULUMI_PROJECT: o.project, PULUMI_CONFIG: JSON.stringify(packageConfig(o.config, pkg)) });
      const found = findProviderPlugin(pkg, o.projectDir, env.PATH);
      const plugin = await PluginProcess.start({
        command: found.path,
        args: [o.engineAddress],
        label: `pulumi-resource-${pkg} (${found.path}, found through ${found.source})`,
        cwd: o.projectDir,
        env,
        ownProcessGroup: o.ownProcessGroup,
      });
      const client = ProviderClient.connect(plugin);
      return configured(client, () => client.pluginVersion());
    },
  };
}

/** The package's keys of the stack config, without the package prefix, values plain (`PULUMI_CONFIG`). */
export function packageConfig(config: Record<string, string | SecretValue>, pkg: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(config)) if (k.startsWith(`${pkg}:`)) out[k.slice(pkg.length + 1)] = typeof v === "string" ? v : v.secret;
  return out;
}

/** `client` once `first` succeeded; closed when it failed. */
async function configured(client: ProviderClient, first: () => Promise<unknown>): Promise<ProviderClient> {
  try {
    await first();
    return client;
  } catch (e) {
    await client.close();
    throw e;
  }
}
