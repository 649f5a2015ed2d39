/**
 * Orders resources so that each comes after its parent and the resources it depends on, as a Pulumi
 * snapshot must be ordered (pkg/resource/deploy/snapshot.go `VerifyIntegrity`); deletes run in the
 * reverse of it (pkg/resource/graph `DependencyGraph`).
 */
export interface Dependent {
  urn: string;
  parent?: string;
  dependencies?: readonly string[];
  /** A provider reference (`<urn>::<id>`): a resource comes after its provider. */
  provider?: string;
}

/**
 * A stable topological order: the input order wherever the dependencies allow it. References to
 * URNs not in the list are ignored; a cycle (only a corrupt state has one) keeps the input order.
 */
export function dependencyOrder<T extends Dependent>(resources: readonly T[]): T[] {
  const byUrn = new Map<string, T[]>();
  for (const r of resources) byUrn.set(r.urn, [...(byUrn.get(r.urn) ?? []), r]);
  const placed = new Set<T>();
  const visiting = new Set<T>();
  const out: T[] = [];
  const visit = (r: T): void => {
    if (placed.has(r) || visiting.has(r)) return;
    visiting.add(r);
    const provider = r.provider ? [r.provider.slice(0, r.provider.lastIndexOf("::"))] : [];
    for (const dep of [...(r.parent ? [r.parent] : []), ...provider, ...(r.dependencies ?? [])]) for (const d of byUrn.get(dep) ?? []) if (d !== r) visit(d);
    visiting.delete(r);
    placed.add(r);
    out.push(r);
  };
  for (const r of resources) visit(r);
  return out;
}
