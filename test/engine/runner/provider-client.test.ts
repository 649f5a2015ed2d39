import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ProviderClient, ProviderInitError, secretConfig } from "../../../runner/provider-client";
import { urnOf } from "../../helpers/urn";
import { UNKNOWN } from "../../../runner/wire-values";
import { TOY_TYPE, readToyStore, serializeToyProvider } from "./fixtures/toy-provider";

const TOKEN = "toy-token-5ec4e7-do-not-print";
const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

describe("ProviderClient against the real dynamic-provider host", () => {
  let dir: string;
  let store: string;
  let host: ProviderClient;
  let provider: string;
  const urn = urnOf({ project: "palette-demo", stack: "dev", type: TOY_TYPE, name: "one" });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-client-"));
    store = path.join(dir, "toy.json");
    provider = await serializeToyProvider();
    host = await ProviderClient.start({ env: { TOY_STORE: store } });
    await host.configure({ "toy:token": secretConfig(TOKEN), "palette-demo:greeting": "hello" });
  });

  afterAll(async () => {
    await host?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("builds URNs the way the engine does", () => {
    expect(urn).toBe("urn:pulumi:dev::palette-demo::pulumi-nodejs:dynamic/toy:Thing::one");
  });

  it("check returns the provider's inputs and its failures, and keeps __provider", async () => {
    const ok = await host.check(urn, {}, { size: 1, color: "red", __provider: provider, dropped: undefined });
    expect(ok.failures).toEqual([]);
    expect(ok.inputs.name).toMatch(/^thing-[0-9a-f]+$/);
    expect(ok.inputs.__provider).toBe(provider);
    expect("dropped" in ok.inputs).toBe(false);
    const kept = await host.check(urn, { name: "old-name" }, { size: 2, __provider: provider });
    expect(kept.inputs.name).toBe("old-name");
    const bad = await host.check(urn, {}, { size: "big", __provider: provider });
    expect(bad.failures).toEqual([{ property: "size", reason: "size must be a number" }]);
    const unknown = await host.check(urn, {}, { size: UNKNOWN, __provider: provider });
    expect(unknown.failures).toEqual([]);
  });

  it("round-trips create, read, diff, update, delete; configure saw the secret unwrapped", async () => {
    const { inputs } = await host.check(urn, {}, { size: 1, color: "red", name: "n1", __provider: provider });
    const created = await host.create(urn, inputs);
    expect(created.id).toMatch(/^toy-/);
    expect(created.properties).toMatchObject({ size: 1, color: "red", name: "n1", __provider: provider });
    expect(created.properties.tokenSha).toBe(sha256(TOKEN));
    expect(created.properties.greeting).toBe("hello"); // "greeting" resolved against PULUMI_NODEJS_PROJECT
    expect(readToyStore(store)[created.id]).toBeDefined();

    const read = await host.read(created.id, urn, created.properties, inputs);
    expect(read.id).toBe(created.id);
    expect(read.properties.secretValue).toBe(created.properties.secretValue);
    expect(read.inputs).toEqual({ size: 1, color: "red", name: "n1", __provider: provider });

    expect(await host.diff(created.id, urn, created.properties, inputs, inputs)).toEqual({
      changes: "none",
      replaces: [],
      deleteBeforeReplace: false,
      diffs: [],
    });
    const bigger = { ...inputs, size: 5 };
    expect(await host.diff(created.id, urn, created.properties, bigger)).toMatchObject({ changes: "some", replaces: [], deleteBeforeReplace: false });
    expect(await host.diff(created.id, urn, created.properties, { ...inputs, color: "blue", dbr: true })).toMatchObject({
      changes: "some",
      replaces: ["color"],
      deleteBeforeReplace: true,
    });

    const updated = await host.update(created.id, urn, created.properties, bigger, inputs);
    expect(updated.properties).toMatchObject({ size: 5, secretValue: created.properties.secretValue, __provider: provider });
    expect(readToyStore(store)[created.id]?.size).toBe(5);

    await host.delete(created.id, urn, updated.properties);
    expect(readToyStore(store)[created.id]).toBeUndefined();
    const gone = await host.read(created.id, urn, updated.properties);
    expect(gone.id).toBe("");
  });

  it("decodes ErrorResourceInitFailed into ProviderInitError with id and properties", async () => {
    const { inputs } = await host.check(urn, {}, { size: 1, failInit: true, __provider: provider });
    const err = await host.create(urn, inputs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderInitError);
    const init = err as ProviderInitError;
    expect(init.message).toBe("toy half-made");
    expect(init.id).toMatch(/^toy-/);
    expect(init.reasons).toEqual(["init failed"]);
    expect(init.properties).toMatchObject({ size: 1, __provider: provider });
    // With __provider in the partial state, the engine can still delete it.
    await host.delete(init.id, urn, init.properties);
    expect(readToyStore(store)[init.id]).toBeUndefined();
  });

  it("passes a plain provider error's message through", async () => {
    const { inputs } = await host.check(urn, {}, { size: 1, failPlain: true, __provider: provider });
    const err = await host.create(urn, inputs).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ProviderInitError);
    expect((err as Error).message).toBe("toy refused: plain failure");
  });

  it("keeps what the host printed, and never the secret config value", () => {
    expect(host.output.stdout.split("\n")[0]).toMatch(/^\d+$/);
    expect(host.output.stdout + host.output.stderr).not.toContain(TOKEN);
  });

  it("close() kills the host and rejects later calls", async () => {
    const other = await ProviderClient.start({ env: { TOY_STORE: store } });
    await other.close();
    await other.close();
    await expect(other.check(urn, {}, { size: 1, __provider: provider })).rejects.toThrow(/after close/);
  });
});

describe("ProviderClient nodeArgs", () => {
  it("passes Node options to the host process before its script (the bench's --host-cpu-prof relies on it)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-client-args-"));
    const preload = path.join(dir, "preload.js");
    const marker = path.join(dir, "argv.json");
    fs.writeFileSync(preload, `require("node:fs").writeFileSync(${JSON.stringify(marker)}, JSON.stringify(process.argv.slice(1)));\n`);
    const host = await ProviderClient.start({ nodeArgs: ["--require", preload] });
    try {
      const argv = JSON.parse(fs.readFileSync(marker, "utf8")) as string[];
      expect(argv[0]).toBe(require.resolve("@pulumi/pulumi/cmd/dynamic-provider"));
      expect(argv.slice(1)).toEqual(["127.0.0.1:1"]);
    } finally {
      await host.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
