import { UNKNOWN, isSecretObject, secretObject, unwrapSecrets } from "../../../runner/wire-values";

const SECRET = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

describe("unwrapSecrets (RegisterResource inputs -> what the engine sends the provider)", () => {
  it("unwraps secrets, remembering which top-level names were secret", () => {
    expect(unwrapSecrets({ a: 1, token: SECRET("t0k3n"), nested: { inner: SECRET("x"), plain: 2 }, gone: undefined })).toEqual({
      values: { a: 1, token: "t0k3n", nested: { inner: "x", plain: 2 } },
      secretKeys: ["token", "nested"],
    });
  });

  it("keeps the unknown sentinel, also inside arrays, and secret array items mark the array", () => {
    expect(unwrapSecrets({ u: UNKNOWN, list: [1, SECRET(UNKNOWN)] })).toEqual({ values: { u: UNKNOWN, list: [1, UNKNOWN] }, secretKeys: ["list"] });
  });
});

describe("secretObject (the secret's wire and checkpoint shape, written once)", () => {
  it("puts the signature beside a value, as the runtime sends a secret, or beside a ciphertext, as a checkpoint stores one", () => {
    expect(secretObject({ value: "t0k3n" })).toEqual(SECRET("t0k3n"));
    expect(secretObject({ ciphertext: "v1:abc" })).toEqual({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" });
  });

  it("recognises either shape, and nothing without the signature", () => {
    expect(isSecretObject(SECRET(1))).toBe(true);
    expect(isSecretObject(secretObject({ ciphertext: "v1:abc" }))).toBe(true);
    expect(isSecretObject({ value: 1 })).toBe(false);
    expect(isSecretObject({ "4dabf18193072939515e22adb298388d": "other" })).toBe(false);
    expect(isSecretObject(null)).toBe(false);
    expect(isSecretObject("1b47061264138c4ac30d75fd1eb44270")).toBe(false);
  });
});
