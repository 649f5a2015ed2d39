import { UNKNOWN, type CtyObject, type ProviderDefinition, type ResourceType } from "../../../../provider/tfplugin6";
import { PluginLogger } from "../../../../provider/tfplugin6/plugin/log";
import { decodeBlockValue, encodeBlockValue } from "../../../../provider/tfplugin6/cty-msgpack";
import { providerHandlers } from "../../../../provider/tfplugin6/rpc/provider-service";

const SCHEMA = {
  version: 2,
  block: {
    attributes: [
      { name: "id", type: "string" as const, computed: true, description: "" },
      { name: "name", type: "string" as const, required: true, description: "" },
      { name: "secret", type: "string" as const, computed: true, sensitive: true, description: "" },
    ],
  },
};

const dv = (v: CtyObject | null) => ({ msgpack: Buffer.from(encodeBlockValue(v, SCHEMA.block)) });
const value = (d: { msgpack?: Buffer } | undefined) => decodeBlockValue(d?.msgpack, SCHEMA.block);

function setup(overrides: Partial<ResourceType> = {}) {
  const lines: string[] = [];
  const thing: ResourceType = {
    schema: SCHEMA,
    validate: async () => [],
    upgrade: async (raw) => ({ state: raw }),
    read: async ({ state }) => ({ state }),
    plan: async ({ proposed }) => ({ planned: proposed }),
    apply: async ({ planned }) => ({ state: planned }),
    importState: async (id) => ({ state: { id } }),
    ...overrides,
  };
  const definition: ProviderDefinition = {
    providerSchema: { version: 0, block: { attributes: [{ name: "api_key", type: "string", optional: true, sensitive: true, description: "" }] } },
    resources: { toy_thing: thing },
    dataSources: {},
    validateConfig: async () => [],
    configure: async () => [],
  };
  return { handlers: providerHandlers(definition, new PluginLogger((l) => lines.push(l), "debug", "toy")), lines };
}

describe("tfplugin6 RPCs mapped onto a provider definition", () => {
  test("GetProviderSchema sends each schema with its type as JSON bytes", async () => {
    const { handlers } = setup();
    const res = await handlers.GetProviderSchema({});
    const attrs = res.resource_schemas?.toy_thing?.block?.attributes ?? [];
    expect(res.resource_schemas?.toy_thing?.version).toBe(2);
    expect(attrs.map((a) => [a.name, a.type?.toString(), a.computed, a.sensitive])).toContainEqual(["secret", '"string"', true, true]);
    expect(res.provider?.block?.attributes?.[0]?.name).toBe("api_key");
  });

  test("GetMetadata names every type without building a schema, and both calls offer get_provider_schema_optional but not plan_destroy", async () => {
    const { handlers } = setup();
    const metadata = await handlers.GetMetadata({});
    expect(metadata).toEqual({ server_capabilities: { get_provider_schema_optional: true }, resources: [{ type_name: "toy_thing" }], data_sources: [] });
    expect((await handlers.GetProviderSchema({})).server_capabilities).toEqual(metadata.server_capabilities);
  });

  test("an unknown type name is an error diagnostic, not a failed call", async () => {
    const { handlers } = setup();
    const res = await handlers.ReadResource({ type_name: "toy_nope", current_state: dv({ id: "1" }) });
    expect(res.diagnostics).toEqual([expect.objectContaining({ severity: 1, summary: 'Unknown resource type "toy_nope"' })]);
  });

  test("an exception in a resource becomes an error diagnostic with its message", async () => {
    const { handlers } = setup({ apply: () => Promise.reject(new Error("Palette said no")) });
    const res = await handlers.ApplyResourceChange({ type_name: "toy_thing", planned_state: dv({ name: "a" }) });
    expect(res.diagnostics).toEqual([{ severity: 1, summary: "Provider error in ApplyResourceChange (toy_thing)", detail: "Palette said no" }]);
  });

  test("returned objects are conformed to the schema: missing attributes are null", async () => {
    const { handlers } = setup({ apply: async () => ({ state: { id: "k1", name: "a" } }) });
    const res = await handlers.ApplyResourceChange({ type_name: "toy_thing", planned_state: dv({ name: "a", id: UNKNOWN }) });
    expect(value(res.new_state)).toEqual({ id: "k1", name: "a", secret: null });
  });

  test("Read echoes private state when the resource returns none; Plan and Apply pass it on", async () => {
    const { handlers } = setup();
    const priv = Buffer.from("opaque");
    expect((await handlers.ReadResource({ type_name: "toy_thing", current_state: dv({ id: "1", name: "a" }), private: priv })).private).toEqual(priv);
    expect((await handlers.PlanResourceChange({ type_name: "toy_thing", proposed_new_state: dv({ name: "a" }), prior_private: priv })).planned_private).toEqual(priv);
    expect((await handlers.ApplyResourceChange({ type_name: "toy_thing", planned_state: dv({ name: "a" }), planned_private: priv })).private).toEqual(priv);
  });

  test("Plan sends requires_replace paths and unknowns", async () => {
    const { handlers } = setup({ plan: async ({ proposed }) => ({ planned: { ...proposed, id: UNKNOWN }, requiresReplace: [["name"]] }) });
    const res = await handlers.PlanResourceChange({ type_name: "toy_thing", prior_state: dv(null), proposed_new_state: dv({ name: "a" }), config: dv({ name: "a" }) });
    expect(res.requires_replace).toEqual([{ steps: [{ attribute_name: "name" }] }]);
    expect(value(res.planned_state)).toEqual({ id: UNKNOWN, name: "a", secret: null });
  });

  test("UpgradeResourceState hands the stored JSON and its version to the resource", async () => {
    const upgrade = jest.fn(async (raw: CtyObject) => ({ state: { ...raw, name: "upgraded" } }));
    const { handlers } = setup({ upgrade });
    const res = await handlers.UpgradeResourceState({ type_name: "toy_thing", version: 1, raw_state: { json: Buffer.from('{"id":"1","old":true}') } });
    expect(upgrade).toHaveBeenCalledWith({ id: "1", old: true }, 1);
    expect(value(res.upgraded_state)).toEqual({ id: "1", name: "upgraded", secret: null });
  });

  test("StopProvider aborts the calls in flight; later calls get a fresh signal", async () => {
    const signals: AbortSignal[] = [];
    const { handlers } = setup({
      read: (_req, ctx) => {
        signals.push(ctx.signal);
        return new Promise((_resolve, reject) => ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason)));
      },
    });
    const inFlight = handlers.ReadResource({ type_name: "toy_thing", current_state: dv({ id: "1", name: "a" }) });
    await new Promise((r) => setImmediate(r));
    expect(await handlers.StopProvider({})).toEqual({});
    expect((await inFlight).diagnostics?.[0]?.summary).toBe("ReadResource (toy_thing) was cancelled");
    void handlers.ReadResource({ type_name: "toy_thing", current_state: dv({ id: "1", name: "a" }) });
    await new Promise((r) => setImmediate(r));
    expect(signals[1]?.aborted).toBe(false);
  });

  test("sensitive values never reach the log, even inside an error message", async () => {
    const { handlers, lines } = setup({ read: async () => Promise.reject(new Error("bad key hunter2 and s3cret")) });
    await handlers.ConfigureProvider({ config: { msgpack: Buffer.from(encodeBlockValue({ api_key: "hunter2" }, { attributes: [{ name: "api_key", type: "string", description: "" }] })) } });
    await handlers.ApplyResourceChange({ type_name: "toy_thing", planned_state: dv({ name: "a", secret: "s3cret" }) });
    const res = await handlers.ReadResource({ type_name: "toy_thing", current_state: dv({ id: "1", name: "a" }) });
    expect(res.diagnostics?.[0]?.detail).toBe("bad key <redacted> and <redacted>");
    expect(lines.join("")).not.toMatch(/hunter2|s3cret/);
    expect(lines.some((l) => l.includes("ReadResource failed"))).toBe(true);
  });
});
