import { failure, harness, json, pathOf, v1Error } from "./support";

const user = (uid: string, email: string) => ({ metadata: { uid, name: uid }, spec: { emailId: email, roles: [] }, status: { isActive: true } });

describe("users.findByEmail", () => {
  test("posts the documented case-insensitive eq filter and returns the one match", async () => {
    const h = harness({ handler: () => json(200, { items: [user("u1", "Alice@Example.com")] }) });
    await expect(h.users.findByEmail("alice@example.com")).resolves.toMatchObject({ uid: "u1" });
    expect(pathOf(h.sent[0]!)).toBe("/v1/users/summary");
    expect(JSON.parse(h.sent[0]?.body ?? "")).toEqual({ filter: { emailId: { eq: "alice@example.com", ignoreCase: true } } });
  });

  test("no match is NOT_FOUND, several are CONFLICT, both with advice", async () => {
    const none = harness({ handler: () => json(200, { items: [] }) });
    const e1 = await failure(none.users.findByEmail("x@example.com"));
    expect(e1).toMatchObject({ code: "NOT_FOUND", operation: "users.findByEmail", method: "POST", path: "/v1/users/summary" });
    expect(e1.message).toContain("no user with email x@example.com");
    const two = harness({ handler: () => json(200, { items: [user("u1", "x@example.com"), user("u2", "X@example.com")] }) });
    const e2 = await failure(two.users.findByEmail("x@example.com"));
    expect(e2).toMatchObject({ code: "CONFLICT" });
    expect(e2.message).toContain("2 users match");
  });

  test("a search is side-effect free, so it is retried like a GET", async () => {
    const answers = [json(503, { code: "Unavailable" }), json(200, { items: [user("u1", "a@b")] })];
    const h = harness({ handler: () => answers.shift()! });
    await expect(h.users.findByEmail("a@b")).resolves.toMatchObject({ uid: "u1" });
    expect(h.sent).toHaveLength(2);
  });
});

describe("users.list", () => {
  test("a server that repeats its continue token is reported, not looped on", async () => {
    const h = harness({ handler: () => json(200, { items: [user("u1", "a@b")], listmeta: { continue: "same", count: 99, limit: 50, offset: 0 } }) });
    const e = await failure(h.users.list());
    expect(e).toMatchObject({ code: "RESPONSE_INVALID", operation: "users.list" });
    expect(h.sent).toHaveLength(2);
  });
});

describe("what a call handles", () => {
  test("each resource module's errors name what it handles, also for a request its call makes about something else", async () => {
    const h = harness({
      handler: (req) => {
        if (pathOf(req) === "/v1/apiKeys") return req.method === "POST" ? json(201, { apiKey: "value-1-xxxxxxxxxxxxxxxxxxxxxxxx" }) : json(200, { items: [] });
        return v1Error(404, "ResourceNotFound");
      },
    });
    const user = await failure(h.users.get("u1"));
    expect(user).toMatchObject({ code: "NOT_FOUND", resource: "user", operation: "users.get" });
    expect(user.message).toMatch(/-> 404 ResourceNotFound: ResourceNotFound\. No such user in this tenant\.$/);
    const key = await failure(h.apiKeys.get("k1"));
    expect(key).toMatchObject({ code: "NOT_FOUND", resource: "API key", operation: "apiKeys.get" });
    expect(key.message).toMatch(/No API key with this uid exists in the tenant/);
    // An answer without a uid and a list without the key: the create asks who the caller is, and
    // that request's failure is the create's, about an API key.
    const create = await failure(h.apiKeys.create({ name: "ci", expiresAt: new Date("2030-01-01T00:00:00Z") }));
    expect(create).toMatchObject({ code: "NOT_FOUND", resource: "API key", operation: "apiKeys.create", path: "/v1/users/info", orphanedKeyName: "ci" });
  });
});
