/**
 * One client per distinct settings, reused across calls of a provider process so its pacing and
 * token cache are shared; a change of settings (e.g. a new environment) gets a new client.
 */
import { PaletteClient, type PaletteClientOptions, type RequestOptions, type User } from "../../sdk";
import type { LifecycleSession } from "./lifecycle";
import type { ProviderSettings } from "./settings";
import { locationHost } from "./tenant-guard";

/** No trailing argument at all where there are no options. */
const optional = (options: RequestOptions | undefined): [] | [RequestOptions] => (options === undefined ? [] : [options]);

/** `ask`, answered once and then from memory; a failure is forgotten, so the next call asks again. */
function rememberedOnce<T>(ask: (options?: RequestOptions) => Promise<T>): (options?: RequestOptions) => Promise<T> {
  let answer: Promise<T> | undefined;
  return (options) => {
    answer ??= ask(options).catch((e: unknown) => {
      answer = undefined;
      throw e;
    });
    return answer;
  };
}

export class ClientCache {
  private cached: { fingerprint: string; session: LifecycleSession } | undefined;

  constructor(private readonly userAgent: string) {}

  /**
   * The client, where its credentials lead (`/v1/users/info`) and the users named by email, each
   * asked once per client: a preview's check, the tenant guard and every create share the answers.
   * A failed question is asked again next time.
   */
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
      const location = rememberedOnce((options?: RequestOptions) =>
        client.users.me(...optional(options)).then((me) => ({ host: locationHost(settings.host), tenantUid: me.tenantUid })),
      );
      const users = new Map<string, (options?: RequestOptions) => Promise<User>>();
      const user = (email: string, options?: RequestOptions): Promise<User> => {
        const key = email.toLowerCase();
        let ask = users.get(key);
        if (ask === undefined) users.set(key, (ask = rememberedOnce((o?: RequestOptions) => client.users.findByEmail(email, ...optional(o)))));
        return ask(options);
      };
      this.cached = { fingerprint, session: { client, location, user } };
    }
    return this.cached.session;
  }
}
