/**
 * Errors from Palette's answers: the code for each status, the V1Error fields, the advice per status
 * and Palette error code (never repeating what Palette said), unexpected bodies, and the redaction of
 * everything echoed. Also the parameters rejected before sending and `PaletteError` itself.
 */
import { invalidParamsError, type ErrorContext } from "../../../sdk/core/error-context";
import { codeForStatus, errorFromResponse, responseInvalidError } from "../../../sdk/core/response-errors";
import { isNotFound, isPaletteError, PaletteError } from "../../../sdk";
import { ctx, SECRET } from "./support";

const envelope = (code: string | number, message: string, ref = "ref-0123456789abcdef01234567"): string =>
  JSON.stringify({ code, message, ref });

describe("codeForStatus", () => {
  test.each([
    [400, "INVALID_REQUEST"],
    [401, "UNAUTHENTICATED"],
    [403, "FORBIDDEN"],
    [404, "NOT_FOUND"],
    [405, "INVALID_REQUEST"],
    [409, "CONFLICT"],
    [422, "INVALID_REQUEST"],
    [429, "RATE_LIMITED"],
    [500, "SERVER"],
    [503, "SERVER"],
    [302, "RESPONSE_INVALID"],
  ] as const)("%i -> %s", (status, code) => {
    expect(codeForStatus(status)).toBe(code);
  });
});

describe("errorFromResponse", () => {
  test("carries status, the V1Error fields, method, path, operation and attempts", () => {
    const e = errorFromResponse(404, envelope("ResourceNotFound", "API key not found"), undefined, ctx());
    expect(isPaletteError(e)).toBe(true);
    expect(isNotFound(e)).toBe(true);
    expect(e).toMatchObject({
      code: "NOT_FOUND",
      status: 404,
      paletteCode: "ResourceNotFound",
      paletteMessage: "API key not found",
      ref: "ref-0123456789abcdef01234567",
      method: "GET",
      path: "/v1/apiKeys/66e844c44bab2337f20c7471",
      operation: "apiKeys.get",
      attempts: 1,
    });
    expect(e.message).toBe(
      "apiKeys.get failed: GET /v1/apiKeys/66e844c44bab2337f20c7471 -> 404 ResourceNotFound: API key not found. " +
        "No API key with this uid exists in the tenant (it may have been deleted).",
    );
  });

  test("401 with an API key says what is wrong with the key, in no engine's settings (the engines add theirs)", () => {
    const e = errorFromResponse(401, envelope("UnAuthorizedAccess", "invalid credentials"), undefined, ctx());
    expect(e.code).toBe("UNAUTHENTICATED");
    expect(e.message).toContain("The API key is missing, revoked or expired");
    expect(e.message).not.toMatch(/palette:|SPECTROCLOUD_/);
  });

  test("401 on login points at username and password; with a static token at renewing it", () => {
    const login = errorFromResponse(401, envelope("UnAuthorizedAccess", "bad"), undefined, ctx({ auth: "password", hints: { login: true } }));
    expect(login.message).toContain("The email, password or org is wrong");
    const token = errorFromResponse(401, "", undefined, ctx({ auth: "token" }));
    expect(token.message).toContain("tokens last 15 minutes");
  });

  test("403 on create for another user says only tenant admins may", () => {
    const e = errorFromResponse(
      403,
      envelope("OperationForbidden", "Operation 'apiKey.create' is forbidden"),
      undefined,
      ctx({ operation: "apiKeys.create", method: "POST", path: "/v1/apiKeys", hints: { createForOtherUser: true } }),
    );
    expect(e.code).toBe("FORBIDDEN");
    expect(e.message).toMatch(/Only tenant admins may create keys for other users\.$/);
    const said = errorFromResponse(
      403,
      envelope("OperationForbidden", "Operation 'apiKey.create' is forbidden for other users: only tenant admins may create API keys for other users"),
      undefined,
      ctx({ operation: "apiKeys.create", method: "POST", path: "/v1/apiKeys", hints: { createForOtherUser: true } }),
    );
    expect(said.message.match(/only tenant admins/gi)).toHaveLength(1);
  });

  test("ResourceLimitExceeded explains the per-user limit and how to raise it", () => {
    const e = errorFromResponse(400, envelope("ResourceLimitExceeded", "limit of 20 reached"), undefined, ctx({ operation: "apiKeys.create" }));
    expect(e.code).toBe("INVALID_REQUEST");
    expect(e.message).toContain("20 API keys per user by default");
    expect(e.message).toContain("PATCH /v1/tenants/{tenantUid}/resourceLimits");
    expect(e.message).toContain("Tenant Settings");
  });

  test("409 on keys says to pick another name", () => {
    const e = errorFromResponse(409, envelope("AlreadyExists", "exists"), undefined, ctx({ operation: "apiKeys.create" }));
    expect(e.code).toBe("CONFLICT");
    expect(e.message).toContain("choose another name");
  });

  const times = (text: string, phrase: RegExp): number => text.match(new RegExp(phrase.source, "gi"))?.length ?? 0;

  test("advice Palette's message already gives is not given again (409, 20-key limit)", () => {
    const conflict = errorFromResponse(
      409,
      envelope("AlreadyExists", "An API key named 'ci' already exists for this user: choose another name"),
      undefined,
      ctx({ operation: "apiKeys.create", method: "POST", path: "/v1/apiKeys" }),
    );
    expect(times(conflict.message, /already exists/)).toBe(1);
    expect(times(conflict.message, /choose another name/)).toBe(1);
    expect(conflict.message).toMatch(/delete the existing key\.$/);

    const onlyFact = errorFromResponse(409, envelope("AlreadyExists", "API key 'ci' already exists"), undefined, ctx({ operation: "apiKeys.create" }));
    expect(times(onlyFact.message, /already exists/)).toBe(1);
    expect(onlyFact.message).toMatch(/Choose another name, or delete the existing key\.$/);

    const limit = errorFromResponse(
      400,
      envelope(
        "ResourceLimitExceeded",
        "User 'a@b.c' already has 20 API keys, the tenant's limit of 20 per user: delete unused keys, or have a tenant admin raise the apiKey resource limit (PATCH /v1/tenants/{tenantUid}/resourceLimits)",
      ),
      undefined,
      ctx({ operation: "apiKeys.create", method: "POST", path: "/v1/apiKeys" }),
    );
    expect(times(limit.message, /delete unused keys/)).toBe(1);
    expect(times(limit.message, /resourceLimits/)).toBe(1);
    expect(limit.message).toContain("Tenant Settings > Resource Limits");
  });

  test("a 404 from creating a key for an unknown owner says the user is unknown, not the key", () => {
    const byCode = errorFromResponse(
      404,
      envelope("UserNotFound", "Specified user '0123456789abcdef01234567' not found"),
      undefined,
      ctx({ operation: "apiKeys.create", method: "POST", path: "/v1/apiKeys", hints: { createForOtherUser: true } }),
    );
    expect(byCode.code).toBe("NOT_FOUND");
    expect(byCode.message).not.toMatch(/API key with this uid/);
    expect(byCode.message).toMatch(/owner.*not a user of this tenant/);
    // By what the call handles and its method alone (a server that names no code): POST /v1/apiKeys has no key uid to miss.
    const byPath = errorFromResponse(404, "", undefined, ctx({ operation: "apiKeys.create", method: "POST", path: "/v1/apiKeys" }));
    expect(byPath.message).toMatch(/owner.*not a user of this tenant/);
    const key = errorFromResponse(404, envelope("ResourceNotFound", "API key 'x' not found"), undefined, ctx());
    expect(key.message).toContain("No API key with this uid");
  });

  test("the advice for a 404 and a 409 follows what the call handles, not its operation's name", () => {
    const key404 = errorFromResponse(404, "", undefined, ctx({ operation: "keys.read" }));
    expect(key404.message).toMatch(/No API key with this uid exists in the tenant \(it may have been deleted\)\.$/);
    expect(key404.resource).toBe("API key");
    // A user call, and a call about no resource (auth.*): a 404 is about a user, a 409 is generic.
    const { resource: _none, ...noResource } = ctx({ operation: "auth.login" });
    for (const other of [ctx({ resource: "user", operation: "apiKeys.like" }), noResource] as ErrorContext[]) {
      const notFound = errorFromResponse(404, "", undefined, other);
      expect(notFound.message).toMatch(/-> 404\. No such user in this tenant\.$/);
      expect(notFound.resource).toBe(other.resource);
      const ownerNotFound = errorFromResponse(404, "", undefined, { ...other, method: "POST" });
      expect(ownerNotFound.message).toMatch(/-> 404\. No such user in this tenant\.$/);
      const conflict = errorFromResponse(409, envelope("AlreadyExists", "exists"), undefined, other);
      expect(conflict.message).toMatch(/The resource already exists or was changed concurrently\.$/);
    }
  });

  test("a framework 404 (numeric code) points at the host setting", () => {
    const e = errorFromResponse(404, JSON.stringify({ code: 404, message: "path /v1/x was not found" }), undefined, ctx());
    expect(e.paletteCode).toBe(404);
    expect(e.message).toContain("points to the Palette API");
  });

  test("429 keeps Retry-After and says how many attempts were made", () => {
    const e = errorFromResponse(429, envelope("TooManyRequests", "slow down"), 2_000, ctx({ attempts: 5 }));
    expect(e).toMatchObject({ code: "RATE_LIMITED", retryAfterMs: 2_000, attempts: 5 });
    expect(e.message).toContain("(5 attempts made)");
  });

  test("5xx quotes the ref for support", () => {
    const e = errorFromResponse(503, envelope("ServiceUnavailable", "down", "ref-abc"), undefined, ctx());
    expect(e.code).toBe("SERVER");
    expect(e.message).toContain("quote ref ref-abc");
  });

  test("a non-JSON error body (a proxy page) becomes a short message, not a crash", () => {
    const e = errorFromResponse(502, "<html><body>  Bad   gateway </body></html>", undefined, ctx());
    expect(e.code).toBe("SERVER");
    expect(e.paletteCode).toBeUndefined();
    expect(e.paletteMessage).toBe("<html><body> Bad gateway </body></html>");
    const long = errorFromResponse(500, "x".repeat(5_000), undefined, ctx());
    expect(long.paletteMessage?.length).toBeLessThan(400);
  });

  test("secrets echoed by the server are redacted everywhere, details included", () => {
    const body = JSON.stringify({ code: "UnAuthorizedAccess", message: `key ${SECRET} is revoked`, details: { key: SECRET } });
    const e = errorFromResponse(401, body, undefined, ctx());
    for (const text of [e.message, e.paletteMessage ?? "", JSON.stringify(e), String(e), e.stack ?? ""]) {
      expect(text).not.toContain(SECRET);
    }
    expect(e.paletteMessage).toBe("key [REDACTED] is revoked");
    expect(e.details).toEqual({ key: "[REDACTED]" });
  });
});

describe("issue lists: an unexpected body, parameters rejected before sending", () => {
  test("responseInvalidError lists the issues", () => {
    const e = responseInvalidError(200, [{ path: "items.0.metadata.uid", message: "API key without metadata.uid" }], ctx());
    expect(e.code).toBe("RESPONSE_INVALID");
    expect(e.issues).toEqual([{ path: "items.0.metadata.uid", message: "API key without metadata.uid" }]);
    expect(e.message).toContain("items.0.metadata.uid: API key without metadata.uid");
  });

  test("invalidParamsError says nothing was sent", () => {
    const e = invalidParamsError([{ path: "metadata.name", message: "must not be empty" }], ctx({ method: "POST" }));
    expect(e).toMatchObject({ code: "INVALID_REQUEST", attempts: 0 });
    expect(e.status).toBeUndefined();
    expect(e.message).toContain("nothing was sent");
  });
});

describe("PaletteError", () => {
  test("is branded across module copies (Symbol.for), not by instanceof", () => {
    const e = new PaletteError({ code: "NOT_FOUND", message: "m", operation: "o", method: "GET", path: "/p", attempts: 1 });
    expect(isPaletteError(e)).toBe(true);
    const foreign = { [Symbol.for("pulumi-palette-apikeys.PaletteError")]: true, code: "NOT_FOUND" };
    expect(isPaletteError(foreign)).toBe(true);
    expect(isNotFound(foreign)).toBe(true);
    expect(isPaletteError(new Error("x"))).toBe(false);
    expect(isPaletteError(null)).toBe(false);
    expect(isNotFound(Object.assign(new Error("x"), { code: "NOT_FOUND" }))).toBe(false);
  });

  test("toJSON is structured and includes only set fields", () => {
    const e = new PaletteError({ code: "SERVER", message: "m", operation: "o", method: "GET", path: "/p", attempts: 2, status: 503 });
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      name: "PaletteError",
      code: "SERVER",
      mayHaveReachedServer: true,
      message: "m",
      operation: "o",
      method: "GET",
      path: "/p",
      attempts: 2,
      status: 503,
    });
    expect(e.name).toBe("PaletteError");
    expect(e).toBeInstanceOf(Error);
  });

  test("withContext keeps every field and changes the message", () => {
    const e = new PaletteError({ code: "TIMEOUT", message: "a", operation: "o", method: "POST", path: "/p", attempts: 3 });
    const w = e.withContext("apiKeys.create", "a b");
    expect(w).toMatchObject({ code: "TIMEOUT", message: "a b", operation: "apiKeys.create", method: "POST", attempts: 3 });
  });
});
