/**
 * pulumi-resource-palette as the engine runs it: the built plugin started with an engine address,
 * its port read from stdout, every call made through Pulumi's generated client. Two emulators are
 * two tenants; each plugin process is one provider instance configured with its own settings.
 */
import { PaletteClient } from "../../../sdk";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { checkApiKey } from "../../../provider/pulumi/check";
import { packageSchema } from "../../../provider/native/schema";
import { requireFreshBuild } from "../../helpers/fresh-build";
import { Empty, pb, secret, SIG, startPlugin, type Plugin } from "./support";

type Props = Record<string, unknown>;
const Kind = pb.PropertyDiff.Kind;
const Changes = pb.DiffResponse.DiffChanges;

let emuA: RunningEmulator;
let emuB: RunningEmulator;
let pluginA: Plugin;
let pluginB: Plugin;
/** Every secret the plugins were given or made: none may appear on their stdout or stderr. */
const secrets: string[] = [];

const details = (d: pb.DiffResponse): Record<string, number> => {
  const out: Record<string, number> = {};
  d.getDetaileddiffMap().forEach((v, k) => (out[k] = v.getKind()));
  return out;
};
const keyValue = (outs: Props): string => {
  const key = outs.key as Props;
  expect(key[SIG]).toBe("1b47061264138c4ac30d75fd1eb44270");
  const value = key.value as string;
  secrets.push(value);
  return value;
};

beforeAll(async () => {
  requireFreshBuild(["provider"]);
  [emuA, emuB] = await Promise.all([startEmulator({ port: 0 }), startEmulator({ port: 0 })]);
  [pluginA, pluginB] = await Promise.all([startPlugin(), startPlugin()]);
  secrets.push(emuA.accounts.admin.apiKey, emuB.accounts.admin.password);
  // Instance A with an API key, instance B with a username and password: both secret on the wire.
  await pluginA.configure({ host: emuA.url, apiKey: secret(emuA.accounts.admin.apiKey) });
  await pluginB.configure({ host: emuB.url, username: emuB.accounts.admin.email, password: secret(emuB.accounts.admin.password) });
});

afterAll(async () => {
  pluginA?.close();
  pluginB?.close();
  await Promise.all([emuA?.close(), emuB?.close()]);
});

it("answers GetPluginInfo with the package's version and GetSchema with the palette schema", async () => {
  const info = await pluginA.call<unknown, { getVersion(): string }>("getPluginInfo", new Empty());
  const schema = await pluginA.call<pb.GetSchemaRequest, pb.GetSchemaResponse>("getSchema", new pb.GetSchemaRequest());
  expect(JSON.parse(schema.getSchema())).toEqual(packageSchema());
  expect(info.getVersion()).toBe(packageSchema().version);
});

it("refuses bad input with the dynamic provider's messages, naming the property", async () => {
  const news = { expiresIn: "soon", colour: "red", user: { uid: "u", email: "a@b.c" } };
  const { failures } = await pluginA.check("bad", news);
  const dynamic = checkApiKey({}, { ...news, __logicalName: "bad" }, { now: new Date(), random: Math.random }).failures;
  expect(failures).toEqual(dynamic);
  expect(failures.map((f) => f.property)).toEqual(expect.arrayContaining(["expiresIn", "colour", "user"]));
});

it("creates, edits in place, revokes, reads drift and replaces on an owner change", async () => {
  const checked = await pluginA.check("ci", { description: "ci", expiresIn: "30d" });
  expect(checked.failures).toEqual([]);
  const made = await pluginA.create("ci", checked.inputs);
  const value = keyValue(made.outs);
  expect(made.outs).toMatchObject({ uid: made.id, keyAvailable: true, description: "ci", status: "active", host: emuA.url });
  expect(emuA.keys().map((k) => k.uid)).toContain(made.id);
  expect(emuB.keys().map((k) => k.uid)).not.toContain(made.id);

  const edited = await pluginA.check("ci", { description: "ci v2", expiresIn: "30d" }, checked.inputs);
  const d = await pluginA.diff("ci", made.id, made.outs, edited.inputs);
  expect([d.getChanges(), d.getReplacesList(), details(d)]).toEqual([Changes.DIFF_SOME, [], { description: Kind.UPDATE }]);
  const updated = await pluginA.update("ci", made.id, made.outs, edited.inputs);
  expect(keyValue(updated)).toBe(value);
  expect(emuA.keys().find((k) => k.uid === made.id)?.description).toBe("ci v2");

  const revoking = await pluginA.check("ci", { description: "ci v2", expiresIn: "30d", active: false }, edited.inputs);
  expect(details(await pluginA.diff("ci", made.id, updated, revoking.inputs))).toEqual({ active: Kind.UPDATE });
  const revoked = await pluginA.update("ci", made.id, updated, revoking.inputs);
  expect(revoked.status).toBe("revoked");
  expect(emuA.keys().find((k) => k.uid === made.id)?.active).toBe(false);

  // Drift: renamed out of band; a refresh reads it, props and inputs both.
  await new PaletteClient({ host: emuA.url, auth: { apiKey: emuA.accounts.admin.apiKey } }).apiKeys.update(made.id, { name: "renamed-by-hand" });
  const read = await pluginA.read("ci", made.id, revoked, revoking.inputs);
  expect(read.getId()).toBe(made.id);
  expect(read.getProperties()?.toJavaScript()).toMatchObject({ name: "renamed-by-hand", key: secret(value) });
  expect(read.getInputs()?.toJavaScript()).toMatchObject({ name: "renamed-by-hand" });

  const other = emuA.accounts.users[0]!.email;
  const moving = await pluginA.check("ci", { description: "ci v2", expiresIn: "30d", active: false, user: { email: other } }, revoking.inputs);
  const replace = await pluginA.diff("ci", made.id, revoked, moving.inputs);
  expect([replace.getReplacesList(), details(replace).user, replace.getDeletebeforereplace()]).toEqual([["user"], Kind.ADD_REPLACE, false]);
});

it("imports a key by its id alone: the next Check and Diff of the same values are empty", async () => {
  const admin = new PaletteClient({ host: emuA.url, auth: { apiKey: emuA.accounts.admin.apiKey } });
  const made = await admin.apiKeys.create({ name: "made-elsewhere", description: "by hand", expiresAt: new Date(Date.now() + 20 * 86_400_000) });
  secrets.push(made.value);
  const read = await pluginA.read("imported", made.apiKey.uid);
  const props = (read.getProperties()?.toJavaScript() ?? {}) as Props;
  const inputs = (read.getInputs()?.toJavaScript() ?? {}) as Props;
  expect(props).toMatchObject({ uid: made.apiKey.uid, keyAvailable: false, name: "made-elsewhere" });
  expect(props.key).toBeUndefined();
  const program = { name: "made-elsewhere", description: "by hand", expiresAt: props.expiresAt };
  const checked = await pluginA.check("imported", program, inputs);
  expect(checked.failures).toEqual([]);
  const d = await pluginA.diff("imported", made.apiKey.uid, props, checked.inputs);
  expect([d.getChanges(), details(d)]).toEqual([Changes.DIFF_NONE, {}]);
  // A program naming other values is not an import of this key: the diff says so.
  const other = await pluginA.check("imported", { ...program, description: "other" }, inputs);
  expect(details(await pluginA.diff("imported", made.apiKey.uid, props, other.inputs))).toEqual({ description: Kind.UPDATE });
});

it("keeps a secret input secret: in the checked inputs and in the outputs", async () => {
  const checked = await pluginA.check("hidden", { description: secret("classified") });
  expect(checked.inputs.description).toEqual(secret("classified"));
  const made = await pluginA.create("hidden", checked.inputs);
  keyValue(made.outs);
  expect(made.outs.description).toEqual(secret("classified"));
});

it("keeps each instance to its own tenant", async () => {
  const checked = await pluginB.check("tenant-b", { description: "b" });
  const made = await pluginB.create("tenant-b", checked.inputs);
  keyValue(made.outs);
  expect(emuB.keys().map((k) => k.uid)).toContain(made.id);
  expect(emuA.keys().map((k) => k.uid)).not.toContain(made.id);
  // Instance A, another tenant, refuses to touch the key B recorded.
  await expect(pluginA.read("tenant-b", made.id, made.outs)).rejects.toThrow(/tenant/i);
  await expect(pluginA.delete("tenant-b", made.id, made.outs)).rejects.toThrow(/tenant/i);
  expect(emuB.keys().map((k) => k.uid)).toContain(made.id);
});

it("on Cancel finishes a create already sent and returns it (no orphan), and sends nothing new", async () => {
  const checked = await pluginA.check("cancelled", { description: "cancel" });
  const name = checked.inputs.name as string;
  emuA.faults.add({ method: "POST", path: "/v1/apiKeys", action: { kind: "latency", ms: 1_500, afterHandling: true } });
  const creating = pluginA.create("cancelled", checked.inputs);
  for (let i = 0; i < 200 && !emuA.keys().some((k) => k.name === name); i++) await new Promise((r) => setTimeout(r, 10));
  await pluginA.cancel();
  const made = await creating;
  keyValue(made.outs);
  expect(emuA.keys().filter((k) => k.name === name).map((k) => k.uid)).toEqual([made.id]);

  const after = await pluginA.check("after-cancel", { description: "after" });
  const before = emuA.keys().length;
  await expect(pluginA.create("after-cancel", after.inputs)).rejects.toThrow();
  expect(emuA.keys().length).toBe(before);
});

it("writes its port and nothing else to stdout, and no secret to stdout or stderr", () => {
  for (const plugin of [pluginA, pluginB]) {
    expect(plugin.stdout()).toMatch(/^\d+\n$/);
    for (const s of secrets) expect(plugin.stderr()).not.toContain(s);
  }
  expect(secrets.length).toBeGreaterThan(5);
});
