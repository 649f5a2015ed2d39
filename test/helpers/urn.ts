/**
 * URNs for tests that call a provider through the ProviderClient directly, with no engine to name
 * the resources: each call needs the URN the engine would have given.
 */

/** The URN the engine gives a top-level resource: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function urnOf(o: { project: string; stack: string; type: string; name: string }): string {
  return `urn:pulumi:${o.stack}::${o.project}::${o.type}::${o.name}`;
}
