import { decodeState, encodeState, emptyState, type Checkpoint, type StackState } from "../../../runner/state-file";
import { IncorrectPassphraseError, PassphraseCrypter } from "../../../runner/passphrase-crypter";

const state: StackState = {
  project: "p",
  stack: "dev",
  resources: [
    {
      urn: "urn:pulumi:dev::p::pulumi-nodejs:dynamic/palette:ApiKey::k",
      type: "pulumi-nodejs:dynamic/palette:ApiKey",
      name: "k",
      id: "uid-1",
      inputs: { name: "k", password: { nested: "pw-value-1" }, __provider: "code" },
      outputs: { name: "k", key: "key-value-1", __provider: "code" },
      secretInputs: ["password"],
      secretOutputs: ["key"],
      dependencies: [],
    },
  ],
  outputs: { callerKey: "key-value-1", label: "plain" },
  secretOutputs: ["callerKey"],
  providerId: "provider-id-1",
};

describe("state file encoding", () => {
  it("keeps provider resources of plugins and each resource's reference to its provider; the dynamic default provider only for dynamic resources", () => {
    const providerUrn = "urn:pulumi:dev::p::pulumi:providers:palette::tenant-b";
    const withPlugins: StackState = {
      ...state,
      resources: [
        ...state.resources,
        { urn: providerUrn, type: "pulumi:providers:palette", name: "tenant-b", id: "prov-id", inputs: { host: "h", apiKey: "api-key-secret" }, outputs: { host: "h", apiKey: "api-key-secret" }, secretInputs: ["apiKey"], secretOutputs: ["apiKey"], dependencies: [] },
        {
          urn: "urn:pulumi:dev::p::palette:index:ApiKey::n",
          type: "palette:index:ApiKey",
          name: "n",
          id: "uid-2",
          inputs: { name: "n" },
          outputs: { name: "n", keyAvailable: false },
          secretInputs: [],
          secretOutputs: ["key"],
          dependencies: [],
          provider: `${providerUrn}::prov-id`,
          importId: "uid-2",
        },
      ],
    };
    const { text } = encodeState(withPlugins, "pass");
    expect(text).not.toContain("api-key-secret");
    const raw = JSON.parse(text) as Checkpoint;
    const byType = (t: string) => raw.deployment.resources.find((r) => r.type === t);
    expect(byType("palette:index:ApiKey")).toMatchObject({ provider: `${providerUrn}::prov-id`, importID: "uid-2" });
    expect(byType("pulumi:providers:palette")?.provider).toBeUndefined();
    expect(byType("pulumi-nodejs:dynamic/palette:ApiKey")?.provider).toBe("urn:pulumi:dev::p::pulumi:providers:pulumi-nodejs::default::provider-id-1");
    expect(decodeState(text, "p", "dev", "pass").state).toEqual(withPlugins);
    // Without dynamic resources there is no dynamic default provider.
    const nativeOnly = { ...withPlugins, resources: withPlugins.resources.slice(1) };
    expect(encodeState(nativeOnly, "pass").text).not.toContain("pulumi:providers:pulumi-nodejs");
  });

  it("stores every secret property as Pulumi's secret envelope with ciphertext, and decodes it back", () => {
    const { text, crypter } = encodeState(state, "pass");
    expect(crypter).toBeDefined();
    for (const clear of ["key-value-1", "pw-value-1"]) expect(text).not.toContain(clear);
    const raw = JSON.parse(text) as Checkpoint;
    const key = raw.deployment.resources.find((r) => r.type === "pulumi-nodejs:dynamic/palette:ApiKey");
    expect(key?.outputs?.key).toEqual({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: expect.stringMatching(/^v1:/) });
    expect(raw.deployment.secrets_providers?.state.salt).toMatch(/^v1:/);
    expect(text).toContain('"label": "plain"');
    expect(decodeState(text, "p", "dev", "pass").state).toEqual(state);
  });

  it("is a checkpoint as `pulumi stack export` prints it: the stack with its outputs, the default provider, each resource referring to both", () => {
    const raw = JSON.parse(encodeState(state, "pass").text) as Checkpoint;
    expect(raw.version).toBe(3);
    const [stack, provider, key] = raw.deployment.resources;
    expect(stack).toMatchObject({ urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", custom: false, type: "pulumi:pulumi:Stack", outputs: { label: "plain" } });
    expect(provider).toEqual({ urn: "urn:pulumi:dev::p::pulumi:providers:pulumi-nodejs::default", custom: true, id: "provider-id-1", type: "pulumi:providers:pulumi-nodejs", inputs: {}, outputs: {} });
    expect(key).toMatchObject({
      urn: "urn:pulumi:dev::p::pulumi-nodejs:dynamic/palette:ApiKey::k",
      custom: true,
      id: "uid-1",
      parent: stack?.urn,
      provider: "urn:pulumi:dev::p::pulumi:providers:pulumi-nodejs::default::provider-id-1",
      dependencies: [],
      additionalSecretOutputs: ["key"],
    });
    expect(key?.inputs?.__provider).toBe("code");
  });

  it("needs the right passphrase only when there are secrets", () => {
    const { text } = encodeState(state, "pass");
    expect(() => decodeState(text, "p", "dev", "nope")).toThrow(IncorrectPassphraseError);
    expect(() => decodeState(text, "p", "dev", undefined)).toThrow(/PULUMI_CONFIG_PASSPHRASE/);
    expect(() => encodeState(state, undefined)).toThrow(/PULUMI_CONFIG_PASSPHRASE/);
    const plain = encodeState(emptyState("p", "dev"), undefined);
    expect(decodeState(plain.text, "p", "dev", undefined).state).toEqual(emptyState("p", "dev"));
  });

  it("reads a state file of the runner before checkpoints (version 1)", () => {
    const crypter = PassphraseCrypter.create("pass");
    const envelope = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: crypter.encrypt(JSON.stringify("key-value-1")) };
    const legacy = {
      version: 1,
      project: "p",
      stack: "dev",
      encryptionSalt: crypter.encryptionSalt,
      resources: [{ urn: "urn:pulumi:dev::p::t::k", type: "t", name: "k", id: "uid-1", inputs: { a: 1 }, outputs: { key: envelope }, secretInputs: [], secretOutputs: ["key"], pendingDelete: true }],
      outputs: { label: "plain" },
      secretOutputs: [],
    };
    const { state } = decodeState(JSON.stringify(legacy), "p", "dev", "pass");
    expect(state.outputs).toEqual({ label: "plain" });
    expect(state.resources).toEqual([
      expect.objectContaining({ urn: "urn:pulumi:dev::p::t::k", name: "k", id: "uid-1", inputs: { a: 1 }, outputs: { key: "key-value-1" }, secretOutputs: ["key"], pendingDelete: true }),
    ]);
  });

  it("refuses another stack's state", () => {
    const { text } = encodeState({ ...emptyState("p", "prod"), outputs: { label: "plain" } }, undefined);
    expect(() => decodeState(text, "p", "dev", undefined)).toThrow(/belongs to p\/prod/);
  });
});
