import * as pulumi from "@pulumi/pulumi";
import { UNKNOWN } from "../../../runner/engine-host";
import { normalizeInputs } from "../../../runner/offline-engine";

const SECRET = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });

describe("normalizeInputs (mock inputs -> what the engine sends the provider)", () => {
  it("unwraps secrets, remembering which top-level names were secret", () => {
    expect(normalizeInputs({ a: 1, token: SECRET("t0k3n"), nested: { inner: SECRET("x"), plain: 2 }, gone: undefined })).toEqual({
      values: { a: 1, token: "t0k3n", nested: { inner: "x", plain: 2 } },
      secretKeys: ["token", "nested"],
    });
  });

  it("turns pulumi.unknown into the wire sentinel, also inside arrays", () => {
    expect(normalizeInputs({ u: pulumi.unknown, list: [1, pulumi.unknown] }).values).toEqual({ u: UNKNOWN, list: [1, UNKNOWN] });
  });
});
