/**
 * The ephemeral-resource RPCs (protocol 6.7) on a toy definition: the schema in GetProviderSchema,
 * validate, open (result conformed and encoded, private kept, sensitive values never logged), renew
 * and close by the private bytes, and the server's own close of what Terraform left open at exit.
 */
import type { CtyObject, EphemeralResourceType, ProviderDefinition } from "../../../../provider/tfplugin6";
import { decodeBlockValue, encodeBlockValue } from "../../../../provider/tfplugin6/cty-msgpack";
import { PluginLogger } from "../../../../provider/tfplugin6/plugin/log";
import { providerHandlers } from "../../../../provider/tfplugin6/rpc/provider-service";
import { StillOpen } from "../../../../provider/tfplugin6/rpc/still-open";

const SCHEMA = {
  version: 0,
  block: {
    attributes: [
      { name: "name", type: "string" as const, required: true, description: "" },
      { name: "token", type: "string" as const, computed: true, sensitive: true, description: "" },
    ],
  },
};
const dv = (v: CtyObject | null) => ({ msgpack: Buffer.from(encodeBlockValue(v, SCHEMA.block)) });

function setup() {
  const lines: string[] = [];
  const closed: string[] = [];
  let opened = 0;
  const lease: EphemeralResourceType = {
    schema: SCHEMA,
    validate: async (config) => (config.name === "" ? [{ severity: "error", summary: "empty name", attribute: ["name"] }] : []),
    open: async (config) => {
      opened++;
      return { result: { name: config.name ?? null, token: `TOKEN-${opened}` }, private: Buffer.from(`lease-${opened}`), renewAt: new Date("2030-01-01T00:00:01.500Z") };
    },
    close: async (priv) => {
      closed.push(priv?.toString() ?? "none");
      return {};
    },
  };
  const definition: ProviderDefinition = {
    providerSchema: { version: 0, block: { attributes: [] } },
    resources: {},
    dataSources: {},
    ephemeralResources: { toy_lease: lease },
    validateConfig: async () => [],
    configure: async () => [],
  };
  const stillOpen = new StillOpen();
  const handlers = providerHandlers(definition, new PluginLogger((l) => lines.push(l), "debug", "toy"), undefined, stillOpen);
  return { handlers, lines, closed, stillOpen };
}

test("GetProviderSchema lists the ephemeral resource's schema beside the others", async () => {
  const res = await setup().handlers.GetProviderSchema({});
  expect(res.ephemeral_resource_schemas?.toy_lease?.block?.attributes?.map((a) => [a.name, a.sensitive])).toEqual([
    ["name", false],
    ["token", true],
  ]);
});

test("validate reports on the attribute; an unknown type is a diagnostic, not a failed call", async () => {
  const { handlers } = setup();
  const bad = await handlers.ValidateEphemeralResourceConfig({ type_name: "toy_lease", config: dv({ name: "" }) });
  expect(bad.diagnostics).toEqual([expect.objectContaining({ severity: 1, summary: "empty name", attribute: { steps: [{ attribute_name: "name" }] } })]);
  const unknown = await handlers.OpenEphemeralResource({ type_name: "toy_nope", config: dv({ name: "a" }) });
  expect(unknown.diagnostics).toEqual([expect.objectContaining({ severity: 1, summary: 'Unknown ephemeral resource type "toy_nope"' })]);
});

test("open returns the result, the private bytes and renew_at; close gets the private bytes back; the token is never logged", async () => {
  const { handlers, lines, closed, stillOpen } = setup();
  const res = await handlers.OpenEphemeralResource({ type_name: "toy_lease", config: dv({ name: "a" }) });
  expect(decodeBlockValue(res.result?.msgpack, SCHEMA.block)).toEqual({ name: "a", token: "TOKEN-1" });
  expect(res.private?.toString()).toBe("lease-1");
  expect(res.renew_at).toEqual({ seconds: 1893456001, nanos: 500_000_000 });
  expect(stillOpen.size).toBe(1);
  await handlers.CloseEphemeralResource({ type_name: "toy_lease", private: res.private ?? Buffer.alloc(0) });
  expect(closed).toEqual(["lease-1"]);
  expect(stillOpen.size).toBe(0);
  // Without renew the private bytes stay as they are.
  expect(await handlers.RenewEphemeralResource({ type_name: "toy_lease", private: Buffer.from("lease-1") })).toEqual({ private: Buffer.from("lease-1") });
  expect(lines.join("\n")).not.toContain("TOKEN-1");
});

test("what Terraform did not close is closed by the server at exit, once, within the budget", async () => {
  const { handlers, closed, stillOpen } = setup();
  const first = await handlers.OpenEphemeralResource({ type_name: "toy_lease", config: dv({ name: "a" }) });
  await handlers.OpenEphemeralResource({ type_name: "toy_lease", config: dv({ name: "b" }) });
  await handlers.CloseEphemeralResource({ type_name: "toy_lease", private: first.private ?? Buffer.alloc(0) });
  await stillOpen.closeAll();
  await stillOpen.closeAll();
  expect(closed).toEqual(["lease-1", "lease-2"]);
});

test("closeAll gives up on a close that hangs after its budget, and reports a failed one", async () => {
  const stillOpen = new StillOpen();
  const errors: unknown[] = [];
  stillOpen.add(() => new Promise(() => undefined));
  stillOpen.add(() => Promise.reject(new Error("gone")));
  const started = Date.now();
  await stillOpen.closeAll(50, (e) => errors.push(e));
  expect(Date.now() - started).toBeLessThan(1000);
  expect(errors).toEqual([new Error("gone")]);
});
