/**
 * palette_api_key's validation: the core's format rules on every known value of the configuration,
 * reported on the attribute that is wrong. What `terraform validate` reports, and what every plan
 * checks first. Pure, but for encrypt_for, whose public key is read with the OpenPGP library (loaded
 * only when encrypt_for is set).
 */
import { recipientProblem } from "../core/encryption";
import { mutuallyExclusiveExpiry, nameProblem, textRules, type TextRule } from "../core/rules";
import { rotationProblems, type RotationInput } from "../core/rotation";
import type { CtyObject, Diagnostic } from "../tfplugin6";
import { error, NAME_PREFIX, TERRAFORM_NAMES as N } from "./api-key-state";
import { stringAt } from "./values";

/** The core's format rule of each field (the same as Pulumi's), with Terraform's advice for an empty name. */
const RULES = textRules(`set a ${N.name}, or use ${NAME_PREFIX} instead for a generated one`);

/** A rule's verdict on a known value of `attr`, as a diagnostic on it. */
function invalid(config: CtyObject, attr: string, problem: TextRule): Diagnostic[] {
  const v = stringAt(config, attr);
  const reason = typeof v === "string" ? problem(v) : undefined;
  return reason !== undefined ? [error(`Invalid ${attr}`, attr, `${attr} ${reason}`)] : [];
}

/** Format rules on every known value of the config: what `terraform validate` and plan report. */
export function validateApiKeyConfig(config: CtyObject): Diagnostic[] {
  const diags: Diagnostic[] = [];
  // The rotation durations are checked below, with naming and rotation.
  for (const field of ["name", "description", "expiresIn", "expiresAt", "userUid", "userEmail"] as const) {
    diags.push(...invalid(config, N[field], RULES[field]));
  }
  if (stringAt(config, N.expiresIn) !== undefined && stringAt(config, N.expiresAt) !== undefined) {
    diags.push(error("Conflicting expiry", N.expiresAt, mutuallyExclusiveExpiry(N)));
  }
  diags.push(...rotationDiagnostics(config));
  if (stringAt(config, N.userUid) !== undefined && stringAt(config, N.userEmail) !== undefined) {
    diags.push(error("Conflicting owner", N.userEmail, `${N.userUid} and ${N.userEmail} are mutually exclusive: name the owner by one of them`));
  }
  return diags;
}

/** Naming and rotation: one of name and name_prefix, and the combinations that cannot rotate. */
function rotationDiagnostics(config: CtyObject): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const name = stringAt(config, N.name);
  const prefix = stringAt(config, NAME_PREFIX);
  if (name !== undefined && prefix !== undefined) diags.push(error("Conflicting name", NAME_PREFIX, `${N.name} and ${NAME_PREFIX} are mutually exclusive: set one of them`));
  if (name === undefined && prefix === undefined) diags.push(error("Missing name", N.name, `set ${N.name}, or ${NAME_PREFIX} for a new random suffix per key`));
  diags.push(...invalid(config, NAME_PREFIX, (s) => nameProblem(s, `set a prefix such as "deployer", or use ${N.name} instead for a fixed name`)));
  const rotateBefore = stringAt(config, N.rotateBefore);
  const keepPrevious = stringAt(config, N.keepPrevious);
  for (const field of ["rotateBefore", "keepPrevious"] as const) diags.push(...invalid(config, N[field], RULES[field]));
  if (diags.some((d) => d.attribute?.[0] === N.rotateBefore || d.attribute?.[0] === N.keepPrevious)) return diags;
  const input: RotationInput = { rotateBefore, keepPrevious, explicitName: name !== undefined, expiresIn: stringAt(config, N.expiresIn), expiresAtGiven: stringAt(config, N.expiresAt) !== undefined };
  for (const f of rotationProblems(input, N, `use ${NAME_PREFIX} instead of ${N.name}`)) diags.push(error(`Invalid ${N[f.field]}`, N[f.field], f.reason));
  return diags;
}

/** encrypt_for, when known: a public key that can encrypt now (see core/encryption.ts). */
export async function recipientDiagnostics(config: CtyObject): Promise<Diagnostic[]> {
  const armored = stringAt(config, N.encryptFor);
  if (typeof armored !== "string") return [];
  const reason = await recipientProblem(armored);
  return reason !== undefined ? [error(`Invalid ${N.encryptFor}`, N.encryptFor, `${N.encryptFor} ${reason}`)] : [];
}

/** Every rule on the configuration: the format rules, then the recipient key when they pass. */
export async function validateApiKeyConfigFully(config: CtyObject): Promise<Diagnostic[]> {
  const diags = validateApiKeyConfig(config);
  return [...diags, ...(await recipientDiagnostics(config))];
}
