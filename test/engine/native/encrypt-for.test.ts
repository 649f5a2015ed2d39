/**
 * encryptFor through pulumi-resource-palette as the engine runs it (the built plugin, Pulumi's
 * generated client, the emulator): Check refuses a recipient that cannot take the value before
 * anything reaches Palette; Create records only `encryptedKey`, which decrypts to a working key;
 * Read keeps it; a changed or removed encryptFor is no diff, and the plugin warns through the
 * engine's Log, here a fake engine this file serves (as it does the reason of a rotation).
 */
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { requireFreshBuild } from "../../helpers/fresh-build";
import { keyWorks } from "../../helpers/key-works";
import { decrypt, eccPair, unusableRecipients, type PgpPair } from "../../helpers/pgp-keys";
import { pb, secret, startFakeEngine, startPlugin, URN, type LoggedMessage, type Plugin } from "./support";

type Props = Record<string, unknown>;
const Changes = pb.DiffResponse.DiffChanges;
const DAY = 86_400_000;

let emu: RunningEmulator;
let engine: Awaited<ReturnType<typeof startFakeEngine>>;
let plugin: Plugin;
let pair: PgpPair;
let other: PgpPair;
/** The key created with encryptFor: its stored outputs and checked inputs, and its plain value. */
const made = { id: "", outs: {} as Props, inputs: {} as Props, value: "" };

/** What the fake engine received for `urn` since `from`. */
const loggedFor = (urn: string, from: number): LoggedMessage[] => engine.logged.slice(from).filter((m) => m.urn === urn);

beforeAll(async () => {
  requireFreshBuild(["provider"]);
  [emu, engine, pair, other] = await Promise.all([startEmulator({ port: 0 }), startFakeEngine(), eccPair(), eccPair()]);
  plugin = await startPlugin({}, engine.address);
  await plugin.configure({ host: emu.url, apiKey: secret(emu.accounts.admin.apiKey) });
});

afterAll(async () => {
  plugin?.close();
  await Promise.all([emu?.close(), engine?.close()]);
});

it("Check refuses a recipient that cannot take the value, naming encryptFor, before anything reaches Palette", async () => {
  const before = emu.requests().length;
  for (const bad of await unusableRecipients()) {
    const { failures } = await plugin.check("bad", { description: "x", encryptFor: bad.armored });
    expect([bad.what, failures.map((f) => f.property)]).toEqual([bad.what, ["encryptFor"]]);
    expect(failures[0]?.reason).toMatch(bad.reason);
  }
  expect(emu.requests().length).toBe(before);
  expect(plugin.stderr()).not.toContain("PRIVATE KEY BLOCK");
});

it("Create records only encryptedKey (not secret, no key); it decrypts to a working key; Read keeps it", async () => {
  const checked = await plugin.check("pipe", { description: "pipeline", encryptFor: pair.publicKey });
  expect(checked.failures).toEqual([]);
  const created = await plugin.create("pipe", checked.inputs);
  Object.assign(made, { id: created.id, outs: created.outs, inputs: checked.inputs });
  expect(created.outs).toMatchObject({ keyAvailable: false, encryptFor: pair.publicKey });
  expect(created.outs).not.toHaveProperty("key");
  expect(typeof created.outs.encryptedKey).toBe("string");
  expect(String(created.outs.encryptedKey)).toMatch(/^-----BEGIN PGP MESSAGE-----/);
  made.value = await decrypt(String(created.outs.encryptedKey), pair.privateKey);
  expect(await keyWorks(emu.url, made.value)).toBe(true);
  expect(JSON.stringify(created.outs)).not.toContain(made.value);

  const read = await plugin.read("pipe", made.id, made.outs, made.inputs);
  const props = (read.getProperties()?.toJavaScript() ?? {}) as Props;
  expect(props).toMatchObject({ encryptedKey: created.outs.encryptedKey, encryptFor: pair.publicKey, keyAvailable: false });
  expect(props).not.toHaveProperty("key");
  expect(read.getInputs()?.toJavaScript()).toMatchObject({ encryptFor: pair.publicKey });
});

it("a changed or removed encryptFor is no diff, and the plugin warns through the engine's Log; the same one says nothing", async () => {
  const urn = URN("pipe");
  const diffOf = async (encryptFor: string | undefined): Promise<{ changes: number; logged: LoggedMessage[] }> => {
    const from = engine.logged.length;
    const news = await plugin.check("pipe", { description: "pipeline", ...(encryptFor !== undefined && { encryptFor }) }, made.inputs);
    const d = await plugin.diff("pipe", made.id, made.outs, news.inputs);
    return { changes: d.getChanges(), logged: loggedFor(urn, from) };
  };
  const same = await diffOf(pair.publicKey);
  expect(same).toEqual({ changes: Changes.DIFF_NONE, logged: [] });

  const changed = await diffOf(other.publicKey);
  expect(changed.changes).toBe(Changes.DIFF_NONE);
  expect(changed.logged).toEqual([{ severity: "warning", urn, message: expect.stringMatching(/^encryptFor changed: it is read when a key is created/) as unknown }]);
  expect(changed.logged[0]?.message).toContain(`pulumi up --replace ${urn}`);

  const removed = await diffOf(undefined);
  expect(removed.changes).toBe(Changes.DIFF_NONE);
  expect(removed.logged.map((m) => [m.severity, m.message.slice(0, 22)])).toEqual([["warning", "encryptFor was removed"]]);
  for (const m of engine.logged) expect(m.message).not.toContain(made.value);
  expect(plugin.stdout()).toMatch(/^\d+\n$/);
  expect(plugin.stderr()).not.toContain(made.value);
});

it("a rotation names its reason through the engine's Log (the detailed diff can only name rotateBefore)", async () => {
  const urn = URN("rotating");
  const program = { expiresIn: "30d", rotateBefore: "7d", keepPrevious: "2d" };
  const first = await plugin.check("rotating", program);
  // The stored state of a key created 27 days ago: it expires in 3 days, inside its 7-day window.
  const expiresAt = new Date(Date.now() + 3 * DAY).toISOString();
  const stored = { ...first.inputs, expiresAt, __expiry: { expiresIn: "30d", expiresAt }, uid: "k-1", active: true, status: "active" };
  const news = await plugin.check("rotating", program, stored);
  const from = engine.logged.length;
  const d = await plugin.diff("rotating", "k-1", stored, news.inputs);
  expect(d.getReplacesList()).toEqual(["rotateBefore"]);
  expect(loggedFor(urn, from)).toEqual([
    {
      severity: "warning",
      urn,
      message: `rotation due: expires ${expiresAt.slice(0, 10)}, rotateBefore 7d: a new key replaces this one; the replaced key stays usable for keepPrevious 2d (listed in previousKeys), then the first update after that deletes it.`,
    },
  ]);
});
