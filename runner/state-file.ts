/**
 * The offline runner's state file: a Pulumi checkpoint in the shape `pulumi stack export` prints
 * (`{"version": 3, "deployment": {"manifest", "secrets_providers", "resources": [...]}}`): the root
 * `pulumi:pulumi:Stack` (holding the stack outputs), the default `pulumi:providers:pulumi-nodejs`
 * provider (when there are dynamic resources), provider resources of plugins (`pulumi:providers:<pkg>`,
 * default and explicit, their inputs as outputs), then components and custom resources with urn,
 * type, id, inputs (`__provider` among them for dynamic ones), outputs, parent, dependencies,
 * `provider` (`<provider urn>::<provider id>`), `importID`, `protect`,
 * `retainOnDelete`, `initErrors`, `delete` (a pending delete) and `pendingReplacement`, in
 * dependency order. Each secret property is Pulumi's secret envelope holding ciphertext
 * (`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:..."}`),
 * so the file never holds a secret in clear. The ciphertext is the runner's own (scrypt +
 * AES-256-GCM, `passphrase-crypter.ts`), named `offline-runner-passphrase` in `secrets_providers`:
 * a `pulumi stack import` of the file needs its secrets re-encrypted with Pulumi's passphrase
 * provider first. In memory every value is plain and secretness is a list of top-level names.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PassphraseCrypter } from "./passphrase-crypter";
import { isSecretObject, secretObject, type PropertyMap } from "./wire-values";

/** One managed resource, as the engine would record it. */
export interface ResourceState {
  urn: string;
  type: string;
  name: string;
  id: string;
  /** Checked inputs (including `__provider`), as the last check returned them. */
  inputs: PropertyMap;
  /** Outputs (including `__provider`), as the last create/update/read returned them. */
  outputs: PropertyMap;
  /** Top-level input names that are secret. */
  secretInputs: string[];
  /** Top-level output names that are secret. */
  secretOutputs: string[];
  /** false for a component (no provider, no id); absent or true for a custom resource. */
  custom?: boolean;
  /** Parent URN, absent under the root stack. */
  parent?: string;
  /** URNs this resource depends on, as the runtime reported them. */
  dependencies?: string[];
  /** `protect`: deleting or replacing it fails. */
  protect?: boolean;
  /** `retainOnDelete`: a delete only drops it from the state. */
  retainOnDelete?: boolean;
  /**
   * Its provider's reference (`<provider urn>::<id>`) for a resource of a provider plugin; absent for
   * a dynamic resource (the default `pulumi-nodejs` provider) and for a provider resource itself.
   */
  provider?: string;
  /** The id the `import` option named, once imported: naming it again is no new import. */
  importId?: string;
  /** Set when create/update failed after the resource came to exist; the next `up` updates it. */
  initErrors?: string[];
  /**
   * The old half of a create-before-delete replacement whose replacement exists, still waiting to be
   * deleted (the engine's `Delete: true`). Set only once the new resource exists, so a failed create
   * never leaves the live resource marked for deletion.
   */
  pendingDelete?: boolean;
  /**
   * The old half of a delete-before-replace replacement: already deleted, its replacement not created
   * yet (the engine's `PendingReplacement`). The next `up` creates the replacement without deleting
   * anything; a program that no longer has the resource just drops it.
   */
  pendingReplacement?: boolean;
}

/** A whole stack's state, in dependency (registration) order. */
export interface StackState {
  project: string;
  stack: string;
  resources: ResourceState[];
  /** Stack outputs as the program exported them. */
  outputs: PropertyMap;
  /** Names of stack outputs that are secret. */
  secretOutputs: string[];
  /** The id of the default `pulumi:providers:pulumi-nodejs` provider every dynamic resource refers to. */
  providerId?: string;
}

/** One resource of a checkpoint (`apitype.ResourceV3`), as far as the runner writes it. */
export interface CheckpointResource {
  urn: string;
  custom: boolean;
  delete?: boolean;
  id?: string;
  type: string;
  inputs?: PropertyMap;
  outputs?: PropertyMap;
  parent?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  external?: boolean;
  dependencies?: string[];
  initErrors?: string[];
  provider?: string;
  pendingReplacement?: boolean;
  additionalSecretOutputs?: string[];
  importID?: string;
}

/** A checkpoint as `pulumi stack export` prints it (`apitype.UntypedDeployment` with a `DeploymentV3`). */
export interface Checkpoint {
  version: 3;
  deployment: {
    manifest: { time: string; magic: string; version: string };
    secrets_providers?: { type: string; state: { salt: string } };
    resources: CheckpointResource[];
  };
}

const STACK_TYPE = "pulumi:pulumi:Stack";
const PROVIDER_TYPE = "pulumi:providers:pulumi-nodejs";
const PROVIDER_TYPE_PREFIX = "pulumi:providers:";
const SECRETS_PROVIDER = "offline-runner-passphrase";

/** An empty stack. */
export function emptyState(project: string, stack: string): StackState {
  return { project, stack, resources: [], outputs: {}, secretOutputs: [] };
}

/**
 * Reads a state file (an absent file is an empty stack). `passphrase` is needed only when the file
 * holds secrets.
 */
export function loadState(file: string, project: string, stack: string, passphrase: string | undefined): { state: StackState; crypter?: PassphraseCrypter } {
  if (!fs.existsSync(file)) return { state: emptyState(project, stack) };
  return decodeState(fs.readFileSync(file, "utf8"), project, stack, passphrase, file);
}

/**
 * Writes the state atomically (temp file + rename, mode 0600), encrypting every secret property.
 * Returns the crypter used, created on first need from `passphrase`.
 */
export function saveState(file: string, state: StackState, passphrase: string | undefined, crypter?: PassphraseCrypter): PassphraseCrypter | undefined {
  const { text, crypter: used } = encodeState(state, passphrase, crypter);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return used;
}

/**
 * The project, stack and decrypted outputs of the stack whose state is `file` (for a
 * `StackReference` to it). An absent file is an error: the referenced stack must exist.
 */
export function loadStackOutputs(file: string, passphrase: string | undefined): StackState {
  const text = fs.readFileSync(file, "utf8");
  const urns = JSON.stringify((JSON.parse(text) as { deployment?: { resources?: { urn?: unknown }[] } }).deployment?.resources?.map((r) => r.urn) ?? []);
  const owner = /urn:pulumi:([^:"]*)::([^:"]*)::/.exec(urns);
  if (!owner) throw new Error(`${file}: a stack with no resources and no outputs`);
  return decodeState(text, owner[2] ?? "", owner[1] ?? "", passphrase, file).state;
}

/** The name part of a URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function nameOf(urn: string): string {
  return urn.split("::").slice(3).join("::");
}

/** Parses a state file's text and decrypts its secrets. `where` names the file in errors. */
export function decodeState(
  text: string,
  project: string,
  stack: string,
  passphrase: string | undefined,
  where = "state file",
): { state: StackState; crypter?: PassphraseCrypter } {
  const parsed = JSON.parse(text) as (Partial<Checkpoint> & { version?: unknown }) | LegacyStateFile;
  const raw = parsed.version === 1 ? fromLegacy(parsed as LegacyStateFile) : (parsed as Partial<Checkpoint> & { version?: unknown });
  if (raw.version !== 3 || !raw.deployment) throw new Error(`${where}: not a version 3 checkpoint (version ${String(raw.version)})`);
  const { resources } = raw.deployment;
  const owner = resources.map((r) => /^urn:pulumi:([^:]*)::([^:]*)::/.exec(r.urn)).find((m) => m !== null);
  if (owner && (owner[1] !== stack || owner[2] !== project)) throw new Error(`${where} belongs to ${owner[2] ?? ""}/${owner[1] ?? ""}, not ${project}/${stack}`);
  const salt = raw.deployment.secrets_providers?.state.salt;
  let crypter: PassphraseCrypter | undefined;
  const decrypt = (map: PropertyMap = {}): { values: PropertyMap; secrets: string[] } => {
    const values: PropertyMap = { ...map };
    const secrets: string[] = [];
    for (const [key, envelope] of Object.entries(map)) {
      if (!isEncryptedEnvelope(envelope)) continue;
      if (!crypter) {
        if (passphrase === undefined) throw new Error(`${where} holds secrets: set PULUMI_CONFIG_PASSPHRASE (or pass passphrase)`);
        if (!salt) throw new Error(`${where}: secrets without a secrets provider salt`);
        crypter = PassphraseCrypter.fromSalt(passphrase, salt);
      }
      values[key] = JSON.parse(crypter.decrypt(envelope.ciphertext)) as unknown;
      secrets.push(key);
    }
    return { values, secrets };
  };
  const state = emptyState(project, stack);
  for (const r of resources) {
    if (r.type === PROVIDER_TYPE) {
      if (r.id) state.providerId = r.id;
      continue;
    }
    const outputs = decrypt(r.outputs);
    if (r.type === STACK_TYPE && !r.parent) {
      state.outputs = outputs.values;
      state.secretOutputs = outputs.secrets;
      continue;
    }
    const inputs = decrypt(r.inputs);
    const provider = r.provider && !r.provider.includes(`::${PROVIDER_TYPE}::`) ? r.provider : undefined;
    state.resources.push({
      urn: r.urn,
      type: r.type,
      name: nameOf(r.urn),
      id: r.id ?? "",
      ...(r.custom ? {} : { custom: false }),
      ...(r.parent && r.parent !== stackUrnOf(r.urn) ? { parent: r.parent } : {}),
      dependencies: r.dependencies ?? [],
      ...(r.protect ? { protect: true } : {}),
      ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
      ...(provider ? { provider } : {}),
      ...(r.importID ? { importId: r.importID } : {}),
      inputs: inputs.values,
      outputs: outputs.values,
      secretInputs: inputs.secrets,
      secretOutputs: [...new Set([...outputs.secrets, ...(r.additionalSecretOutputs ?? [])])],
      ...(r.initErrors?.length ? { initErrors: r.initErrors } : {}),
      ...(r.delete ? { pendingDelete: true } : {}),
      ...(r.pendingReplacement ? { pendingReplacement: true } : {}),
    });
  }
  // Keep the file's salt even when no secret is stored right now.
  if (!crypter && salt && passphrase !== undefined) crypter = PassphraseCrypter.fromSalt(passphrase, salt);
  return crypter ? { state, crypter } : { state };
}

/** Serializes the state as a checkpoint, every secret property encrypted; creates a crypter from `passphrase` on first need. */
export function encodeState(state: StackState, passphrase: string | undefined, crypter?: PassphraseCrypter, now: Date = new Date()): { text: string; crypter?: PassphraseCrypter } {
  let c = crypter;
  const encrypt = (map: PropertyMap, secrets: readonly string[]): PropertyMap => {
    const out: PropertyMap = { ...map };
    for (const key of secrets) {
      if (map[key] === undefined) continue;
      if (!c) {
        if (passphrase === undefined) throw new Error("the stack has secrets to store: set PULUMI_CONFIG_PASSPHRASE (or pass passphrase)");
        c = PassphraseCrypter.create(passphrase);
      }
      out[key] = secretObject({ ciphertext: c.encrypt(JSON.stringify(map[key])) });
    }
    return out;
  };
  const stackUrn = `urn:pulumi:${state.stack}::${state.project}::${STACK_TYPE}::${state.project}-${state.stack}`;
  const resources: CheckpointResource[] = [];
  // The default dynamic provider is written for the resources that name no provider of their own.
  const dynamic = state.resources.filter((r) => r.custom !== false && !r.provider && !r.type.startsWith(PROVIDER_TYPE_PREFIX));
  if (state.resources.length > 0 || Object.keys(state.outputs).length > 0) {
    resources.push({ urn: stackUrn, custom: false, type: STACK_TYPE, outputs: encrypt(state.outputs, state.secretOutputs) });
  }
  let provider: string | undefined;
  if (dynamic.length > 0) {
    const providerUrn = `urn:pulumi:${state.stack}::${state.project}::${PROVIDER_TYPE}::default`;
    const id = state.providerId ?? "";
    provider = `${providerUrn}::${id}`;
    resources.push({ urn: providerUrn, custom: true, id, type: PROVIDER_TYPE, inputs: {}, outputs: {} });
  }
  for (const r of state.resources) {
    const isCustom = r.custom !== false;
    resources.push({
      urn: r.urn,
      custom: isCustom,
      ...(r.pendingDelete ? { delete: true } : {}),
      ...(isCustom ? { id: r.id } : {}),
      type: r.type,
      inputs: encrypt(r.inputs, r.secretInputs),
      outputs: encrypt(r.outputs, r.secretOutputs),
      parent: r.parent ?? stackUrn,
      ...(r.protect ? { protect: true } : {}),
      ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
      dependencies: r.dependencies ?? [],
      ...(r.initErrors?.length ? { initErrors: r.initErrors } : {}),
      ...(r.provider ? { provider: r.provider } : isCustom && provider && !r.type.startsWith(PROVIDER_TYPE_PREFIX) ? { provider } : {}),
      ...(r.importId ? { importID: r.importId } : {}),
      ...(r.pendingReplacement ? { pendingReplacement: true } : {}),
      ...(r.secretOutputs.length > 0 ? { additionalSecretOutputs: r.secretOutputs } : {}),
    });
  }
  const checkpoint: Checkpoint = {
    version: 3,
    deployment: {
      manifest: { time: now.toISOString(), magic: "", version: "pulumi-palette-apikeys offline runner" },
      ...(c ? { secrets_providers: { type: SECRETS_PROVIDER, state: { salt: c.encryptionSalt } } } : {}),
      resources,
    },
  };
  const text = `${JSON.stringify(checkpoint, null, 2)}\n`;
  return c ? { text, crypter: c } : { text };
}

/** The runner's own format before checkpoints (secret names listed beside envelopes of the same shape). */
interface LegacyStateFile {
  version: 1;
  project: string;
  stack: string;
  encryptionSalt?: string;
  resources: (Pick<ResourceState, "urn" | "type" | "id" | "inputs" | "outputs" | "initErrors" | "pendingDelete" | "pendingReplacement"> & { secretOutputs: string[] })[];
  outputs: PropertyMap;
}

/** Reads a state file of an earlier runner version as the checkpoint the runner writes now. */
function fromLegacy(raw: LegacyStateFile): Checkpoint {
  const stackUrn = `urn:pulumi:${raw.stack}::${raw.project}::${STACK_TYPE}::${raw.project}-${raw.stack}`;
  return {
    version: 3,
    deployment: {
      manifest: { time: "", magic: "", version: "" },
      ...(raw.encryptionSalt ? { secrets_providers: { type: SECRETS_PROVIDER, state: { salt: raw.encryptionSalt } } } : {}),
      resources: [
        { urn: stackUrn, custom: false, type: STACK_TYPE, outputs: raw.outputs },
        ...raw.resources.map((r) => ({
          urn: r.urn,
          custom: true,
          id: r.id,
          type: r.type,
          inputs: r.inputs,
          outputs: r.outputs,
          additionalSecretOutputs: r.secretOutputs,
          ...(r.initErrors ? { initErrors: r.initErrors } : {}),
          ...(r.pendingDelete ? { delete: true } : {}),
          ...(r.pendingReplacement ? { pendingReplacement: true } : {}),
        })),
      ],
    },
  };
}

function stackUrnOf(urn: string): string {
  const m = /^urn:pulumi:([^:]*)::([^:]*)::/.exec(urn);
  return m ? `urn:pulumi:${m[1] ?? ""}::${m[2] ?? ""}::${STACK_TYPE}::${m[2] ?? ""}-${m[1] ?? ""}` : "";
}

function isEncryptedEnvelope(v: unknown): v is { ciphertext: string } {
  return isSecretObject(v) && typeof v.ciphertext === "string";
}
