import { failure, harness, json, pathOf, type SentRequest } from "./support";

const ME = "aaaaaaaaaaaaaaaaaaaaaaa1";
const GOOD = "000000000000000000000001";
const BROKEN = "000000000000000000000002";
const NEW = "000000000000000000000003";
/** A value left in the deprecated `spec.key` of the malformed entry: it must reach no error. */
const LEAKY = "leaky-value-0123456789abcdef";

const entry = (uid: string, name: string, created = "2025-01-01T00:00:00.000Z") => ({
  metadata: { uid, name, creationTimestamp: created },
  spec: { expiry: "2026-01-01T00:00:00.000Z", user: { uid: ME }, key: LEAKY },
  status: { isActive: true },
});

/** A tenant with one good key and one whose timestamp no client can read; a POST lists `ci` (malformed on request). */
function tenant(o: { newKeyBroken?: boolean } = {}) {
  const items: unknown[] = [entry(GOOD, "good"), entry(BROKEN, "broken", "yesterday")];
  const handler = (req: SentRequest) => {
    if (pathOf(req) !== "/v1/apiKeys") return json(404, { code: 404, message: "not found" });
    if (req.method === "GET") return json(200, { items });
    items.push(entry(NEW, "ci", o.newKeyBroken === true ? "not a time" : "2025-01-01T00:00:00.000Z"));
    return json(201, { apiKey: "created-value-0123456789abcdef", uid: ME });
  };
  return harness({ handler });
}

describe("the shared list reads only the entries a caller needs", () => {
  test("a malformed entry fails the caller who needs it with RESPONSE_INVALID, naming the entry and no secret", async () => {
    const h = tenant();
    const e = await failure(h.apiKeys.findShared(BROKEN));
    expect(e).toMatchObject({ code: "RESPONSE_INVALID", status: 200, operation: "apiKeys.findShared", method: "GET", path: "/v1/apiKeys" });
    expect(e.message).toMatch(/items\.1\.metadata\.creationTimestamp/);
    expect(e.message).not.toContain(LEAKY);
    // The full list validates every entry, as `list` does.
    const all = await failure(h.apiKeys.listShared());
    expect(all).toMatchObject({ code: "RESPONSE_INVALID", operation: "apiKeys.listShared" });
    expect(all.message).toMatch(/items\.1\.metadata\.creationTimestamp/);
    expect((await failure(h.apiKeys.list())).code).toBe("RESPONSE_INVALID");
  });

  test("callers of other keys are unaffected: a read by uid, an absent uid, and a create", async () => {
    const h = tenant();
    await expect(h.apiKeys.findShared(GOOD)).resolves.toMatchObject({ uid: GOOD, name: "good", user: { uid: ME } });
    await expect(h.apiKeys.findShared("f".repeat(24))).resolves.toBeUndefined();
    const created = await h.apiKeys.create({ name: "ci", expiresAt: new Date("2026-01-01T00:00:00Z") });
    expect(created.apiKey).toMatchObject({ uid: NEW, name: "ci" });
  });

  test("a create whose own entry is malformed fails with RESPONSE_INVALID, naming the key to delete and no value", async () => {
    const h = tenant({ newKeyBroken: true });
    const e = await failure(h.apiKeys.create({ name: "ci", expiresAt: new Date("2026-01-01T00:00:00Z") }));
    expect(e).toMatchObject({ code: "RESPONSE_INVALID", operation: "apiKeys.create", orphanedKeyName: "ci" });
    expect(e.message).toMatch(/items\.2\.metadata\.creationTimestamp/);
    expect(e.message).not.toContain(LEAKY);
    expect(e.message).not.toContain("created-value");
  });

  test("readers sharing one answer share each mapped entry: it is mapped once, not once per reader", async () => {
    const h = tenant();
    const reads = await Promise.all(Array.from({ length: 50 }, () => h.apiKeys.findShared(GOOD)));
    expect(h.sent.filter((r) => r.method === "GET")).toHaveLength(1);
    for (const key of reads) expect(key).toBe(reads[0]);
    // A later read gets a new list, mapped afresh.
    const later = await h.apiKeys.findShared(GOOD);
    expect(later).toEqual(reads[0]);
    expect(later).not.toBe(reads[0]);
  });
});

test("a list whose items are not objects fails every reader of it with RESPONSE_INVALID", async () => {
  const h = harness({ handler: () => json(200, { items: [entry(GOOD, "good"), "not a key"] }) });
  const e = await failure(h.apiKeys.findShared(GOOD));
  expect(e).toMatchObject({ code: "RESPONSE_INVALID", operation: "apiKeys.listShared" });
  expect(e.message).toMatch(/items\.1/);
});
