/**
 * Secrets in a run, as the engine keeps them. An output is secret when the program names it in
 * `additionalSecretOutputs` or its input of the same name arrived secret (the engine's rule for
 * providers that do not accept secrets, as @pulumi/pulumi's dynamic-provider host does not). It is
 * sent back to the runtime in the secret signature, stored encrypted (`state-file.ts`), and printed
 * as `[secret]` (`render-steps.ts`).
 *
 * Besides that rule, this module keeps every plain secret value a run has seen (config, inputs,
 * outputs, stack references), so that each line the run prints can be scrubbed of them: the last
 * line of defence for provider messages and errors, which can quote a value.
 */
import type { SecretValue } from "./provider-client";
import { scrub } from "./render-steps";
import type { ResourceState } from "./state-file";
import type { PropertyMap } from "./wire-values";

/** The output names the engine treats as secret: those named in `additionalSecretOutputs`, and those whose input arrived secret. */
export function secretOutputNames(req: { additionalSecretOutputs: readonly string[]; secretInputs: readonly string[] }): string[] {
  return [...new Set([...req.additionalSecretOutputs, ...req.secretInputs])];
}

/** Config as a program gets it: every value plain, and the names of the secret ones. */
export function programConfig(config: Record<string, string | SecretValue>): { plain: Record<string, string>; secretKeys: string[] } {
  const plain: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(config)) {
    plain[k] = typeof v === "string" ? v : v.secret;
    if (typeof v !== "string") secretKeys.push(k);
  }
  return { plain, secretKeys };
}

/** The plain secret values a run has seen, and the scrubbing of printed lines by them. */
export class SecretValues {
  private readonly values = new Set<string>();

  /** Every string inside `value` (objects and arrays are searched). */
  add(value: unknown): void {
    if (typeof value === "string") this.values.add(value);
    else if (value !== null && typeof value === "object") for (const v of Object.values(value)) this.add(v);
  }

  /** The values of the properties of `props` named in `secretKeys`. */
  addNamed(props: PropertyMap, secretKeys: readonly string[]): void {
    for (const k of secretKeys) this.add(props[k]);
  }

  /** A stored resource's secret inputs and outputs. */
  addResource(r: ResourceState): void {
    this.addNamed(r.inputs, r.secretInputs);
    this.addNamed(r.outputs, r.secretOutputs);
  }

  /** The secret values of the stack config. */
  addConfig(config: Record<string, string | SecretValue>): void {
    for (const v of Object.values(config)) if (typeof v !== "string") this.values.add(v.secret);
  }

  /** `text` with every secret value seen so far replaced by `[secret]`. */
  scrub(text: string): string {
    return scrub(text, this.values);
  }
}
