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
import type { ApiKey as PaletteApiKey } from "../../sdk";
import { DEFAULT_EXPIRES_IN, instantOf, parseExpiresIn, resolveExpiresIn, sameInstant } from "../core/expiry";
import { KeyCreatedIncompletely, KeyLifecycle, KeyUpdatedPartially, type EngineHints, type KeyEdits } from "../core/lifecycle";
import { ClientCache } from "../core/settings";
import { checkApiKey, PULUMI_NAMES } from "./check";
import { resolveSettings } from "./config";
import { diffApiKey } from "./diff";
import { inputsFromOutputs, refreshedOutputs, toOutputs, type ApiKeyOutputs, type CarriedOver } from "./outputs";

type Props = Record<string, unknown>;

/** The core's advice in Pulumi's words. */
export const PULUMI_HINTS: EngineHints = {
  recorded: "Pulumi recorded the key; run `pulumi up` again to finish.",
  vanished: "run `pulumi refresh` to drop it from the stack, then `pulumi up` to create a new one",
  host: "The provider takes Palette's host from `palette:host` (pulumi config) or SPECTROCLOUD_HOST.",
  orphaned:
    "Pulumi did not record that key, so `pulumi destroy` will not remove it: if it is there, delete it in the Palette console (API Keys).",
};

let configLookup: (key: string) => string | undefined = () => undefined;
const clients = new ClientCache("pulumi-palette-apikeys-provider");

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
  configLookup = (key) => config.get(key);
}

/** Settings are resolved on every call: environment variables are always current, stack config may be stale. */
function lifecycle(): KeyLifecycle {
  return new KeyLifecycle(clients.clientFor(resolveSettings(configLookup, process.env)), PULUMI_NAMES, PULUMI_HINTS);
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function expiryOf(inputs: Props): Date {
  const at = instantOf(inputs.expiresAt);
  if (at !== undefined) return at;
  // Only reachable when the engine skipped check, which it does not; resolve as check would.
  const duration = parseExpiresIn(str(inputs.expiresIn) ?? DEFAULT_EXPIRES_IN);
  if (!duration.ok) throw new Error(`expiresIn: ${duration.reason}`);
  return resolveExpiresIn(duration.value, new Date());
}

function ownerOf(user: unknown): { uid: string } | { email: string } | undefined {
  const u = (user ?? {}) as Props;
  if (typeof u.email === "string") return { email: u.email };
  if (typeof u.uid === "string") return { uid: u.uid };
  return undefined;
}

function withProvider(outs: ApiKeyOutputs, provider: unknown): Props {
  return typeof provider === "string" ? { ...outs, __provider: provider } : { ...outs };
}

export async function check(olds: Props, news: Props): Promise<dynamic.CheckResult> {
  return checkApiKey(olds ?? {}, news ?? {}, { now: new Date(), random: Math.random });
}

export async function diff(_id: string, olds: Props, news: Props): Promise<dynamic.DiffResult> {
  return diffApiKey(olds ?? {}, news ?? {}, new Date());
}

export async function create(inputs: Props): Promise<dynamic.CreateResult> {
  const ops = lifecycle();
  const carried: CarriedOver = { expiresIn: inputs.expiresIn, user: inputs.user, autoname: inputs.__autoname };
  try {
    const made = await ops.create({
      name: String(inputs.name),
      description: str(inputs.description) ?? "",
      expiresAt: expiryOf(inputs),
      active: inputs.active !== false,
      owner: ownerOf(inputs.user),
    });
    return { id: made.key.uid, outs: toOutputs(made.key, { ...carried, key: made.value, userEmail: made.ownerEmail }, new Date()) };
  } catch (e) {
    if (!(e instanceof KeyCreatedIncompletely)) throw e;
    const { key, value, ownerEmail } = e.created;
    const outs = toOutputs(key, { ...carried, key: value, userEmail: ownerEmail }, new Date());
    throw new ResourceInitError(e.message, key.uid, withProvider(outs, inputs.__provider));
  }
}

export async function read(id: string, props?: Props): Promise<dynamic.ReadResult> {
  const key = await lifecycle().read(id);
  if (key === undefined) return { id: "" };
  const outs = refreshedOutputs(key, props ?? {}, new Date());
  return { id: key.uid, props: outs, inputs: inputsFromOutputs(outs) };
}

/** The outputs stored in state, minus engine bookkeeping: what update starts from. */
function storedOutputs(olds: Props): Props {
  const { __provider: _provider, ...rest } = olds;
  return rest;
}

export async function update(id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
  const edits: KeyEdits = {};
  if (news.name !== olds.name) edits.name = String(news.name);
  if ((news.description ?? "") !== (olds.description ?? "")) edits.description = str(news.description) ?? "";
  if (!sameInstant(olds.expiresAt, news.expiresAt)) edits.expiresAt = expiryOf(news);
  const carried: CarriedOver = {
    key: olds.key,
    expiresIn: news.expiresIn,
    user: news.user,
    userEmail: olds.userEmail,
    autoname: news.__autoname,
  };

  let latest: PaletteApiKey | undefined;
  try {
    latest = await lifecycle().update(id, { name: String(olds.name), active: olds.active !== false }, edits, news.active !== false);
  } catch (e) {
    if (!(e instanceof KeyUpdatedPartially)) throw e;
    // Some changes reached Palette: record what is known, the next `up` retries the rest.
    const partial = e.latest
      ? toOutputs(e.latest, carried, new Date())
      : ({ ...storedOutputs(olds), active: e.activeNow, status: e.activeNow ? "active" : "revoked" } as ApiKeyOutputs);
    throw new ResourceInitError(e.message, id, withProvider(partial, news.__provider));
  }
  if (latest === undefined) {
    // Nothing to send (e.g. only the spelling of expiresIn changed): refresh the echoes only.
    const outs: Props = { ...storedOutputs(olds) };
    delete outs.expiresIn;
    if (typeof news.expiresIn === "string") outs.expiresIn = news.expiresIn;
    return { outs };
  }
  return { outs: toOutputs(latest, carried, new Date()) };
}

export async function delete_(id: string, _props: Props): Promise<void> {
  await lifecycle().delete(id);
}
export { delete_ as delete };
