/**
 * Palette's refusal of a provider's credentials, remembered for as long as their client lives (one
 * engine run). With a wrong key and N resources, every resource fails the same way: the user needs
 * the explanation once and, for the others, a one-line reference to it. Once Palette refused an API
 * key, or a username/password at login, later calls with the same credentials fail at once without
 * a request: they cannot succeed in this run, and sending them would repeat the same 401 N times.
 *
 * What is never remembered: a refused session token (the SDK logs in again on its own), or anything
 * that is not Palette's 401 (a timeout, a 403). Other credentials get another client, and with it
 * their own memory: a corrected configuration starts clean.
 */
import { isPaletteError, PaletteError } from "../../sdk";

/** What the errors after the first say instead of the explanation. */
export const REJECTED_BEFORE = "Palette rejected the credentials (another error of this run gives the details)";

/** How the provider signs in: the credential the provider was configured with (never a token). */
export type CredentialKind = "apiKey" | "password";

/**
 * Whether `e` says Palette refused the credentials themselves, not a session made from them. An
 * API key is sent as is, so its 401 is final; a password is refused only by the login (a 401 on a
 * request is a token the SDK renews by logging in again, and fails only if that login fails).
 */
export function rejectsCredentials(e: unknown, kind: CredentialKind): e is PaletteError {
  if (!isPaletteError(e) || e.code !== "UNAUTHENTICATED" || e.status !== 401) return false;
  return kind === "apiKey" || e.operation === "auth.login";
}

/** A call not sent because Palette rejected the same credentials earlier in this run. */
export class CredentialsRejectedBefore extends PaletteError {
  constructor(readonly first: PaletteError) {
    super({
      code: "UNAUTHENTICATED",
      message: REJECTED_BEFORE,
      operation: first.operation,
      method: first.method,
      path: first.path,
      attempts: 0,
      mayHaveReachedServer: false,
      cause: first,
    });
  }
}

/** One set of credentials' standing with Palette in this run; one per client (see session.ts). */
export class CredentialRejection {
  private first: PaletteError | undefined;
  private told = false;

  constructor(private readonly kind: CredentialKind) {}

  /**
   * `call`, unless Palette rejected these credentials before: then a `CredentialsRejectedBefore`
   * at once, with nothing sent. A rejection `call` meets is remembered.
   */
  async gate<T>(call: () => Promise<T>): Promise<T> {
    if (this.first !== undefined) throw new CredentialsRejectedBefore(this.first);
    try {
      return await call();
    } catch (e) {
      this.remember(e);
      throw e;
    }
  }

  /**
   * What to tell the user about `e`: `full(e)` for any other failure; for a rejection of these
   * credentials, `full` of the rejection Palette sent the first time it is told, `REJECTED_BEFORE`
   * after. Told means shown: call it only for a message that reaches the user.
   */
  tell(e: unknown, full: (e: unknown) => string): string {
    const rejection = e instanceof CredentialsRejectedBefore ? e.first : this.remember(e);
    if (rejection === undefined) return full(e);
    if (this.told) return REJECTED_BEFORE;
    this.told = true;
    return full(rejection);
  }

  /** `e` when it is a rejection of these credentials (remembered, the first one kept), else undefined. */
  private remember(e: unknown): PaletteError | undefined {
    if (!rejectsCredentials(e, this.kind)) return undefined;
    this.first ??= e;
    return e;
  }
}
