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
  /** Each email's user, or the failure to find it: asked once, for the owner check and the uid alike. */
  private readonly lookups = new Map<string, Promise<{ uid: string } | { failed: unknown }>>();

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
  async owner(email: string): Promise<PreflightFailure | undefined> {
    const outcome = await this.lookup(email);
    if ("uid" in outcome) return undefined;
    const e = outcome.failed;
    return isPaletteError(e) && e.code === "NOT_FOUND" ? { field: "userEmail", reason: `no Palette user has the email ${email}: ${messageOf(e)}` } : undefined;
  }

  /**
   * The uid of the user with `email`, or why it cannot be known (a plain user may not look users
   * up): a plan compares it with the owner uid a key records when it records no email.
   */
  async ownerUid(email: string): Promise<OwnerUid> {
    const outcome = await this.lookup(email);
    // Told per caller: a rejection of the credentials in full to the first only.
    return "uid" in outcome ? outcome : { unresolved: this.session.rejection.tell(outcome.failed, messageOf) };
  }

  /** The user with `email` (emails compare without case), looked up once per preflight, failure included. */
  private lookup(email: string): Promise<{ uid: string } | { failed: unknown }> {
    const key = email.toLowerCase();
    let found = this.lookups.get(key);
    if (found === undefined) {
      found = this.session.user(email, PREFLIGHT).then(
        (user) => ({ uid: user.uid }),
        (e: unknown) => ({ failed: e }),
      );
      this.lookups.set(key, found);
    }
    return found;
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
