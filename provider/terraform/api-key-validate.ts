/**
 * palette_api_key's validation: the core's format rules on every known value of the configuration,
 * reported on the attribute that is wrong. What `terraform validate` reports, and what every plan
 * checks first. Pure.
 */
import {
  descriptionProblem,
  expiresAtProblem,
  expiresInProblem,
  mutuallyExclusiveExpiry,
  nameProblem,
  ownerEmailProblem,
  ownerUidProblem,
} from "../core/rules";
import { rotationProblems, type RotationInput } from "../core/rotation";
import type { CtyObject, Diagnostic } from "../tfplugin6";
import { error, NAME_PREFIX, TERRAFORM_NAMES as N } from "./api-key-state";
import { stringAt } from "./values";

/** Format rules on every known value of the config: what `terraform validate` and plan report. */
export function validateApiKeyConfig(config: CtyObject): Diagnostic[] {
  const diags: Diagnostic[] = [];
  const rule = (attr: string, problem: (s: string) => string | undefined): void => {
    const v = stringAt(config, attr);
    if (typeof v !== "string") return;
    const reason = problem(v);
    if (reason !== undefined) diags.push(error(`Invalid ${attr}`, attr, `${attr} ${reason}`));
  };
  rule(N.name, (s) => nameProblem(s, `set a ${N.name}, or use ${NAME_PREFIX} instead for a generated one`));
  rule(N.description, descriptionProblem);
  rule(N.expiresIn, expiresInProblem);
  rule(N.expiresAt, expiresAtProblem);
  rule(N.userUid, ownerUidProblem);
  rule(N.userEmail, ownerEmailProblem);
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
  if (typeof prefix === "string") {
    const reason = nameProblem(prefix, `set a prefix such as "deployer", or use ${N.name} instead for a fixed name`);
    if (reason !== undefined) diags.push(error(`Invalid ${NAME_PREFIX}`, NAME_PREFIX, `${NAME_PREFIX} ${reason}`));
  }
  const rotateBefore = stringAt(config, N.rotateBefore);
  const keepPrevious = stringAt(config, N.keepPrevious);
  const durations = [
    [N.rotateBefore, rotateBefore],
    [N.keepPrevious, keepPrevious],
  ] as const;
  for (const [attr, value] of durations) {
    const reason = typeof value === "string" ? expiresInProblem(value) : undefined;
    if (reason !== undefined) diags.push(error(`Invalid ${attr}`, attr, `${attr} ${reason}`));
  }
  if (diags.some((d) => d.attribute?.[0] === N.rotateBefore || d.attribute?.[0] === N.keepPrevious)) return diags;
  const input: RotationInput = { rotateBefore, keepPrevious, explicitName: name !== undefined, expiresIn: stringAt(config, N.expiresIn), expiresAtGiven: stringAt(config, N.expiresAt) !== undefined };
  for (const f of rotationProblems(input, N, `use ${NAME_PREFIX} instead of ${N.name}`)) diags.push(error(`Invalid ${N[f.field]}`, N[f.field], f.reason));
  return diags;
}
