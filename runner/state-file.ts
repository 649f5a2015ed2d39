/**
 * The offline runner's state: what Pulumi keeps in a checkpoint, cut down to what a dynamic-resource
 * stack needs. In memory every value is plain and secretness is a list of top-level property names;
 * on disk each secret property is replaced by Pulumi's secret envelope holding ciphertext
 * (`{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1:..."}`),
 * so the file never holds a secret in clear.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PropertyMap } from "./engine-host";
import { PassphraseCrypter } from "./passphrase-crypter";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

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

interface StateFileV1 {
  version: 1;
  project: string;
  stack: string;
  encryptionSalt?: string;
  resources: (Omit<ResourceState, "inputs" | "outputs"> & { inputs: PropertyMap; outputs: PropertyMap })[];
  outputs: PropertyMap;
  secretOutputs: string[];
}

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

/** Parses a state file's text and decrypts its secrets. `where` names the file in errors. */
export function decodeState(
  text: string,
  project: string,
  stack: string,
  passphrase: string | undefined,
  where = "state file",
): { state: StackState; crypter?: PassphraseCrypter } {
  const raw = JSON.parse(text) as StateFileV1;
  if (raw.version !== 1) throw new Error(`${where}: unsupported version ${String(raw.version)}`);
  if (raw.project !== project || raw.stack !== stack) throw new Error(`${where} belongs to ${raw.project}/${raw.stack}, not ${project}/${stack}`);
  let crypter: PassphraseCrypter | undefined;
  const decrypt = (map: PropertyMap, secrets: string[]): PropertyMap => {
    const out: PropertyMap = { ...map };
    for (const key of secrets) {
      const envelope = map[key];
      if (!isEncryptedEnvelope(envelope)) continue;
      if (!crypter) {
        if (passphrase === undefined) throw new Error(`${where} holds secrets: set PULUMI_CONFIG_PASSPHRASE (or pass passphrase)`);
        if (!raw.encryptionSalt) throw new Error(`${where}: secrets without encryptionSalt`);
        crypter = PassphraseCrypter.fromSalt(passphrase, raw.encryptionSalt);
      }
      out[key] = JSON.parse(crypter.decrypt(envelope.ciphertext)) as unknown;
    }
    return out;
  };
  const state: StackState = {
    project,
    stack,
    resources: raw.resources.map((r) => ({ ...r, inputs: decrypt(r.inputs, r.secretInputs), outputs: decrypt(r.outputs, r.secretOutputs) })),
    outputs: decrypt(raw.outputs, raw.secretOutputs),
    secretOutputs: raw.secretOutputs,
  };
  // Keep the file's salt even when no secret is stored right now.
  if (!crypter && raw.encryptionSalt && passphrase !== undefined) crypter = PassphraseCrypter.fromSalt(passphrase, raw.encryptionSalt);
  return crypter ? { state, crypter } : { state };
}

/** Serializes the state with every secret property encrypted; creates a crypter from `passphrase` on first need. */
export function encodeState(state: StackState, passphrase: string | undefined, crypter?: PassphraseCrypter): { text: string; crypter?: PassphraseCrypter } {
  let c = crypter;
  const encrypt = (map: PropertyMap, secrets: string[]): PropertyMap => {
    const out: PropertyMap = { ...map };
    for (const key of secrets) {
      if (map[key] === undefined) continue;
      if (!c) {
        if (passphrase === undefined) throw new Error("the stack has secrets to store: set PULUMI_CONFIG_PASSPHRASE (or pass passphrase)");
        c = PassphraseCrypter.create(passphrase);
      }
      out[key] = { [SIG_KEY]: SECRET_SIG, ciphertext: c.encrypt(JSON.stringify(map[key])) };
    }
    return out;
  };
  const raw: StateFileV1 = {
    version: 1,
    project: state.project,
    stack: state.stack,
    resources: state.resources.map((r) => ({ ...r, inputs: encrypt(r.inputs, r.secretInputs), outputs: encrypt(r.outputs, r.secretOutputs) })),
    outputs: encrypt(state.outputs, state.secretOutputs),
    secretOutputs: state.secretOutputs,
  };
  if (c) raw.encryptionSalt = c.encryptionSalt;
  const text = `${JSON.stringify(raw, null, 2)}\n`;
  return c ? { text, crypter: c } : { text };
}

function isEncryptedEnvelope(v: unknown): v is { ciphertext: string } {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIG_KEY] === SECRET_SIG && typeof (v as Record<string, unknown>).ciphertext === "string";
}
