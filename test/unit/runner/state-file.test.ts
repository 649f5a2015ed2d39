import { decodeState, encodeState, emptyState, type StackState } from "../../../runner/state-file";
import { IncorrectPassphraseError } from "../../../runner/passphrase-crypter";

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
    },
  ],
  outputs: { callerKey: "key-value-1", label: "plain" },
  secretOutputs: ["callerKey"],
};

describe("state file encoding", () => {
  it("stores every secret property as Pulumi's secret envelope with ciphertext, and decodes it back", () => {
    const { text, crypter } = encodeState(state, "pass");
    expect(crypter).toBeDefined();
    for (const clear of ["key-value-1", "pw-value-1"]) expect(text).not.toContain(clear);
    const raw = JSON.parse(text) as { resources: { outputs: Record<string, unknown> }[]; encryptionSalt: string };
    expect(raw.resources[0]?.outputs.key).toEqual({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: expect.stringMatching(/^v1:/) });
    expect(raw.encryptionSalt).toMatch(/^v1:/);
    expect(text).toContain('"label": "plain"');
    expect(decodeState(text, "p", "dev", "pass").state).toEqual(state);
  });

  it("needs the right passphrase only when there are secrets", () => {
    const { text } = encodeState(state, "pass");
    expect(() => decodeState(text, "p", "dev", "nope")).toThrow(IncorrectPassphraseError);
    expect(() => decodeState(text, "p", "dev", undefined)).toThrow(/PULUMI_CONFIG_PASSPHRASE/);
    expect(() => encodeState(state, undefined)).toThrow(/PULUMI_CONFIG_PASSPHRASE/);
    const plain = encodeState(emptyState("p", "dev"), undefined);
    expect(decodeState(plain.text, "p", "dev", undefined).state).toEqual(emptyState("p", "dev"));
  });

  it("refuses another stack's state", () => {
    const { text } = encodeState(emptyState("p", "prod"), undefined);
    expect(() => decodeState(text, "p", "dev", undefined)).toThrow(/belongs to p\/prod/);
  });
});
