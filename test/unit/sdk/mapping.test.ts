import {
  ApiKeyListResponse,
  ApiKeyResponse,
  CreateResponse,
  parseWireDate,
  TokenResponse,
  UserInfoResponse,
  UserPageResponse,
  UserResponse,
  UserSummaryListResponse,
} from "../../../sdk/resources/mapping";
import { apiKeyStatus } from "../../../sdk";
import { parseISO } from "date-fns";
import fc from "fast-check";

/** The documented real `GET /v1/apiKeys` answer (docs/reference/palette-api.md §3.1), masked values filled in. */
const GOLDEN_LIST = {
  items: [
    {
      metadata: {
        annotations: {
          description: "",
          ownerUid: "5f1b2c3d4e5f6a7b8c9d0e1f",
          permissions: "apiKey.create,apiKey.delete,apiKey.get,apiKey.list,apiKey.update,tag.update",
          scope: "tenant",
          scopeVisibility: "20",
          tenantUid: "60a1b2c3d4e5f6a7b8c9d0e1",
        },
        creationTimestamp: "2024-09-16T14:46:28.677Z",
        deletionTimestamp: "0001-01-01T00:00:00.000Z",
        lastModifiedTimestamp: "2024-09-16T14:46:29.079Z",
        name: "remove-me-test",
        uid: "66e844c44bab2337f20c7471",
      },
      spec: { expiry: "2024-09-23T14:46:28.164Z", user: { firstName: "example", lastName: "example", uid: "5f1b2c3d4e5f6a7b8c9d0e1f" } },
      status: { isActive: true },
    },
  ],
};

describe("API key mapping", () => {
  test("the golden real response maps to the domain object", () => {
    const keys = ApiKeyListResponse.parse(GOLDEN_LIST);
    expect(keys).toEqual([
      {
        uid: "66e844c44bab2337f20c7471",
        name: "remove-me-test",
        description: "",
        expiresAt: new Date("2024-09-23T14:46:28.164Z"),
        active: true,
        user: { uid: "5f1b2c3d4e5f6a7b8c9d0e1f", firstName: "example", lastName: "example" },
        createdAt: new Date("2024-09-16T14:46:28.677Z"),
        updatedAt: new Date("2024-09-16T14:46:29.079Z"),
        annotations: GOLDEN_LIST.items[0]?.metadata.annotations,
      },
    ]);
    expect(apiKeyStatus(keys[0]!, new Date("2024-09-20T00:00:00Z"))).toBe("active");
    expect(apiKeyStatus(keys[0]!, new Date("2024-09-24T00:00:00Z"))).toBe("expired");
  });

  test("a missing isActive reads as false (Go omitempty), and the key is revoked", () => {
    const item = { ...GOLDEN_LIST.items[0]!, status: {} };
    const key = ApiKeyResponse.parse(item);
    expect(key.active).toBe(false);
    expect(apiKeyStatus(key, new Date("2024-09-20T00:00:00Z"))).toBe("revoked");
    expect(ApiKeyResponse.parse({ ...item, status: null }).active).toBe(false);
    expect(ApiKeyResponse.parse({ metadata: item.metadata, spec: item.spec }).active).toBe(false);
  });

  test("zero and absent timestamps are null; the owner falls back to the ownerUid annotation", () => {
    const key = ApiKeyResponse.parse({
      metadata: { uid: "u1", name: "n", creationTimestamp: "0001-01-01T00:00:00.000Z", annotations: { ownerUid: "owner-1" } },
      spec: { expiry: "0001-01-01T00:00:00Z" },
    });
    expect(key).toMatchObject({ createdAt: null, updatedAt: null, expiresAt: null, user: { uid: "owner-1", firstName: "", lastName: "" } });
    expect(apiKeyStatus(key, new Date())).toBe("revoked");
  });

  test("unknown extra fields are tolerated; null items is an empty list", () => {
    expect(ApiKeyListResponse.parse({ items: null, listmeta: { x: 1 } })).toEqual([]);
    const key = ApiKeyResponse.parse({ ...GOLDEN_LIST.items[0]!, futureField: { a: 1 } });
    expect(key.uid).toBe("66e844c44bab2337f20c7471");
  });

  test("an item without uid is reported with its path, not silently dropped", () => {
    const r = ApiKeyListResponse.safeParse({ items: [GOLDEN_LIST.items[0], { metadata: { name: "x" } }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join("."))).toEqual(["items.1.metadata.uid"]);
  });

  test("a malformed timestamp is a schema issue", () => {
    const r = ApiKeyResponse.safeParse({ metadata: { uid: "u", creationTimestamp: "yesterday" } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(["metadata", "creationTimestamp"]);
  });

  test("the create answer keeps its value and treats an empty uid as none", () => {
    expect(CreateResponse.parse({ apiKey: "v", uid: "" })).toEqual({ value: "v", uid: undefined });
    expect(CreateResponse.parse({ apiKey: "v", uid: "x" })).toEqual({ value: "v", uid: "x" });
    expect(CreateResponse.safeParse({ uid: "x" }).success).toBe(false);
  });
});

describe("parseWireDate", () => {
  test.each([
    [undefined, null],
    [null, null],
    ["", null],
    ["0001-01-01T00:00:00.000Z", null],
    ["0001-01-01T00:00:00Z", null],
    ["2024-09-23T14:46:28.164Z", "2024-09-23T14:46:28.164Z"],
    ["2024-09-23T16:46:28+02:00", "2024-09-23T14:46:28.000Z"],
  ] as const)("%p -> %p", (input, expected) => {
    const d = parseWireDate(input);
    expect(d === null ? null : d.toISOString()).toBe(expected);
  });

  // parseWireDate computes Palette's shape itself (it is on every key of every list): it must agree
  // with date-fns' parseISO to the millisecond, also on out-of-range fields and odd precisions.
  test("agrees with parseISO on RFC 3339 timestamps, valid or not", () => {
    const n = (lo: number, hi: number, width: number) => fc.integer({ min: lo, max: hi }).map((v) => String(v).padStart(width, "0"));
    const fraction = fc.oneof(fc.constant(""), fc.stringMatching(/^\.\d{1,9}$/));
    const zone = fc.oneof(fc.constant("Z"), fc.constant("z"), fc.tuple(fc.constantFrom("+", "-"), n(0, 25, 2), n(0, 61, 2)).map(([s, h, m]) => `${s}${h}:${m}`));
    const stamp = fc
      .tuple(n(0, 9999, 4), n(0, 13, 2), n(0, 32, 2), fc.constantFrom("T", " "), n(0, 25, 2), n(0, 61, 2), n(0, 61, 2), fraction, zone)
      .map(([y, mo, d, t, h, mi, s, f, z]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}${f}${z}`);
    fc.assert(
      fc.property(stamp, (value) => {
        const reference = parseISO(value);
        const expected = Number.isNaN(reference.getTime()) || reference.getUTCFullYear() <= 1 ? null : reference.getTime();
        expect(parseWireDate(value)?.getTime() ?? null).toBe(expected);
      }),
      { seed: 10, numRuns: 2_000 },
    );
    for (const leap of ["2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T23:59:59.999999999+01:30"])
      expect(parseWireDate(leap)?.getTime() ?? null).toBe(Number.isNaN(parseISO(leap).getTime()) ? null : parseISO(leap).getTime());
  });
});

describe("user mapping", () => {
  const wire = {
    metadata: { uid: "u1", name: "Alice Anders", creationTimestamp: "2024-01-01T00:00:00.000Z" },
    spec: { emailId: "alice@example.com", firstName: "Alice", lastName: "Anders", roles: ["r1"] },
    status: { isActive: true, lastSignIn: "0001-01-01T00:00:00.000Z" },
  };

  test("maps v1User", () => {
    expect(UserResponse.parse(wire)).toEqual({
      uid: "u1",
      name: "Alice Anders",
      email: "alice@example.com",
      firstName: "Alice",
      lastName: "Anders",
      roles: ["r1"],
      active: true,
      createdAt: new Date("2024-01-01T00:00:00.000Z"),
    });
  });

  test("a users page yields items and the continue token ('' at the end)", () => {
    expect(UserPageResponse.parse({ items: [wire], listmeta: { continue: "abc", count: 1, limit: 50, offset: 0 } }).continueToken).toBe("abc");
    expect(UserPageResponse.parse({ items: null }).continueToken).toBe("");
  });

  test("summary roles are objects; their names become roles", () => {
    const [u] = UserSummaryListResponse.parse({
      items: [{ metadata: { uid: "u2" }, spec: { emailId: "b@x", roles: [{ name: "Tenant Admin", uid: "r" }, { uid: "r2" }, {}] } }],
    });
    expect(u).toMatchObject({ uid: "u2", email: "b@x", roles: ["Tenant Admin", "r2"], active: false, createdAt: null });
  });

  test("user info and token answers", () => {
    expect(UserInfoResponse.parse({ tenantUid: "t", userUid: "u" })).toEqual({ tenantUid: "t", userUid: "u", orgName: "" });
    expect(TokenResponse.parse({ Authorization: "jwt", isMfa: false })).toBe("jwt");
    expect(TokenResponse.safeParse({ authorization: "jwt" }).success).toBe(false);
  });
});
