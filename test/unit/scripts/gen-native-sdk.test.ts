import * as fs from "node:fs";
import { renderSdk, SDK_FILE } from "../../../scripts/gen-native-sdk";
import { API_KEY, GET_API_KEYS, GET_USER, packageSchema } from "../../../provider/native/schema";

describe("the native SDK (provider/native/sdk/index.ts)", () => {
  const schema = packageSchema();

  it("is what scripts/gen-native-sdk.ts makes of the schema now (else: npm run gen:native-sdk)", () => {
    expect(fs.readFileSync(SDK_FILE, "utf8")).toBe(renderSdk(schema));
  });

  it("has a class or function per schema token, the key a secret output and the owner replacing", () => {
    const text = renderSdk(schema);
    expect(text).toContain(`static readonly __pulumiType = ${JSON.stringify(API_KEY)}`);
    expect(text).toContain('additionalSecretOutputs: ["key"], replaceOnChanges: ["user"]');
    expect(text).toContain("export class Provider extends pulumi.ProviderResource");
    for (const token of [GET_USER, GET_API_KEYS]) expect(text).toContain(`pulumi.runtime.invoke(${JSON.stringify(token)}`);
    // Every input and output of the schema is a member.
    const apiKey = (schema.resources as Record<string, { properties: object; inputProperties: object }>)[API_KEY]!;
    for (const k of Object.keys(apiKey.properties)) expect(text).toContain(`declare readonly ${k}: pulumi.Output<`);
    for (const k of Object.keys(apiKey.inputProperties)) expect(text).toMatch(new RegExp(`\\n  ${k}\\?: pulumi\\.Input<`));
  });
});
