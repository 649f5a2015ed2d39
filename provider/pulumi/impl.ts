/**
 * The ApiKey dynamic provider's implementation, loaded by the serialized provider inside the Pulumi
 * provider process (package entry `pulumi-palette-apikeys/provider/impl`, a compatibility contract:
 * every existing stack's state requires it). Ordinary code: it is never serialized, so it may hold
 * the client in module scope. It translates between Pulumi's property bags and the core, which
 * holds the rules and the lifecycle.
 *
 * check and diff are pure (the engine calls them twice per `up`, also without credentials in a
 * preview); only create/read/update/delete talk to Palette.
 */
import type { dynamic } from "@pulumi/pulumi";
import type { PaletteClient } from "../../sdk";
import { editsBetween } from "../core/edits";
import { DEFAULT_EXPIRES_IN, instantOf, parseExpiresIn, resolveExpiresIn } from "../core/expiry";
import { adoptKey, KeyAdoptedPartially } from "../core/adoption";
import type { EngineHints } from "../core/explain";
import { recipientProblem } from "../core/encryption";
import { KeyCreatedIncompletely, KeyLifecycle, KeyUpdatedPartially, type Created, type UpdateOutcome } from "../core/lifecycle";
import { statusAfterToggle, withRecordedUpdateTime } from "../core/observed";
import { recordedEmail } from "../core/owner";
import { ClientCache } from "../core/session";
import { locationIn } from "../core/tenant-guard";
import { preflightFor } from "../core/preflight";
import type { ProviderSettings } from "../core/settings";
import { checkApiKey, PULUMI_NAMES, UNKNOWN } from "./check";
import { MissingCredentialsError, resolveSettings, SETTINGS } from "./config";
import { diffApiKey, keyDiffOf, type ApiKeyDiff } from "./diff";
import type { KeyDiff } from "../core/diff";
import { inputsFromOutputs, PULUMI_LOCATION, refreshedOutputs, rotationOutputs, toOutputs, type ApiKeyOutputs, type CarriedOver } from "./outputs";
import { clockFrom } from "../core/clock";
import { deletePreviousKeys } from "../core/previous-key-deletion";
import { previousKeysOf, retire, splitPreviousKeys, type PreviousKey } from "../core/rotation";
import * as handover from "./handover";
import * as stewards from "./stewards";

type Props = Record<string, unknown>;

/** The core's advice in Pulumi's words. */
export const PULUMI_HINTS: EngineHints = {
  recorded: "Pulumi recorded the key; run `pulumi up` again to finish.",
  vanished: "run `pulumi refresh` to drop it from the stack, then `pulumi up` to create a new one",
  wrongTenant:
    "Point the provider back at the key's tenant (palette:host and palette:apiKey in stack config, which win over " +
    "SPECTROCLOUD_HOST and SPECTROCLOUD_APIKEY), or, if the key was moved or deleted on purpose, drop it from the stack " +
    "with `pulumi state delete <urn>`.",
  keyNotAtHost:
    "Point the provider back at the recorded host (`palette:host` in stack config, which wins over SPECTROCLOUD_HOST) to " +
    "manage the key there. If it was deleted there, `pulumi refresh` against that host drops it from the stack; only if that " +
    "host no longer answers and the Palette console shows the key gone, drop it with `pulumi state delete <urn>`.",
  host: "The provider takes Palette's host from `palette:host` (pulumi config) or SPECTROCLOUD_HOST.",
  credentials:
    "The provider takes its credentials from `palette:apiKey` (or `palette:username` and `palette:password`) in stack config, " +
    "or SPECTROCLOUD_APIKEY (or SPECTROCLOUD_USERNAME and SPECTROCLOUD_PASSWORD).",
  orphaned:
    "Pulumi did not record that key, so `pulumi destroy` will not remove it: if it is there, delete it in the Palette console (API Keys).",
  nameTaken:
    'To manage that key with this resource instead, adopt it: add `adopt: { uid: "<its uid>" }` to the ApiKey\'s inputs and keep its `name` ' +
    "(the uid is on the Palette console's API Keys page, and in `npx palette-apikeys audit --json`), then run `pulumi up` again.",
};

let configLookup: (key: string) => string | undefined = () => undefined;
let clock: (() => Date) | undefined;
/** The provider's clock: real time unless PALETTE_APIKEYS_NOW moves it (see core/clock.ts). */
const now = (): Date => (clock ??= clockFrom(process.env))();
const clients = new ClientCache("pulumi-palette-apikeys-provider");
/**
 * The native plugin's Cancel (provider/native): aborts what was not sent; a create already sent
 * finishes and is returned (sdk/core/call.ts). The dynamic-provider host has no Cancel: unset there.
 */
let cancelSignal: AbortSignal | undefined;

/** Hands every later lifecycle call `signal` (see `cancelSignal`). */
export function cancelWith(signal: AbortSignal): void {
  cancelSignal = signal;
}

/**
 * Thrown by create/update when Palette holds a key the engine must record although the step failed.
 * The dynamic-provider host turns `id`/`properties`/`reasons` into `ErrorResourceInitFailed`, so the
 * key lands in the stack (with init errors the next `up` retries) instead of being orphaned.
 */
export class ResourceInitError extends Error {
  readonly reasons: string[];
  constructor(
    message: string,
    readonly id: string,
    readonly properties: Props,
  ) {
    super(message);
    this.name = "ResourceInitError";
    this.reasons = [message];
  }
}

/** Records the stack config; the client is built on first use so check/diff never need credentials. */
export async function configure(req: dynamic.ConfigureRequest): Promise<void> {
  const config = req.config;
  configureWith((key) => config.get(key));
}

/** Where the settings come from (`palette:host`, ...; the environment after it): the native plugin's Configure sets its instance's. */
export function configureWith(lookup: (key: string) => string | undefined): void {
  configLookup = lookup;
}

/** The Palette client of the configured settings, shared with the lifecycle (its pacing, its answers). */
export function configuredClient(): PaletteClient {
  return clients.sessionFor(resolveSettings(configLookup, process.env)).client;
}

/** Settings are resolved on every call: a changed environment (the fallback) takes effect at once. */
function lifecycle(session = clients.sessionFor(resolveSettings(configLookup, process.env))): KeyLifecycle {
  return new KeyLifecycle(session, PULUMI_NAMES, PULUMI_HINTS, cancelSignal);
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** How the outputs record a new key's value: in plain text (a secret output), or only encrypted (encryptFor). */
const valueOf = (made: Created): Pick<CarriedOver, "key" | "encryptedKey"> =>
  made.encryptedValue !== undefined ? { encryptedKey: made.encryptedValue } : { key: made.value };

/** encryptFor, when known: a public key that can encrypt now; a preview fails on it before anything reaches Palette. */
async function recipientFailure(armored: unknown): Promise<{ property: string; reason: string } | undefined> {
  if (typeof armored !== "string" || armored === UNKNOWN) return undefined;
  const reason = await recipientProblem(armored);
  return reason !== undefined ? { property: PULUMI_NAMES.encryptFor, reason } : undefined;
}

function expiryOf(inputs: Props): Date {
  const at = instantOf(inputs.expiresAt);
  if (at !== undefined) return at;
  // Only reachable when the engine skipped check, which it does not; resolve as check would.
  const duration = parseExpiresIn(str(inputs.expiresIn) ?? DEFAULT_EXPIRES_IN);
  if (!duration.ok) throw new Error(`expiresIn: ${duration.reason}`);
  return resolveExpiresIn(duration.value, now());
}

function ownerOf(user: unknown): { uid: string } | { email: string } | undefined {
  const u = (user ?? {}) as Props;
  if (typeof u.email === "string") return { email: u.email };
  if (typeof u.uid === "string") return { uid: u.uid };
  return undefined;
}

/** The owner's email as the outputs record it: the program's spelling of the mailbox Palette reports. */
function ownerEmailOut(user: unknown, found: string | undefined): string | undefined {
  const owner = ownerOf(user);
  return recordedEmail(owner !== undefined && "email" in owner ? owner.email : undefined, found);
}

function withProvider(outs: ApiKeyOutputs, provider: unknown): Props {
  return typeof provider === "string" ? { ...outs, __provider: provider } : { ...outs };
}

/** The settings, or undefined when no credentials are configured (a preview then checks inputs only). */
function configuredSettings(): ProviderSettings | undefined {
  try {
    return resolveSettings(configLookup, process.env);
  } catch (e) {
    if (e instanceof MissingCredentialsError) return undefined;
    throw e;
  }
}

/**
 * The program's inputs checked, then, when credentials are configured, what only Palette can tell:
 * that the credentials work and that an owner named by email exists (read-only, once per process).
 */
export async function check(olds: Props, news: Props): Promise<dynamic.CheckResult> {
  const checked = checkApiKey(olds ?? {}, news ?? {}, { now: now(), random: Math.random });
  if (checked.failures.length > 0) return checked;
  const recipient = await recipientFailure(checked.inputs.encryptFor);
  if (recipient !== undefined) return { inputs: checked.inputs, failures: [recipient] };
  // Empty olds: a new resource (or a replacement, whose create refuses to adopt its own key).
  const adoptUid = adoptedUid(checked.inputs);
  const taken = adoptUid !== undefined && Object.keys(olds ?? {}).length === 0 ? stewards.adopts(adoptUid, holderOf(checked.inputs)) : undefined;
  if (taken !== undefined) return { inputs: checked.inputs, failures: [{ property: "adopt.uid", reason: taken }] };
  if (Object.keys(olds ?? {}).length > 0) handover.withdraw(checked.inputs);
  else {
    const previous = handover.take(news ?? {});
    if (previous !== undefined) checked.inputs.__previousKeys = previous;
  }
  const settings = configuredSettings();
  if (settings === undefined) return checked;
  let session;
  try {
    session = clients.sessionFor(settings);
  } catch (e) {
    // The client refuses a host it cannot use (not a host name or URL, another scheme, credentials in it).
    if (e instanceof TypeError) return { inputs: checked.inputs, failures: [{ property: SETTINGS.host.config, reason: e.message }] };
    throw e;
  }
  const preflight = preflightFor(session);
  const failure = await preflight.credentials();
  if (failure !== undefined && "setting" in failure) {
    const key = failure.setting === "host" ? SETTINGS.host.config : "apiKey" in settings.auth ? SETTINGS.apiKey.config : SETTINGS.password.config;
    return { inputs: checked.inputs, failures: [{ property: key, reason: failure.reason }] };
  }
  const email = (checked.inputs.user as Props | undefined)?.email;
  if (typeof email === "string" && email !== UNKNOWN) {
    const owner = await preflight.owner(email);
    if (owner !== undefined) return { inputs: checked.inputs, failures: [{ property: "user.email", reason: owner.reason }] };
  }
  return checked;
}

export async function diff(id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
  return diffWithDecision(id, olds, news).result;
}

/** `diff`, with the core's decision behind it: the native plugin reports it field by field (detailedDiff). */
export function diffWithDecision(id: string, olds: Props, news: Props): { result: ApiKeyDiff; decision: KeyDiff } {
  const clash = stewards.manages(id, holderOf(news ?? {}));
  if (clash !== undefined) throw new Error(clash);
  const at = now();
  const d = keyDiffOf(olds ?? {}, news ?? {}, at);
  if (d.replaces.length > 0) handover.offer(news ?? {}, keptAcross(id, olds ?? {}, news ?? {}, d.rotation !== undefined, at));
  return { result: diffApiKey(olds ?? {}, news ?? {}, at, d), decision: d };
}

/**
 * What a replacement's new key keeps: the previous keys still in their grace period, and, when a
 * rotation replaces the key and the program keeps previous keys, the key itself.
 */
function keptAcross(id: string, olds: Props, news: Props, rotating: boolean, at: Date): PreviousKey[] {
  const { kept } = splitPreviousKeys(previousKeysOf(olds.previousKeys), at);
  const keepPrevious = str(news.keepPrevious);
  if (rotating && keepPrevious !== undefined) kept.push(retire({ uid: id, name: str(olds.name) ?? "", expiresAt: olds.expiresAt }, keepPrevious, at));
  return kept;
}

const holderOf = (inputs: Props): string => str(inputs.__logicalName) ?? "(unnamed)";

/** The uid a resource asks to adopt, when it asks and the uid is known. */
function adoptedUid(inputs: Props): string | undefined {
  const uid = (inputs.adopt as Props | undefined)?.uid;
  return typeof uid === "string" && uid !== UNKNOWN ? uid : undefined;
}

/**
 * create with `adopt`: takes the existing key over instead of making one. Refused, with nothing
 * changed, when another resource of the deployment holds it, or when it is this resource's own key
 * being replaced (an adopted key that expired or changes owner gets a new key: leave adopt out).
 */
async function adopt(uid: string, inputs: Props, carried: CarriedOver): Promise<dynamic.CreateResult> {
  const holder = holderOf(inputs);
  if (stewards.alreadyManagedBy(uid, holder)) {
    throw new Error(
      `Cannot adopt API key ${uid} (adopt.uid): it is the key this resource already manages, and it must be replaced ` +
        "(it expired, or its owner changed). Leave adopt out so that Pulumi creates a new key in its place. Nothing was changed.",
    );
  }
  const taken = stewards.adopts(uid, holder);
  if (taken !== undefined) throw new Error(`Cannot adopt API key ${uid} (adopt.uid): ${taken} Nothing was changed.`);
  const session = clients.sessionFor(resolveSettings(configLookup, process.env));
  const spec = { name: String(inputs.name), description: str(inputs.description) ?? "", expiresAt: expiryOf(inputs), active: inputs.active !== false, owner: ownerOf(inputs.user) };
  try {
    // A resource managing the key may show up (its diff) while the key is read: then nothing is changed.
    const objection = (): string | undefined => (stewards.contested(uid) ? `another resource of this stack manages it (see its error); leave adopt out of "${holder}"` : undefined);
    const taken = await adoptKey(lifecycle(session), session, uid, spec, { property: "adopt.uid", now: now(), objection });
    stewards.adopted(uid, holder);
    const userEmail = ownerEmailOut(inputs.user, taken.ownerEmail ?? (await lifecycle(session).ownerEmail(taken.key.user.uid)));
    return { id: uid, outs: toOutputs(taken.key, { ...carried, userEmail, location: taken.location }, now()) };
  } catch (e) {
    if (!(e instanceof KeyAdoptedPartially)) {
      if (!stewards.contested(uid)) stewards.released(uid);
      throw e;
    }
    stewards.adopted(uid, holder);
    const outs = toOutputs(e.key, { ...carried, location: e.location }, now());
    throw new ResourceInitError(e.message, uid, withProvider(outs, inputs.__provider));
  }
}

export async function create(inputs: Props): Promise<dynamic.CreateResult> {
  const ops = lifecycle();
  const previousKeys = previousKeysOf(inputs.__previousKeys);
  const carried: CarriedOver = {
    expiresIn: inputs.expiresIn,
    user: inputs.user,
    autoname: inputs.__autoname,
    expiry: inputs.__expiry,
    rotateBefore: inputs.rotateBefore,
    keepPrevious: inputs.keepPrevious,
    previousKeys,
    encryptFor: inputs.encryptFor,
  };
  const adoptUid = adoptedUid(inputs);
  if (adoptUid !== undefined) return adopt(adoptUid, inputs, { ...carried, adopt: inputs.adopt });
  try {
    const made = await ops.create({
      name: String(inputs.name),
      description: str(inputs.description) ?? "",
      expiresAt: expiryOf(inputs),
      active: inputs.active !== false,
      owner: ownerOf(inputs.user),
      encryptFor: str(inputs.encryptFor),
    });
    const outs = toOutputs(made.key, { ...carried, ...valueOf(made), userEmail: ownerEmailOut(inputs.user, made.ownerEmail), location: made.location }, now());
    handover.markRecorded(previousKeys);
    stewards.made(made.key.uid, holderOf(inputs));
    return { id: made.key.uid, outs };
  } catch (e) {
    if (!(e instanceof KeyCreatedIncompletely)) throw e;
    const { key, ownerEmail, location } = e.created;
    const outs = toOutputs(key, { ...carried, ...valueOf(e.created), userEmail: ownerEmailOut(inputs.user, ownerEmail), location }, now());
    handover.markRecorded(previousKeys);
    throw new ResourceInitError(e.message, key.uid, withProvider(outs, inputs.__provider));
  }
}

/**
 * A refresh: Palette's view. A key recorded at another host of its tenant records the new host (the
 * refresh shows `host` changed; the dynamic-provider protocol carries no note).
 */
export async function read(id: string, props?: Props): Promise<dynamic.ReadResult> {
  const ops = lifecycle();
  const found = await ops.read(id, locationIn(props, PULUMI_LOCATION));
  if (found === undefined) return { id: "" };
  const { location } = found;
  const key = withRecordedUpdateTime(found.key, props ?? {});
  // An email not recorded yet (the credentials could not read it before) is filled where they may now.
  const userEmail = str(props?.userEmail) ?? (await ops.ownerEmail(key.user.uid));
  const outs = refreshedOutputs(key, { ...props, userEmail }, now(), location);
  return { id: key.uid, props: outs, inputs: inputsFromOutputs(outs) };
}

/** The outputs stored in state, minus engine bookkeeping: what update starts from. */
function storedOutputs(olds: Props): Props {
  const { __provider: _provider, ...rest } = olds;
  return rest;
}

export async function update(id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
  // Previous keys past their grace period go first: a failure leaves the key and its state as they were.
  const previousKeys = await deletePreviousKeysDue(olds);
  const edits = editsBetween(olds, { name: String(news.name), description: str(news.description) ?? "", expiresAt: expiryOf(news) });
  const carried: CarriedOver = {
    key: olds.key,
    expiresIn: news.expiresIn,
    user: news.user,
    userEmail: olds.userEmail,
    autoname: news.__autoname,
    expiry: news.__expiry,
    location: locationIn(olds, PULUMI_LOCATION),
    rotateBefore: news.rotateBefore,
    keepPrevious: news.keepPrevious,
    previousKeys,
    adopt: olds.adopt,
    // What the value was encrypted to at create: a changed encryptFor never re-encrypts (see encryptFor in api-key.ts).
    encryptedKey: olds.encryptedKey,
    encryptFor: olds.encryptFor,
  };

  let outcome: UpdateOutcome;
  try {
    outcome = await lifecycle().update(id, { name: String(olds.name), active: olds.active !== false }, edits, news.active !== false, carried.location);
    carried.location = outcome.location;
  } catch (e) {
    if (!(e instanceof KeyUpdatedPartially)) throw e;
    // Some changes reached Palette: record what is known, the next `up` retries the rest.
    const partial = e.latest
      ? toOutputs(e.latest, carried, now())
      : ({ ...storedOutputs(olds), active: e.activeNow, status: statusAfterToggle(olds.status, e.activeNow) } as ApiKeyOutputs);
    throw new ResourceInitError(e.message, id, withProvider(partial, news.__provider));
  }
  const latest = outcome.key;
  if (latest === undefined) {
    // No field edited (a revoke or re-activation, or only the spelling of expiresIn changed): the
    // stored outputs stand, with the echoes and the active state refreshed.
    const outs: Props = { ...storedOutputs(olds) };
    if (carried.location !== undefined) Object.assign(outs, { host: carried.location.host, tenantUid: carried.location.tenantUid });
    for (const k of ["expiresIn", "__expiry", "rotateBefore", "keepPrevious", "rotatesAt", "previousKeys"]) delete outs[k];
    outs.keyAvailable = typeof outs.key === "string"; // state written before the output existed lacks it
    if (typeof news.expiresIn === "string") outs.expiresIn = news.expiresIn;
    if (news.__expiry !== undefined) outs.__expiry = news.__expiry;
    Object.assign(outs, rotationOutputs(carried, outs.expiresAt));
    if (outcome.sent) Object.assign(outs, { active: outcome.active, status: statusAfterToggle(olds.status, outcome.active), updatedAt: now().toISOString() });
    return { outs };
  }
  return { outs: toOutputs(latest, carried, now()) };
}

/** Deletes the previous keys whose grace period ended; returns those still kept. */
async function deletePreviousKeysDue(olds: Props): Promise<PreviousKey[]> {
  const { kept, due } = splitPreviousKeys(previousKeysOf(olds.previousKeys), now());
  if (due.length === 0) return kept;
  // On a failure the update does not happen: the state keeps listing the key, and the next `up` or destroy tries again.
  await deletePreviousKeys(lifecycle(), due, locationIn(olds, PULUMI_LOCATION), { nameFailedKey: true });
  return kept;
}

/**
 * Deletes the key and the previous keys it still keeps. Keys a new key's state took over in this
 * process (a rotation with keepPrevious, see handover.ts) are left to that key.
 */
export async function delete_(id: string, props: Props): Promise<void> {
  const ops = lifecycle();
  const kept = previousKeysOf(props?.previousKeys).filter((k) => !handover.isRecordedElsewhere(k.uid));
  await deletePreviousKeys(ops, kept, locationIn(props, PULUMI_LOCATION));
  // Another resource adopted the key in this run while this one left the program: it stays, theirs.
  if (stewards.handedOver(id)) return;
  if (!handover.isRecordedElsewhere(id)) await ops.delete(id, locationIn(props, PULUMI_LOCATION));
  stewards.released(id);
}
export { delete_ as delete };
