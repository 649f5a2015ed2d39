/**
 * The keys a Pulumi or Terraform state manages, as `palette-apikeys audit` reads them: a
 * `pulumi stack export`, and for Terraform both `terraform show -json` and the raw state
 * (`terraform state pull`, version 4: what HCP Terraform, Atlantis and S3 backends hand out).
 * Keys a rotation replaced and keeps alive (`keepPrevious` / `keep_previous`) are managed too.
 *
 * A document of any other shape is refused: read as "no keys", it would call every key
 * unmanaged and make `--fail-on missing` unable to fire.
 */

/** One key a state file records. */
export interface ManagedKey {
  uid: string;
  address: string;
  /** True for a key a rotation replaced and keeps for its grace period; absent for the resource's own key. */
  kept?: true;
}

/** The document is not a state of the expected kind: a usage error, not a failure to read. */
export class StateFormatError extends Error {
  override name = "StateFormatError";
}

const PULUMI_TYPE = "pulumi-nodejs:dynamic/palette:ApiKey";
const TERRAFORM_TYPE = "palette_api_key";
/** The raw state format Terraform has written since 0.12. */
const RAW_STATE_VERSION = 4;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === "string" && v !== "";

/** The kept keys of one resource's state: `field` holds `[{ uid, ... }]` (Terraform's `previous_keys`, Pulumi's `previousKeys`). */
function keptKeys(list: unknown, owner: string, field: string): ManagedKey[] {
  if (!Array.isArray(list)) return [];
  return list
    .filter(isRecord)
    .map((k) => k.uid)
    .filter(nonEmpty)
    .map((uid) => ({ uid, address: `${owner}.${field}`, kept: true as const }));
}

/**
 * The keys in a `pulumi stack export`. Read-only `ApiKey.get` resources (`external`) are left out:
 * the stack does not manage them, and their absence is not the stack's loss.
 */
export function keysInPulumiExport(doc: unknown): ManagedKey[] {
  const deployment = isRecord(doc) ? doc.deployment : undefined;
  if (!isRecord(deployment)) throw new StateFormatError("not a `pulumi stack export` document (no deployment)");
  // A stack without resources exports a deployment with no `resources` at all.
  if (deployment.resources === undefined && isRecord(deployment.manifest)) return [];
  const resources = deployment.resources;
  if (!Array.isArray(resources)) throw new StateFormatError("not a `pulumi stack export` document (no deployment.resources)");
  return resources
    .filter(isRecord)
    .filter((r) => r.type === PULUMI_TYPE && r.external !== true && r.delete !== true && nonEmpty(r.id))
    .flatMap((r) => {
      const address = nonEmpty(r.urn) ? r.urn : (r.id as string);
      const kept = isRecord(r.outputs) ? keptKeys(r.outputs.previousKeys, address, "previousKeys") : [];
      return [{ uid: r.id as string, address }, ...kept];
    });
}

/** One `palette_api_key` object's keys, given its attributes and address. */
function keysOfTerraformObject(attributes: unknown, address: string): ManagedKey[] {
  if (!isRecord(attributes) || !nonEmpty(attributes.id)) return [];
  return [{ uid: attributes.id, address }, ...keptKeys(attributes.previous_keys, address, "previous_keys")];
}

/** `terraform show -json` of a state: child modules included; data sources are not managed. */
function keysInShowJson(doc: Record<string, unknown>): ManagedKey[] {
  if (doc.planned_values !== undefined || doc.resource_changes !== undefined) {
    throw new StateFormatError("is `terraform show -json` of a plan, not of a state: run `terraform show -json` without a plan file");
  }
  const values = doc.values;
  // An empty state prints no `values` at all.
  if (values === undefined) return [];
  if (!isRecord(values)) throw new StateFormatError("not a `terraform show -json` document (values is not an object)");
  const found: ManagedKey[] = [];
  const walk = (module: unknown): void => {
    if (!isRecord(module)) return;
    for (const r of Array.isArray(module.resources) ? module.resources : []) {
      if (!isRecord(r) || r.type !== TERRAFORM_TYPE || r.mode !== "managed" || !isRecord(r.values)) continue;
      found.push(...keysOfTerraformObject(r.values, nonEmpty(r.address) ? r.address : String(r.values.id)));
    }
    for (const child of Array.isArray(module.child_modules) ? module.child_modules : []) walk(child);
  };
  walk(values.root_module);
  return found;
}

/** `type.name[key]` with the module path in front, as Terraform prints addresses. */
function rawAddress(r: Record<string, unknown>, indexKey: unknown): string {
  const index = typeof indexKey === "number" ? `[${indexKey}]` : typeof indexKey === "string" ? `[${JSON.stringify(indexKey)}]` : "";
  const local = `${String(r.type)}.${String(r.name)}${index}`;
  return nonEmpty(r.module) ? `${r.module}.${local}` : local;
}

/** A raw version 4 state: every module's resources sit in one flat list, each naming its module. */
function keysInRawState(doc: Record<string, unknown>): ManagedKey[] {
  if (doc.version !== RAW_STATE_VERSION) {
    throw new StateFormatError(`is a raw Terraform state of version ${String(doc.version)}; only version ${RAW_STATE_VERSION} (Terraform 0.12 and later) is read`);
  }
  if (!Array.isArray(doc.resources)) throw new StateFormatError("not a raw Terraform state (no resources list)");
  const found: ManagedKey[] = [];
  for (const r of doc.resources) {
    if (!isRecord(r) || r.type !== TERRAFORM_TYPE || r.mode !== "managed" || !Array.isArray(r.instances)) continue;
    for (const instance of r.instances) {
      if (!isRecord(instance)) continue;
      found.push(...keysOfTerraformObject(instance.attributes, rawAddress(r, instance.index_key)));
    }
  }
  return found;
}

/** The keys in a Terraform state: `terraform show -json` output or a raw version 4 state. */
export function keysInTerraformState(doc: unknown): ManagedKey[] {
  if (isRecord(doc) && typeof doc.format_version === "string") return keysInShowJson(doc);
  if (isRecord(doc) && typeof doc.version === "number" && typeof doc.terraform_version === "string") return keysInRawState(doc);
  throw new StateFormatError("not a Terraform state: expected `terraform show -json` output or a raw state (`terraform state pull`, version 4)");
}
