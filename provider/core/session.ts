/**
 * One client per distinct settings, reused across calls of a provider process so its pacing and
 * token cache are shared; a change of settings (e.g. a new environment) gets a new client.
 */
import { PaletteClient, type PaletteClientOptions } from "../../sdk";
import type { LifecycleSession } from "./lifecycle";
import type { ProviderSettings } from "./settings";
import { locationHost, type KeyLocation } from "./tenant-guard";

export class ClientCache {
  private cached: { fingerprint: string; session: LifecycleSession } | undefined;

  constructor(private readonly userAgent: string) {}

  clientFor(settings: ProviderSettings): PaletteClient {
    return this.sessionFor(settings).client;
  }

  /** The client, and where its credentials lead: `/v1/users/info` asked once per client, retried after a failure. */
  sessionFor(settings: ProviderSettings): LifecycleSession {
    const fingerprint = JSON.stringify(settings);
    if (this.cached?.fingerprint !== fingerprint) {
      const options: PaletteClientOptions = {
        host: settings.host,
        auth: settings.auth,
        userAgent: this.userAgent,
        ...(settings.projectUid !== undefined ? { projectUid: settings.projectUid } : {}),
      };
      const client = new PaletteClient(options);
      let asked: Promise<KeyLocation> | undefined;
      const location = (): Promise<KeyLocation> => {
        asked ??= client.users.me().then(
          (me) => ({ host: locationHost(settings.host), tenantUid: me.tenantUid }),
          (e: unknown) => {
            asked = undefined;
            throw e;
          },
        );
        return asked;
      };
      this.cached = { fingerprint, session: { client, location } };
    }
    return this.cached.session;
  }
}
