import { redactSecrets, REDACTED, SecretRegistry } from "../../../sdk/core/redact";
import { jwtExpiresAt } from "../../../sdk/core/jwt";
import { redactSecrets as publicRedact } from "../../../sdk";

const jwt = (claims: object): string =>
  [
    Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url"),
    Buffer.from(JSON.stringify(claims)).toString("base64url"),
    "c2lnbmF0dXJl",
  ].join(".");

describe("redactSecrets", () => {
  test("is the public helper", () => {
    expect(publicRedact).toBe(redactSecrets);
  });

  test("replaces every occurrence, and the URL-encoded form", () => {
    expect(redactSecrets("a p@ss/w b p@ss/w c p%40ss%2Fw", ["p@ss/w"])).toBe(`a ${REDACTED} b ${REDACTED} c ${REDACTED}`);
  });

  test("replaces the longest secret first, so no suffix of a secret survives", () => {
    expect(redactSecrets("token abc1def2", ["abc1", "abc1def2"])).toBe(`token ${REDACTED}`);
  });

  test("hides anything shaped like a JWT even when not registered", () => {
    const t = jwt({ sub: "u", exp: 1 });
    expect(redactSecrets(`Authorization: ${t} end`, [])).toBe(`Authorization: ${REDACTED} end`);
  });

  test("ignores empty secrets and leaves other text alone", () => {
    expect(redactSecrets("nothing to hide", ["", "zzz"])).toBe("nothing to hide");
  });
});

describe("SecretRegistry", () => {
  test("keeps fixed credentials and a bounded window of rotating ones", () => {
    const r = new SecretRegistry(2);
    r.addFixed("apikey-1234");
    r.add("one1");
    r.add("two2");
    r.add("three3");
    expect(r.all()).toEqual(["apikey-1234", "two2", "three3"]);
    expect(r.redact("apikey-1234 one1 three3")).toBe(`${REDACTED} one1 ${REDACTED}`);
  });
});

describe("jwtExpiresAt", () => {
  test("reads exp (seconds) as a Date", () => {
    expect(jwtExpiresAt(jwt({ exp: 1_700_000_900 }))?.toISOString()).toBe("2023-11-14T22:28:20.000Z");
  });

  test.each([["no exp", jwt({ sub: "x" })], ["not a JWT", "abc"], ["bad payload", "a.!!!.c"], ["string exp", jwt({ exp: "soon" })], ["array payload", `a.${Buffer.from("[1]").toString("base64url")}.c`]])(
    "%s -> undefined",
    (_what, token) => {
      expect(jwtExpiresAt(token)).toBeUndefined();
    },
  );
});
