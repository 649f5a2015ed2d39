/**
 * Create, read, update and delete of one key on the SDK, with the guarantees both engines rely on:
 * a key that exists in Palette is either returned or reported with everything the engine needs to
 * record it (never orphaned), a half-applied update never leaves a key usable that the program
 * wants revoked, a key deleted out of band reads as gone, and delete is idempotent. "Gone" only at
 * the recorded host: at another host of the key's tenant a missing key is refused (see tenant-guard.ts).
 */
import { isPaletteError, type ApiKey, type PaletteClient, type RequestOptions, type User } from "../../sdk";
import { encryptTo } from "./encryption";
import { explain, type EngineHints } from "./explain";
import type { CredentialRejection } from "./rejected-credentials";
import type { FieldNames } from "./rules";
import { hostChangeNote, KeyNotAtHostError, sameTenant, WrongTenantError, type KeyLocation } from "./tenant-guard";

export { messageOf } from "./explain";

/** What one lifecycle works with: a client, and where its credentials lead (asked at most once per client). */
export interface LifecycleSession {
  readonly client: PaletteClient;
  readonly location: (options?: RequestOptions) => Promise<KeyLocation>;
  /** The user with this email (case-insensitive), looked up once per session. */
  readonly user: (email: string, options?: RequestOptions) => Promise<User>;
  /** The email of the user with this uid, looked up once per session; undefined when the caller may not read it. */
  readonly emailOf: (uid: string, options?: RequestOptions) => Promise<string | undefined>;
  /** Whether Palette rejected these credentials: the questions above are not sent again, the explanation is told once. */
  readonly rejection: CredentialRejection;
}

/** A key to create, after the rules ran: every value known, the expiry an instant. */
export interface CreateSpec {
  name: string;
  description: string;
  expiresAt: Date;
  active: boolean;
  /** Absent: the caller. */
  owner?: { uid: string } | { email: string } | undefined;
  /** An armored OpenPGP public key: the value is encrypted to it and never returned in plain text. */
  encryptFor?: string | undefined;
}

export interface Created {
  key: ApiKey;
  /** The key value: Palette shows it only in the create response. Absent with `encryptFor`. */
  value?: string;
  /** With `encryptFor`: the value as an armored OpenPGP message, the only form the engine records. */
  encryptedValue?: string;
  /** The owner's email, when it was looked up or the caller may read it. */
  ownerEmail?: string;
  /** Where the key was made: the engine records it for the tenant guard. */
  location: KeyLocation;
}

/** The edits an update sends; absent fields are left alone. */
export interface KeyEdits {
  name?: string;
  description?: string;
  expiresAt?: Date;
}

/** How an update goes beyond its edits. */
export interface UpdateOptions {
  /**
   * When no call is needed, read the key (one GET) and return it: the engine's view may be older than
   * Palette's (Terraform's saved plan), and a key revoked or re-activated out of band since must not
   * be recorded as the plan says.
   */
  readBack?: boolean;
}

export interface UpdateOutcome {
  /**
   * Palette's view after the edits, or as read when nothing was sent but the key was read (`readBack`,
   * or a changed host confirmed); undefined when nothing returned it (the stored view stands, with `active`).
   */
  key: ApiKey | undefined;
  /** Whether the key is usable now. */
  active: boolean;
  /** Whether any call was made (the key's `updatedAt` moved). */
  sent: boolean;
  location: KeyLocation;
  /** Set when the key's tenant answered under another host than the recorded one (see tenant-guard.ts). */
  note?: string;
}

/**
 * Where the guard lets a call go: the location to record, with a note when the key's tenant answers
 * under another host; then `movedFrom` holds the recorded location, and the host is taken only once
 * the key is found there.
 */
interface Place {
  location: KeyLocation;
  note?: string;
  movedFrom?: KeyLocation;
}

/** A key as read, where it lives, and a note when its tenant answered under another host. */
export interface ReadOutcome {
  key: ApiKey;
  location: KeyLocation;
  note?: string;
}

/**
 * A create that made the key but failed a later step. Carries what the engine must record so the
 * key is not orphaned; the message never contains the key value.
 */
export class KeyCreatedIncompletely extends Error {
  constructor(
    message: string,
    readonly created: Created,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = "KeyCreatedIncompletely";
  }
}

/** An update some of whose calls reached Palette before one failed. */
export class KeyUpdatedPartially extends Error {
  constructor(
    message: string,
    /** Palette's view after the last call that succeeded, when a call returned it. */
    readonly latest: ApiKey | undefined,
    /** Whether the key is usable now, as far as the calls that succeeded tell. */
    readonly activeNow: boolean,
    options: { cause: unknown },
  ) {
    super(message, options);
    this.name = "KeyUpdatedPartially";
  }
}

/**
 * A 404 that means "this key does not exist". A framework 404 (numeric code, e.g. a wrong host path)
 * must never read as "gone": that would drop live keys from the engine's state.
 */
export function keyIsGone(e: unknown): boolean {
  return isPaletteError(e) && e.code === "NOT_FOUND" && e.paletteCode === "ResourceNotFound";
}

export class KeyLifecycle {
  private readonly client: PaletteClient;

  constructor(
    private readonly session: LifecycleSession,
    private readonly names: FieldNames,
    private readonly hints: EngineHints,
    /** Cancels every call in flight (Terraform's StopProvider). */
    private readonly signal?: AbortSignal,
  ) {
    this.client = session.client;
  }

  /**
   * Where the credentials in use lead, refusing to go on when a key was recorded in another tenant.
   * Keys recorded before the guard existed take the current place; at another host of the same
   * tenant, the key must then be found (see `missingAt`) before the engine records the new host.
   */
  private async guard(uid: string, recorded: KeyLocation | undefined, what: string): Promise<Place> {
    const current = await this.currentLocation(`${what} API key ${uid}`);
    if (recorded === undefined) return { location: current };
    if (!sameTenant(recorded, current)) throw new WrongTenantError(uid, recorded, current, this.hints.wrongTenant);
    const note = hostChangeNote(uid, recorded, current);
    return note === undefined ? { location: recorded } : { location: current, note, movedFrom: recorded };
  }

  /** What an outcome reports of a place (the recorded location stays the core's business). */
  private placed(place: Place): { location: KeyLocation; note?: string } {
    return place.note === undefined ? { location: place.location } : { location: place.location, note: place.note };
  }

  /**
   * A 404 for the key at `place`: "gone" (undefined) at the recorded host, a refusal at another host
   * of its tenant, where a clone sharing the tenant uid answers 404 for a key that lives on.
   */
  private missingAt(uid: string, place: Place): KeyNotAtHostError | undefined {
    return place.movedFrom === undefined ? undefined : new KeyNotAtHostError(uid, place.movedFrom, place.location, this.hints.keyNotAtHost);
  }

  /** Whether `e` says the key is gone; at another host of its tenant that is refused instead (`missingAt`). */
  private goneAt(uid: string, place: Place, e: unknown): boolean {
    if (!keyIsGone(e)) return false;
    const refused = this.missingAt(uid, place);
    if (refused !== undefined) throw refused;
    return true;
  }

  /** Where the credentials in use lead; `subject` says what could not be done without knowing. */
  private async currentLocation(subject: string): Promise<KeyLocation> {
    try {
      return await this.session.location(...this.options);
    } catch (e) {
      throw this.withContext(`Cannot ${subject}: asking Palette which tenant the credentials belong to failed`, e);
    }
  }

  /** `e` in the engine's words; a rejection of the credentials in full once per session, then by reference. */
  private explain(e: unknown): string {
    return this.session.rejection.tell(e, (told) => explain(told, this.hints));
  }

  private withContext(what: string, e: unknown): Error {
    return new Error(`${what}: ${this.explain(e)}`, { cause: e });
  }

  /** The trailing RequestOptions argument of every SDK call: none at all without a signal. */
  private get options(): [] | [{ signal: AbortSignal }] {
    return this.signal !== undefined ? [{ signal: this.signal }] : [];
  }

  async create(spec: CreateSpec): Promise<Created> {
    const c = this.client;
    const { name } = spec;
    const location = await this.currentLocation(`create API key "${name}"`);
    let userUid: string | undefined;
    let ownerEmail: string | undefined;
    if (spec.owner !== undefined && "email" in spec.owner) {
      try {
        const found = await this.session.user(spec.owner.email, ...this.options);
        userUid = found.uid;
        ownerEmail = found.email;
      } catch (e) {
        throw this.withContext(`Cannot create API key "${name}": looking up owner ${spec.owner.email} (${this.names.userEmail}) failed`, e);
      }
    } else if (spec.owner !== undefined) {
      userUid = spec.owner.uid;
    }

    let made;
    try {
      made = await c.apiKeys.create({
        name,
        description: spec.description,
        expiresAt: spec.expiresAt,
        ...(userUid !== undefined ? { userUid } : {}),
      }, ...this.options);
    } catch (e) {
      const owner = spec.owner !== undefined && "uid" in spec.owner ? ` for user ${spec.owner.uid} (${this.names.userUid})` : "";
      throw this.withContext(`Cannot create API key "${name}"${owner}`, e);
    }

    const sealed = spec.encryptFor !== undefined ? { encryptedValue: await this.encrypted(made.apiKey, made.value, spec.encryptFor) } : { value: made.value };
    const created: Created = { key: made.apiKey, ...sealed, location, ...(ownerEmail !== undefined ? { ownerEmail } : {}) };
    try {
      if (!spec.active) {
        await c.apiKeys.setActive(created.key.uid, false, ...this.options);
        created.key = { ...created.key, active: false };
      }
    } catch (e) {
      throw new KeyCreatedIncompletely(
        `API key "${name}" (${created.key.uid}) was created but could not be revoked (${this.names.active}: false): ${this.explain(e)} ` +
          this.hints.recorded,
        created,
        { cause: e },
      );
    }
    const email = ownerEmail ?? (await this.ownerEmail(created.key.user.uid));
    if (email !== undefined) created.ownerEmail = email;
    return created;
  }

  /**
   * The value encrypted to `recipient`. The key was checked at plan, so this fails only on a key
   * that changed meanwhile (expired): the new key is then deleted, since no engine may record its
   * value in plain text, and the error says whether that delete succeeded.
   */
  private async encrypted(key: ApiKey, value: string, recipient: string): Promise<string> {
    try {
      return await encryptTo(value, recipient);
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      const what = `API key "${key.name}" (${key.uid}) was created but encrypting its value for ${this.names.encryptFor} failed (${reason})`;
      try {
        await this.client.apiKeys.delete(key.uid, ...this.options);
      } catch (d) {
        throw new Error(`${what}, and deleting it again failed: ${this.explain(d)} ${this.hints.orphaned}`, { cause: e });
      }
      throw new Error(`${what}: it was deleted again, nothing is recorded. Fix ${this.names.encryptFor} and apply again.`, { cause: e });
    }
  }

  /** The email of the user with this uid, or undefined when the credentials may not read it. */
  async ownerEmail(userUid: string): Promise<string | undefined> {
    try {
      return await this.session.emailOf(userUid, ...this.options);
    } catch {
      return undefined; // the email is a convenience output: a failed lookup fails nothing
    }
  }

  /**
   * The key as Palette holds it now and where it lives, or undefined when it no longer exists. Reads
   * share one list taken after they were asked (concurrent refreshes make one request, not one per
   * key); a key missing from it is asked for by uid before it is called gone, since a list holds only
   * the keys the credentials may list (a plain user's own) and a 404 alone proves a key gone.
   */
  async read(uid: string, recorded?: KeyLocation): Promise<ReadOutcome | undefined> {
    const place = await this.guard(uid, recorded, "read");
    try {
      const listed = await this.client.apiKeys.findShared(uid, ...this.options);
      return { key: listed ?? (await this.client.apiKeys.get(uid, ...this.options)), ...this.placed(place) };
    } catch (e) {
      if (this.goneAt(uid, place, e)) return undefined;
      throw this.withContext(`Cannot read API key ${uid}`, e);
    }
  }

  /**
   * Sends only the calls that are needed: edits are a GET and a PUT (see `apiKeys.update` for why the
   * GET stays), a revoke or re-activation one PUT, and nothing is read back. Revokes before anything
   * else and re-activates last, so a half-applied update never leaves a key usable that the program
   * wants revoked. Returns Palette's view after the edits (undefined when no field was edited: the
   * engine's stored view stands, with `active`), whether anything was sent, and where the key lives.
   * `current.active` is the engine's view, maybe older than Palette's (a saved plan, a stack not
   * refreshed): after edits with no toggle after them, `active` is what the edit read back, so an
   * out-of-band revoke is reported, never recorded as active. With nothing to send, one GET reads
   * the key when `readBack` asks, or when the host changed (the new host is taken only where the
   * key is found).
   */
  async update(
    uid: string,
    current: { name: string; active: boolean },
    edits: KeyEdits,
    wantActive: boolean,
    recorded?: KeyLocation,
    options: UpdateOptions = {},
  ): Promise<UpdateOutcome> {
    const place = await this.guard(uid, recorded, "update");
    const c = this.client;
    const toggle = wantActive !== current.active;
    const steps: { what: string; run: () => Promise<ApiKey | void>; activeAfter: boolean }[] = [];
    if (toggle && !wantActive) steps.push({ what: "revoke it", run: () => c.apiKeys.setActive(uid, false, ...this.options), activeAfter: false });
    const edited = (Object.keys(edits) as (keyof KeyEdits)[]).map((f) => this.names[f]);
    if (edited.length > 0) steps.push({ what: `change ${edited.join(", ")}`, run: () => c.apiKeys.update(uid, edits, ...this.options), activeAfter: toggle ? false : current.active });
    if (toggle && wantActive) steps.push({ what: "re-activate it", run: () => c.apiKeys.setActive(uid, true, ...this.options), activeAfter: true });
    if (steps.length === 0 && (options.readBack === true || place.movedFrom !== undefined)) {
      const key = await this.readBack(uid, current.name, place);
      return { key, active: key.active, sent: false, ...this.placed(place) };
    }

    let latest: ApiKey | undefined;
    let activeNow = current.active;
    let done = 0;
    try {
      for (const step of steps) {
        const result = await step.run();
        if (result) latest = result;
        activeNow = result ? result.active : step.activeAfter;
        done++;
      }
    } catch (e) {
      const failed = steps[done]?.what ?? "update it";
      // Nothing reached a key missing at a new host: refused, the recorded host kept.
      const gone = done === 0 ? this.goneAt(uid, place, e) : keyIsGone(e);
      const reason = gone ? `it no longer exists in Palette (deleted out of band); ${this.hints.vanished}` : this.explain(e);
      const message = `Cannot update API key "${current.name}" (${uid}): ${failed} failed: ${reason}`;
      if (done === 0) throw new Error(message, { cause: e });
      throw new KeyUpdatedPartially(`${message} ${this.hints.recorded}`, latest !== undefined ? { ...latest, active: activeNow } : undefined, activeNow, { cause: e });
    }
    return { key: latest !== undefined ? { ...latest, active: activeNow } : undefined, active: activeNow, sent: steps.length > 0, ...this.placed(place) };
  }

  /** The key as Palette holds it, for an update that sends nothing. */
  private async readBack(uid: string, name: string, place: Place): Promise<ApiKey> {
    try {
      return await this.client.apiKeys.get(uid, ...this.options);
    } catch (e) {
      if (!this.goneAt(uid, place, e)) throw this.withContext(`Cannot update API key "${name}" (${uid}): reading it failed`, e);
      throw new Error(`Cannot update API key "${name}" (${uid}): it no longer exists in Palette (deleted out of band); ${this.hints.vanished}`, { cause: e });
    }
  }

  /** Deletes the key; one already gone (at the recorded host) is the desired end state. */
  async delete(uid: string, recorded?: KeyLocation): Promise<void> {
    const place = await this.guard(uid, recorded, "delete");
    try {
      await this.client.apiKeys.delete(uid, ...this.options);
    } catch (e) {
      if (this.goneAt(uid, place, e)) return;
      throw this.withContext(`Cannot delete API key ${uid}`, e);
    }
  }
}
