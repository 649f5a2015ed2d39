/**
 * The processes Terraform starts for schemas, validation and plans never load palette_api_key's
 * read and apply phase (api-key-apply.ts), nor through it the SDK: the first read or apply does.
 * A static import of api-key-apply.ts from any other phase would load it with them and fail this.
 * Nor do they load OpenPGP, unless the configuration sets encrypt_for.
 */
const mockLoaded: string[] = [];
jest.mock("../../../../provider/terraform/api-key-apply", () => {
  mockLoaded.push("api-key-apply");
  return jest.requireActual("../../../../provider/terraform/api-key-apply");
});
jest.mock("openpgp", () => {
  mockLoaded.push("openpgp");
  return jest.requireActual("openpgp");
});
jest.mock("../../../../sdk", () => {
  mockLoaded.push("sdk");
  return jest.requireActual("../../../../sdk");
});

import type { KeyLifecycle } from "../../../../provider/core/lifecycle";
import { apiKeyResource } from "../../../../provider/terraform/api-key-resource";
import { createPaletteProvider } from "../../../../provider/terraform/palette-provider";
import type { CtyObject } from "../../../../provider/tfplugin6";

const ctx = { signal: new AbortController().signal };
const config: CtyObject = { name: "ci", description: null, expires_in: "30d", expires_at: null, active: null, user_uid: null, user_email: null };

test("schema, validate and a plan (without credentials) load neither the apply phase nor the SDK; a read loads the apply phase", async () => {
  const resource = createPaletteProvider({}).resources.palette_api_key;
  expect(resource?.schema.block.attributes.length).toBeGreaterThan(0);
  expect(await resource?.validate(config)).toEqual([]);
  const plan = await resource?.plan({ prior: null, proposed: config, config }, ctx);
  expect(plan?.diagnostics).toBeUndefined();
  expect(plan?.planned?.name).toBe("ci");
  expect(mockLoaded).toEqual([]);

  const gone = { read: async () => undefined } as unknown as KeyLifecycle;
  expect(await apiKeyResource(() => gone).read({ state: { id: "aaaaaaaaaaaaaaaaaaaaaaaa" } }, ctx)).toEqual({ state: null });
  expect(mockLoaded).toContain("api-key-apply");
  expect(mockLoaded).not.toContain("openpgp");
});

test("a configuration with encrypt_for loads OpenPGP to check its key", async () => {
  const resource = createPaletteProvider({}).resources.palette_api_key;
  const diags = await resource?.validate({ ...config, encrypt_for: "not a key" });
  expect(diags?.[0]?.attribute).toEqual(["encrypt_for"]);
  expect(mockLoaded).toContain("openpgp");
});
