import { Router, routingError, type Route } from "../../../emulator/router";

const h = () => ({ status: 200 });
const route = (method: string, pattern: string): Route => ({ method, pattern, handle: h });
const router = new Router([
  route("GET", "/v1/users"),
  route("GET", "/v1/users/meta"),
  route("POST", "/v1/users/summary"),
  route("GET", "/v1/users/:uid"),
  route("PUT", "/v1/apiKeys/:uid"),
  route("PATCH", "/v1/apiKeys/:uid"),
  route("PUT", "/v1/apiKeys/:uid/state"),
]);

describe("Router", () => {
  it("matches literal segments before parameters", () => {
    expect(router.match("GET", "/v1/users/meta")).toMatchObject({ kind: "found", params: {} });
    expect(router.match("GET", "/v1/users/summary")).toEqual({ kind: "methodNotAllowed", allowed: ["POST"] });
    expect(router.match("GET", "/v1/users/abc")).toMatchObject({ kind: "found", params: { uid: "abc" } });
  });

  it("decodes parameters, and refuses malformed encodings with 400", () => {
    expect(router.match("PUT", "/v1/apiKeys/a%2Fb/state")).toMatchObject({ kind: "found", params: { uid: "a/b" } });
    expect(() => router.match("PUT", "/v1/apiKeys/%E0%A4%A")).toThrow(expect.objectContaining({ status: 400, code: "InvalidRequest" }));
  });

  it("tells a wrong method (405, allowed list) from an unknown path (404) and an empty segment", () => {
    expect(router.match("DELETE", "/v1/apiKeys/x")).toEqual({ kind: "methodNotAllowed", allowed: ["PUT", "PATCH"] });
    expect(router.match("GET", "/v1/nothing")).toEqual({ kind: "notFound" });
    expect(router.match("PUT", "/v1/apiKeys/")).toEqual({ kind: "notFound" });
  });

  it("builds go-openapi style framework errors with numeric codes", () => {
    expect(routingError({ kind: "notFound" }, "GET", "/v1/x")).toMatchObject({ status: 404, code: 404, message: "path /v1/x was not found" });
    const e = routingError({ kind: "methodNotAllowed", allowed: ["GET", "POST"] }, "PUT", "/v1/apiKeys");
    expect(e).toMatchObject({ status: 405, code: 405, message: "method PUT is not allowed, but [GET, POST] are", headers: { Allow: "GET, POST" } });
  });
});
