/**
 * The program side of ApiKey under pulumi.runtime.setMocks: type token, inputs, options, and the
 * serialized provider (`__provider`) it produces.
 */
import * as pulumi from "@pulumi/pulumi";
import requireFromString from "require-from-string";

const SENTINELS = {
  SPECTROCLOUD_APIKEY: "SENTINELapikeyQ1w2E3r4T5y6U7i8O9p0",
  SPECTROCLOUD_PASSWORD: "SENTINELpasswordZ9x8C7v6",
  SPECTROCLOUD_USERNAME: "sentinel-user@palette.local",
  SPECTROCLOUD_HOST: "http://sentinel-host.invalid:1234",
  SPECTROCLOUD_PROJECT_UID: "sentinelprojectuid000000",
};
Object.assign(process.env, SENTINELS);

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  id?: string | undefined;
}
const registered: Registered[] = [];
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      registered.push({ type: args.type, name: args.name, inputs: args.inputs, id: args.id });
      return { id: args.id ?? `uid-${args.name}`, state: { ...args.inputs, key: "mock-key-value", status: "active" } };
    },
    call: () => ({}),
  },
  "palette-demo",
  "dev",
  false,
);

// Imported after setMocks, as a Pulumi program would be loaded by the engine.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- imported after setMocks and the sentinel environment (above)
const { ApiKey } = require("../../../../provider/index") as typeof import("../../../../provider/index");

const valueOf = <T>(o: pulumi.Output<T>): Promise<T> => new Promise((resolve) => o.apply(resolve));

async function register(name: string, args: import("../../../../provider/index").ApiKeyArgs, opts?: pulumi.CustomResourceOptions) {
  const seenOpts: pulumi.CustomResourceOptions[] = [];
  const spy: pulumi.ResourceTransformation = (a) => {
    seenOpts.push(a.opts as pulumi.CustomResourceOptions);
    return undefined;
  };
  const res = new ApiKey(name, args, { ...opts, transformations: [spy, ...(opts?.transformations ?? [])] });
  await valueOf(res.urn);
  const reg = registered.find((r) => r.name === name);
  if (reg === undefined) throw new Error(`${name} was not registered`);
  return { res, reg, seenOpts };
}

describe("ApiKey under mocks", () => {
  it("registers the type token and the program's inputs plus the logical name", async () => {
    const { reg } = await register("ci", { description: "CI", expiresIn: "90d", user: { email: "bob@palette.local" } });
    expect(reg.type).toBe("pulumi-nodejs:dynamic/palette:ApiKey");
    const { __provider, ...inputs } = reg.inputs;
    expect(inputs).toEqual({ description: "CI", expiresIn: "90d", user: { email: "bob@palette.local" }, __logicalName: "ci" });
    expect(typeof __provider).toBe("string");
  });

  it("resolves Output inputs and exposes the outputs", async () => {
    const { res, reg } = await register("from-output", { name: pulumi.output("named"), active: pulumi.output(false) });
    expect(reg.inputs).toMatchObject({ name: "named", active: false, __logicalName: "from-output" });
    expect(await valueOf(res.key)).toBe("mock-key-value");
    expect(await valueOf(res.status)).toBe("active");
  });

  it("always asks for the key to be secret", async () => {
    const { seenOpts } = await register("plain", {});
    expect(seenOpts[0]?.additionalSecretOutputs).toEqual(["key"]);
  });

  it("keeps additionalSecretOutputs the caller passes, adding key", async () => {
    const { seenOpts } = await register("extra", {}, { additionalSecretOutputs: ["description"], protect: false });
    expect(seenOpts[0]?.additionalSecretOutputs).toEqual(expect.arrayContaining(["description", "key"]));
    expect(seenOpts[0]?.protect).toBe(false);
  });

  it("ApiKey.get reads an existing key by uid", async () => {
    const key = ApiKey.get("existing", "0123456789abcdef01234567");
    expect(await valueOf(key.id)).toBe("0123456789abcdef01234567");
    const reg = registered.find((r) => r.name === "existing");
    expect(reg?.id).toBe("0123456789abcdef01234567");
    expect(reg?.type).toBe("pulumi-nodejs:dynamic/palette:ApiKey");
  });

  describe("the serialized provider (__provider)", () => {
    let text = "";
    beforeAll(async () => {
      const { reg } = await register("serialized", { name: "s" });
      text = String(reg.inputs.__provider);
    });

    it("is small", () => {
      expect(Buffer.byteLength(text)).toBeLessThan(4096);
    });

    it("is the same text for every ApiKey (one provider, configured once per process)", async () => {
      const { reg } = await register("another", { description: "x" });
      expect(reg.inputs.__provider).toBe(text);
    });

    it("captures no credential, path or schema", () => {
      for (const value of Object.values(SENTINELS)) expect(text).not.toContain(value);
      expect(text).not.toContain(process.cwd());
      expect(text).not.toMatch(/zod|undici|PaletteClient/);
      expect(text).toContain("pulumi-palette-apikeys/provider/impl");
    });

    it("round-trips through require-from-string: handler() returns the provider", () => {
      const provider = (requireFromString(text) as { handler: () => Record<string, unknown> }).handler();
      for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"]) {
        expect(typeof provider[method]).toBe("function");
      }
    });
  });
});
