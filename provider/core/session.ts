/**
 * One client per distinct settings, reused across calls of a provider process so its pacing and
 * token cache are shared; a change of settings (e.g. a new environment) gets a new client, and with
 * it a clean slate: what Palette said of the old credentials (see rejected-credentials.ts) is not
 * held against the new ones.
 */
import { isPaletteError, PaletteClient, type PaletteClientOptions, type RequestOptions, type User } from "../../sdk";
import type { LifecycleSession } from "./lifecycle";
import { CredentialRejection } from "./rejected-credentials";
import type { ProviderSettings } from "./settings";
import { locationHost } from "./tenant-guard";

/** No trailing argument at all where there are no options. */
const optional = (options: RequestOptions | undefined): [] | [RequestOptions] => (options === undefined ? [] : [options]);

/** Answers that say the caller may not read that user, or that there is none: worth remembering. */
const FINAL = new Set(["FORBIDDEN", "NOT_FOUND"]);

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

/** `rememberedOnce` per subject (told apart by `keyOf`): each is asked once, until its question fails. */
function rememberedPer<T>(
  ask: (subject: string, options?: RequestOptions) => Promise<T>,
  keyOf: (subject: string) => string = (subject) => subject,
): (subject: string, options?: RequestOptions) => Promise<T> {
  const asked = new Map<string, (options?: RequestOptions) => Promise<T>>();
  return (subject, options) => {
    const key = keyOf(subject);
    let remembered = asked.get(key);
    if (remembered === undefined) asked.set(key, (remembered = rememberedOnce((o?: RequestOptions) => ask(subject, o))));
    return remembered(options);
  };
}

export class ClientCache {
  private cached: { fingerprint: string; session: LifecycleSession } | undefined;

  constructor(private readonly userAgent: string) {}

  /**
   * The client, where its credentials lead (`/v1/users/info`), the users named by email and the
   * owners' emails, each asked once per client: a preview's check, the tenant guard and every create
   * share the answers. A failed question is asked again next time, unless Palette rejected the
   * credentials: then no question is sent again with them (every lifecycle call asks `location`
   * first, so none of its requests is either).
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
      const rejection = new CredentialRejection("apiKey" in settings.auth ? "apiKey" : "password");
      const whereTo = rememberedOnce((options?: RequestOptions) =>
        client.users.me(...optional(options)).then((me) => ({ host: locationHost(settings.host), tenantUid: me.tenantUid })),
      );
      const location = (o?: RequestOptions) => rejection.gate(() => whereTo(o));
      const user = rememberedPer<User>(
        (email, o) => rejection.gate(() => client.users.findByEmail(email, ...optional(o))),
        (email) => email.toLowerCase(),
      );
      const emailOf = rememberedPer((uid, o) =>
        rejection.gate(() => client.users.get(uid, ...optional(o))).then(
          (found) => found.email || undefined,
          (e: unknown) => {
            // A plain user may not read user records: the email is a convenience output, its absence final.
            if (isPaletteError(e) && FINAL.has(e.code)) return undefined;
            throw e;
          },
        ),
      );
      this.cached = { fingerprint, session: { client, location, user, emailOf, rejection } };
    }
    return this.cached.session;
  }
}
