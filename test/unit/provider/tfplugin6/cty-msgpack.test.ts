import { decode, encode, ExtData } from "@msgpack/msgpack";
import { UNKNOWN, type CtyObject } from "../../../../provider/tfplugin6/cty";
import type { BlockSchema } from "../../../../provider/tfplugin6";
import { CtyTypeError, decodeBlockValue, decodeValue, encodeBlockValue, encodeValue } from "../../../../provider/tfplugin6/cty-msgpack";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

const BLOCK: BlockSchema = {
  attributes: [
    { name: "id", type: "string", computed: true, description: "" },
    { name: "count", type: "number", optional: true, description: "" },
    { name: "on", type: "bool", optional: true, description: "" },
    { name: "tags", type: ["map", "string"], optional: true, description: "" },
    { name: "names", type: ["list", "string"], optional: true, description: "" },
    { name: "owner", type: ["object", { uid: "string", email: "string" }], optional: true, description: "" },
  ],
  blockTypes: [
    { typeName: "timeouts", nesting: "single", block: { attributes: [{ name: "create", type: "string", optional: true, description: "" }] } },
    { typeName: "rule", nesting: "list", block: { attributes: [{ name: "port", type: "number", required: true, description: "" }] } },
  ],
};

describe("cty msgpack codec", () => {
  test("decodes extension 0 (unknown) and 12 (refined unknown) to UNKNOWN", () => {
    const refined = encode(new Map<number, unknown>([[1, false], [2, "key-"]]));
    const bytes = encode({ id: new ExtData(0, new Uint8Array([0])), count: new ExtData(12, refined), names: ["a", new ExtData(0, new Uint8Array(0))] });
    const v = decodeBlockValue(bytes, BLOCK);
    expect(v?.id).toBe(UNKNOWN);
    expect(v?.count).toBe(UNKNOWN);
    expect(v?.names).toEqual(["a", UNKNOWN]);
  });

  test("treats any other extension type as unknown too", () => {
    for (const type of [1, 5, 127, -1]) expect(decodeValue(encode(new ExtData(type, new Uint8Array([1, 2]))), "string")).toBe(UNKNOWN);
  });

  test("encodes UNKNOWN as d4 00 00, alone and inside objects", () => {
    expect(hex(encodeValue(UNKNOWN, "string"))).toBe("d40000");
    expect(hex(encodeValue({ a: UNKNOWN }, ["object", { a: "number" }]))).toBe(`81a161d40000`);
  });

  test("an encoded object carries exactly the schema's names: missing ones as nil, extra ones dropped", () => {
    const bytes = encodeBlockValue({ id: "k1", extra: "dropped" }, BLOCK);
    const raw = decodeValue(bytes, "dynamic") as CtyObject;
    expect(Object.keys(raw)).toEqual(["id", "count", "on", "tags", "names", "owner", "timeouts", "rule"]);
    expect(raw).toEqual({ id: "k1", count: null, on: null, tags: null, names: null, owner: null, timeouts: null, rule: [] });
  });

  test("objects inside attributes also carry exactly their type's names", () => {
    const raw = decodeValue(encodeBlockValue({ owner: { uid: "u1", stray: 1 } }, BLOCK), "dynamic") as CtyObject;
    expect(raw.owner).toEqual({ uid: "u1", email: null });
  });

  test("round-trips nested objects, maps, lists and nested blocks", () => {
    const value: CtyObject = {
      id: "k1",
      count: 3.5,
      on: true,
      tags: { team: "a", env: "b" },
      names: ["x", "y"],
      owner: { uid: "u1", email: "a@b.c" },
      timeouts: { create: "5m" },
      rule: [{ port: 80 }, { port: 443 }],
    };
    expect(decodeBlockValue(encodeBlockValue(value, BLOCK), BLOCK)).toEqual(value);
  });

  test("null object is nil, and an absent or empty DynamicValue decodes to null", () => {
    expect(hex(encodeBlockValue(null, BLOCK))).toBe("c0");
    expect(decodeBlockValue(undefined, BLOCK)).toBeNull();
    expect(decodeBlockValue(new Uint8Array([0xc0]), BLOCK)).toBeNull();
  });

  test("a dynamic value travels as [type JSON, value] and comes back as the value", () => {
    const bytes = encodeValue({ a: [1, "x"] }, "dynamic");
    const [type, value] = decode(bytes) as [Uint8Array, unknown];
    expect(JSON.parse(Buffer.from(type).toString())).toEqual(["object", { a: ["tuple", ["number", "string"]] }]);
    expect(value).toEqual({ a: [1, "x"] });
    expect(decodeValue(bytes, "dynamic")).toEqual({ a: [1, "x"] });
  });

  test("numbers sent as decimal strings decode as numbers", () => {
    expect(decodeValue(encode("18446744073709551616"), "number")).toBe(2 ** 64);
  });

  test("a value of the wrong type is a CtyTypeError naming the path", () => {
    expect(() => encodeBlockValue({ names: "not-a-list" }, BLOCK)).toThrow(CtyTypeError);
    expect(() => encodeBlockValue({ rule: [{ port: "eighty" }] }, BLOCK)).toThrow("rule[0].port: expected a finite number, got string");
    expect(() => encodeBlockValue({ owner: { uid: 5 } }, BLOCK)).not.toThrow(); // numbers convert to strings, as cty does
  });
});
