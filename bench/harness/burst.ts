/** A burst of parallel creates (then deletes) through one provider host process, as `pulumi up` of many new keys would do. */
import type { ProviderClient } from "../../runner/provider-client";
import { programInputs, providerText, type Props } from "./program";

const TYPE = "pulumi-nodejs:dynamic/palette:ApiKey";
const urn = (name: string): string => `urn:pulumi:dev::palette-reliability::${TYPE}::${name}`;

export interface Burst {
  created: { name: string; id: string; key: string; outputs: Props }[];
  failures: string[];
  durationMs: number;
  /** Deletes every created key, all at once; resolves with the failures and the time it took. */
  deleteAll(): Promise<{ failures: string[]; durationMs: number }>;
}

/** Checks and creates `count` keys at once through `host`. */
export async function burstCreates(host: ProviderClient, count: number): Promise<Burst> {
  const provider = await providerText();
  const names = Array.from({ length: count }, (_, i) => `burst-${i}`);
  const checked = await Promise.all(names.map((n) => host.check(urn(n), {}, programInputs(n, { description: "burst" }, provider))));
  const started = performance.now();
  const results = await Promise.allSettled(names.map((n, i) => host.create(urn(n), checked[i]?.inputs ?? {})));
  const durationMs = Math.round(performance.now() - started);
  const created: Burst["created"] = [];
  const failures: string[] = [];
  results.forEach((r, i) => {
    const name = names[i] ?? "?";
    if (r.status === "fulfilled") created.push({ name, id: r.value.id, key: String(r.value.properties.key), outputs: r.value.properties });
    else failures.push(`${name}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`);
  });
  return {
    created,
    failures,
    durationMs,
    async deleteAll() {
      const t = performance.now();
      const deletes = await Promise.allSettled(created.map((c) => host.delete(c.id, urn(c.name), c.outputs)));
      const failed = deletes.flatMap((d, i) =>
        d.status === "rejected" ? [`${created[i]?.name ?? "?"}: ${d.reason instanceof Error ? d.reason.message : String(d.reason)}`] : [],
      );
      return { failures: failed, durationMs: Math.round(performance.now() - t) };
    },
  };
}
