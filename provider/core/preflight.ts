/**
 * What a preview can check against Palette without changing anything: that the configured
 * credentials work, and that an owner named by email exists. Read-only calls with a short timeout,
 * each made at most once per provider process (the engine calls check for every resource, twice
 * per `up`), so a pull request's preview fails on a wrong key or a mistyped email instead of the
 * apply after merge.
 */
import { isPaletteError } from "../../sdk";
import { messageOf } from "./explain";
import type { LifecycleSession } from "./lifecycle";
import type { Field } from "./rules";

/** Read-only calls of a preview must answer fast or not at all: a preview is not worth minutes. */
const PREFLIGHT = { timeoutMs: 5_000, deadlineMs: 8_000 } as const;

/** What failed, on which setting or field; `setting` names a credential or host problem. */
export type PreflightFailure = { setting: "credentials" | "host"; reason: string } | { field: Field; reason: string };


export class Preflight {
  /** The credentials check's outcome: undefined when they work, else the failure. */
  private verified: Promise<unknown> | undefined;
  private readonly owners = new Map<string, Promise<PreflightFailure | undefined>>();
  /** Each email's user, or the failure to find it. */
  private readonly uids = new Map<string, Promise<{ uid: string } | { failed: unknown }>>();

  /** The session's answers are shared with the tenant guard and the creates that follow. */
  constructor(private readonly session: LifecycleSession) {}

  /**
   * Undefined when the credentials work; otherwise why not, on the setting to fix. Every resource's
   * check asks: a rejection is explained in full to the first, by reference to the others.
   */
  async credentials(): Promise<PreflightFailure | undefined> {
    this.verified ??= this.session.location(PREFLIGHT).then(
      () => undefined,
      (e: unknown) => e,
    );
    const e = await this.verified;
    if (e === undefined) return undefined;
    if (isPaletteError(e) && (e.code === "UNAUTHENTICATED" || e.code === "FORBIDDEN")) {
      const reason = this.session.rejection.tell(e, (told) => `Palette rejected the configured credentials: ${messageOf(told)}`);
      return { setting: "credentials", reason };
    }
    return { setting: "host", reason: `Palette could not be reached with the configured host: ${messageOf(e)}` };
  }

  /**
   * Undefined when a user with `email` exists, or when the caller may not look users up (a plain
   * user can only make keys for themself, which the create will say); otherwise why not.
   */
  owner(email: string): Promise<PreflightFailure | undefined> {
    const key = email.toLowerCase();
    let found = this.owners.get(key);
    if (found === undefined) {
      found = this.session.user(email, PREFLIGHT).then(
        () => undefined,
        (e: unknown): PreflightFailure | undefined =>
          isPaletteError(e) && e.code === "NOT_FOUND" ? { field: "userEmail", reason: `no Palette user has the email ${email}: ${messageOf(e)}` } : undefined,
      );
      this.owners.set(key, found);
    }
    return found;
  }

  /**
   * The uid of the user with `email`, or why it cannot be known (a plain user may not look users
   * up): a plan compares it with the owner uid a key records when it records no email.
   */
  async ownerUid(email: string): Promise<OwnerUid> {
    const key = email.toLowerCase();
    let found = this.uids.get(key);
    if (found === undefined) {
      found = this.session.user(email, PREFLIGHT).then(
        (user) => ({ uid: user.uid }),
        (e: unknown) => ({ failed: e }),
      );
      this.uids.set(key, found);
    }
    const outcome = await found;
    // Told per caller: a rejection of the credentials in full to the first only.
    return "uid" in outcome ? outcome : { unresolved: this.session.rejection.tell(outcome.failed, messageOf) };
  }
}

/** A user's uid, or why it could not be looked up. */
export type OwnerUid = { uid: string } | { unresolved: string };

const preflights = new WeakMap<LifecycleSession, Preflight>();

/** The session's preflight: its verdicts are remembered for as long as the session (its client) lives. */
export function preflightFor(session: LifecycleSession): Preflight {
  let preflight = preflights.get(session);
  if (preflight === undefined) preflights.set(session, (preflight = new Preflight(session)));
  return preflight;
}
