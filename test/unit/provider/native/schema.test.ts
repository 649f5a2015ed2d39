import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { checkApiKey } from "../../../../provider/pulumi/check";
import { SETTINGS } from "../../../../provider/pulumi/config";
import { API_KEY, GET_API_KEYS, GET_USER, packageSchema } from "../../../../provider/native/schema";

const metaschema = JSON.parse(fs.readFileSync(path.join(__dirname, "../../../fixtures/pulumi-package-schema/pulumi.json"), "utf8")) as object;
const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "../../../../package.json"), "utf8")) as { version: string };

/** The metaschema's two formats (`meta.moduleFormat`, a type's `$ref`). */
const isUriReference = (s: string): boolean => URL.canParse(s, "pulumi://schema/");

const isRegex = (s: string): boolean => {
  try {
    new RegExp(s);
    return true;
  } catch {
    return false;
  }
};

type Spec = { inputProperties: Record<string, { secret?: boolean; replaceOnChanges?: boolean; description?: string }>; properties: Record<string, { secret?: boolean; description?: string }> };

describe("the palette package schema", () => {
  const schema = packageSchema();

  it("is valid under Pulumi's package metaschema", () => {
    const validate = new Ajv2020({ strict: false, allErrors: true, formats: { regex: isRegex, "uri-reference": isUriReference } }).compile(metaschema);
    expect(validate(schema) ? [] : validate.errors).toEqual([]);
    // The metaschema rejects what it does not know: a misspelt top-level field fails.
    expect(validate({ ...schema, resource: {} })).toBe(false);
  });

  it("is the package `palette` at the package's version, with every language section", () => {
    expect(schema.name).toBe("palette");
    expect(schema.version).toBe(pkg.version);
    expect(Object.keys(schema.language as object).sort()).toEqual(["csharp", "go", "java", "nodejs", "python"]);
  });

  it("describes the ApiKey: the key secret, the owner replacing, every property described", () => {
    const apiKey = (schema.resources as Record<string, Spec>)[API_KEY]!;
    expect(apiKey.properties.key?.secret).toBe(true);
    expect(apiKey.inputProperties.user?.replaceOnChanges).toBe(true);
    for (const spec of [...Object.values(apiKey.properties), ...Object.values(apiKey.inputProperties)]) expect(spec.description).toMatch(/\S/);
    expect(Object.keys(apiKey.inputProperties).sort()).toEqual(["active", "adopt", "description", "encryptFor", "expiresAt", "expiresIn", "keepPrevious", "name", "rotateBefore", "user"]);
  });

  it("names no input the dynamic provider's check would refuse as unknown", () => {
    const apiKey = (schema.resources as Record<string, Spec>)[API_KEY]!;
    const news = Object.fromEntries(Object.keys(apiKey.inputProperties).map((k) => [k, 1]));
    const { failures } = checkApiKey({}, news, { now: new Date("2026-01-01T00:00:00Z"), random: () => 0.5 });
    expect(failures.filter((f) => f.reason.includes("is not an ApiKey input"))).toEqual([]);
    expect(failures.map((f) => f.property)).toEqual(expect.arrayContaining(["name", "expiresIn", "user"]));
  });

  it("has the provider settings with their environment fallbacks, the credentials secret, and the two functions", () => {
    const variables = (schema.config as { variables: Record<string, { secret?: boolean; defaultInfo?: { environment: string[] } }> }).variables;
    expect(Object.keys(variables).sort()).toEqual(Object.keys(SETTINGS).sort());
    expect(Object.entries(variables).filter(([, v]) => v.secret).map(([k]) => k).sort()).toEqual(["apiKey", "password"]);
    expect(variables.host?.defaultInfo?.environment).toEqual([SETTINGS.host.env]);
    expect(Object.keys(schema.functions as object).sort()).toEqual([GET_API_KEYS, GET_USER].sort());
  });
});
