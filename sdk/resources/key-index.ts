/**
 * One answer of the shared `GET /v1/apiKeys`, read on demand. A create confirming its key or a read
 * of one uid needs one or two entries of a list that grows with the tenant (validating and mapping
 * 500 keys takes about 9 ms, on every create), so the answer's envelope is checked when it arrives
 * and each entry is validated and mapped only when a caller asks for it, at most once however many
 * callers share the answer. A malformed entry fails only the callers that need it.
 */
import { z } from "zod";
import { toIssues } from "../core/request";
import type { ParseSchema } from "../core/schema";
import type { PaletteIssue } from "../errors";
import type { ApiKey } from "../model";
import { ApiKeyResponse } from "./mapping";

/** Builds the caller's error (its operation, a `RESPONSE_INVALID`) from the issues of the entries it needed. */
export type InvalidEntries = (issues: readonly PaletteIssue[]) => Error;

type Entry = { readonly key: ApiKey } | { readonly issues: readonly PaletteIssue[] };

type RawEntry = Record<string, unknown>;

/** The raw `metadata[field]` of an entry when it is a string: enough to tell which entries a caller needs. */
function rawMeta(item: RawEntry, field: "uid" | "name"): string | undefined {
  const meta = item["metadata"];
  if (typeof meta !== "object" || meta === null) return undefined;
  const value = (meta as Record<string, unknown>)[field];
  return typeof value === "string" ? value : undefined;
}

export class ApiKeyIndex {
  private readonly entries: (Entry | undefined)[];
  /** Built at the first read by uid: a refresh makes hundreds of them on one list. */
  private uids: Map<string, number> | undefined;
  private everything: ApiKey[] | undefined;

  constructor(private readonly items: readonly RawEntry[]) {
    this.entries = new Array<Entry | undefined>(items.length);
  }

  /** The key with this uid (the first, as a full list's `find` would), or undefined when none is listed. */
  byUid(uid: string, invalid: InvalidEntries): ApiKey | undefined {
    if (this.uids === undefined) {
      const uids = new Map<string, number>();
      this.items.forEach((item, i) => {
        const key = rawMeta(item, "uid");
        if (key !== undefined && !uids.has(key)) uids.set(key, i);
      });
      this.uids = uids;
    }
    const i = this.uids.get(uid);
    return i === undefined ? undefined : this.keysAt([i], invalid)[0];
  }

  /** Every key with this name, in list order (a scan: only creates ask, one name each). */
  named(name: string, invalid: InvalidEntries): ApiKey[] {
    const at: number[] = [];
    this.items.forEach((item, i) => {
      if (rawMeta(item, "name") === name) at.push(i);
    });
    return this.keysAt(at, invalid);
  }

  /** Every key, as `apiKeys.list` returns them: any malformed entry fails the caller. */
  all(invalid: InvalidEntries): ApiKey[] {
    this.everything ??= this.keysAt(
      this.items.map((_, i) => i),
      invalid,
    );
    return [...this.everything];
  }

  private keysAt(indexes: readonly number[], invalid: InvalidEntries): ApiKey[] {
    const keys: ApiKey[] = [];
    const issues: PaletteIssue[] = [];
    for (const i of indexes) {
      const entry = this.entry(i);
      if ("key" in entry) keys.push(entry.key);
      else issues.push(...entry.issues);
    }
    if (issues.length > 0) throw invalid(issues);
    return keys;
  }

  private entry(i: number): Entry {
    const done = this.entries[i];
    if (done !== undefined) return done;
    const parsed = ApiKeyResponse.safeParse(this.items[i]);
    const entry: Entry = parsed.success
      ? { key: parsed.data }
      : { issues: toIssues(parsed.error).map((issue) => ({ ...issue, path: ["items", i, issue.path].filter((p) => p !== "").join(".") })) };
    this.entries[i] = entry;
    return entry;
  }
}

const isRawEntry = (v: unknown): v is RawEntry => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `v1ApiKeys` with its entries unread: `items` must be an array of objects (Go may send `null`),
 * each entry is checked when it is asked for. The objects are taken as they are, not copied (as a
 * `z.record` would, a third of the cost of reading the list). Declared a `ParseSchema` (see
 * core/schema.ts): the client's published declarations reach this file and must not need zod.
 */
export const ApiKeyIndexResponse: ParseSchema<ApiKeyIndex> = z
  .looseObject({ items: z.array(z.custom<RawEntry>(isRawEntry, "expected an object")).nullable() })
  .transform((w) => new ApiKeyIndex(w.items ?? []));
