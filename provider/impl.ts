/**
 * The ApiKey provider's implementation, loaded by the serialized provider inside the Pulumi
 * provider process (package entry `pulumi-palette-apikeys/provider/impl`). Ordinary code: it is
 * never serialized, so it may hold the client in module scope.
 *
 * check and diff are pure (the engine calls them twice per `up`, also without credentials in a
 * preview); only create/read/update/delete talk to Palette.
 */
import type { dynamic } from "@pulumi/pulumi";
import { isPaletteError, PaletteClient, type ApiKey as PaletteApiKey, type PaletteClientOptions } from "../sdk";
import { resolveSettings, type ProviderSettings } from "./config";
import { diffApiKey } from "./diff";
import { DEFAULT_EXPIRES_IN, instantOf, parseExpiresIn, resolveExpiresIn, sameInstant } from "./expiry";
import { checkApiKey } from "./inputs";
import { inputsFromOutputs, refreshedOutputs, toOutputs, type ApiKeyOutputs, type CarriedOver } from "./outputs";

type Props = Record<string, unknown>;

const USER_AGENT = "pulumi-palette-apikeys-provider";

let configLookup: (key: string) => string | undefined = () => undefined;
let cached: { fingerprint: string; client: PaletteClient } | undefined;

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

function client(): PaletteClient {
  // Environment variables are read on every call: they are always current, stack config may be stale.
  const settings: ProviderSettings = resolveSettings(configLookup, process.env);
  const fingerprint = JSON.stringify(settings);
  if (cached?.fingerprint !== fingerprint) {
    const options: PaletteClientOptions = {
      host: settings.host,
      auth: settings.auth,
      userAgent: USER_AGENT,
      ...(settings.projectUid !== undefined ? { projectUid: settings.projectUid } : {}),
    };
    cached = { fingerprint, client: new PaletteClient(options) };
  }
  return cached.client;
}

/**
 * A 404 that means "this key does not exist". A framework 404 (numeric code, e.g. a wrong host path)
 * must never read as "gone": that would drop live keys from the stack.
 */
function keyIsGone(e: unknown): boolean {
  return isPaletteError(e) && e.code === "NOT_FOUND" && e.paletteCode === "ResourceNotFound";
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function withContext(what: string, e: unknown): Error {
  return new Error(`${what}: ${messageOf(e)}`, { cause: e });
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

async function lookupEmail(c: PaletteClient, userUid: string): Promise<string | undefined> {
  try {
    return (await c.users.get(userUid)).email || undefined;
  } catch {
    return undefined; // plain users may not read user records; the email is a convenience output
  }
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
  const c = client();
  const name = String(inputs.name);
  const user = (inputs.user ?? {}) as Props;
  let userUid = str(user.uid);
  let userEmail: string | undefined;
  const email = str(user.email);
  if (email !== undefined) {
    try {
      const found = await c.users.findByEmail(email);
      userUid = found.uid;
      userEmail = found.email;
    } catch (e) {
      throw withContext(`Cannot create API key "${name}": looking up owner ${email} (user.email) failed`, e);
    }
  }

  let created;
  try {
    created = await c.apiKeys.create({
      name,
      description: str(inputs.description) ?? "",
      expiresAt: expiryOf(inputs),
      ...(userUid !== undefined ? { userUid } : {}),
    });
  } catch (e) {
    throw withContext(`Cannot create API key "${name}"`, e);
  }

  let key: PaletteApiKey = created.apiKey;
  const carried: CarriedOver = { key: created.value, expiresIn: inputs.expiresIn, user: inputs.user, autoname: inputs.__autoname };
  try {
    if (inputs.active === false) {
      await c.apiKeys.setActive(key.uid, false);
      key = await c.apiKeys.get(key.uid);
    }
  } catch (e) {
    const outs = toOutputs(key, { ...carried, userEmail }, new Date());
    throw new ResourceInitError(
      `API key "${name}" (${key.uid}) was created but could not be revoked (active: false): ${messageOf(e)} ` +
        "Pulumi recorded the key; run `pulumi up` again to finish.",
      key.uid,
      withProvider(outs, inputs.__provider),
    );
  }
  userEmail ??= await lookupEmail(c, key.user.uid);
  return { id: key.uid, outs: toOutputs(key, { ...carried, userEmail }, new Date()) };
}

export async function read(id: string, props?: Props): Promise<dynamic.ReadResult> {
  const previous = props ?? {};
  let key: PaletteApiKey;
  try {
    key = await client().apiKeys.get(id);
  } catch (e) {
    if (keyIsGone(e)) return { id: "" };
    throw withContext(`Cannot read API key ${id}`, e);
  }
  const outs = refreshedOutputs(key, previous, new Date());
  return { id: key.uid, props: outs, inputs: inputsFromOutputs(outs) };
}

/** The outputs stored in state, minus engine bookkeeping: what update starts from. */
function storedOutputs(olds: Props): Props {
  const { __provider: _provider, ...rest } = olds;
  return rest;
}

export async function update(id: string, olds: Props, news: Props): Promise<dynamic.UpdateResult> {
  const c = client();
  const name = String(news.name);
  const edits: { name?: string; description?: string; expiresAt?: Date } = {};
  if (news.name !== olds.name) edits.name = name;
  if ((news.description ?? "") !== (olds.description ?? "")) edits.description = str(news.description) ?? "";
  if (!sameInstant(olds.expiresAt, news.expiresAt)) edits.expiresAt = expiryOf(news);
  const wantActive = news.active !== false;
  const toggle = wantActive !== (olds.active !== false);
  const carried: CarriedOver = {
    key: olds.key,
    expiresIn: news.expiresIn,
    user: news.user,
    userEmail: olds.userEmail,
    autoname: news.__autoname,
  };

  // Revoke before anything else, re-activate last: a half-applied update never leaves a key
  // usable that the program wants revoked.
  const steps: { what: string; run: () => Promise<PaletteApiKey | void> }[] = [];
  if (toggle && !wantActive) steps.push({ what: "revoke it", run: () => c.apiKeys.setActive(id, false) });
  if (Object.keys(edits).length > 0) {
    steps.push({ what: `change ${Object.keys(edits).join(", ")}`, run: () => c.apiKeys.update(id, edits) });
  }
  if (toggle && wantActive) steps.push({ what: "re-activate it", run: () => c.apiKeys.setActive(id, true) });

  let latest: PaletteApiKey | undefined;
  let done = 0;
  try {
    for (const step of steps) {
      const result = await step.run();
      if (result) latest = result;
      done++;
    }
    if (toggle || (latest === undefined && steps.length > 0)) latest = await c.apiKeys.get(id);
  } catch (e) {
    const failed = steps[done]?.what ?? "read it back";
    const reason = keyIsGone(e)
      ? "it no longer exists in Palette (deleted outside Pulumi); run `pulumi refresh` to drop it from the stack, then `pulumi up` to create a new one"
      : messageOf(e);
    const message = `Cannot update API key "${String(olds.name)}" (${id}): ${failed} failed: ${reason}`;
    if (done === 0) throw new Error(message, { cause: e });
    // Some changes reached Palette: record what is known, the next `up` retries the rest.
    const partial = latest
      ? toOutputs(latest, carried, new Date())
      : ({ ...storedOutputs(olds), active: wantActive, status: wantActive ? "active" : "revoked" } as ApiKeyOutputs);
    throw new ResourceInitError(message, id, withProvider(partial, news.__provider));
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
  try {
    await client().apiKeys.delete(id);
  } catch (e) {
    if (keyIsGone(e)) return; // already gone: the desired end state
    throw withContext(`Cannot delete API key ${id}`, e);
  }
}
export { delete_ as delete };
