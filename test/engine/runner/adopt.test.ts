/**
 * `adopt: { uid }` through the offline runner and the real dynamic-provider host, against the
 * emulator: a key made out of band is taken under management (same uid, the program's name,
 * description, expiry and state applied in place, its value unknown), stays managed, and is deleted
 * by destroy; a resource that leaves the program in the run another one adopts its key leaves the key
 * to it; a bad uid, another user's key, another tenant's key and a key another resource manages are
 * refused on `adopt.uid` with nothing changed; with `retainOnDelete` an adopted key outlives its resource. The host loads dist/provider/impl.js: `npm run build` first.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import type { CustomResourceOptions } from "@pulumi/pulumi";
import { ApiKey, type ApiKeyArgs } from "../../../provider";
import { secretConfig } from "../../../runner/provider-client";
import { RunFailedError, runProgram, type RunOptions, type RunResult, type Step } from "../../../runner/offline-engine";
import { resolveOutput } from "../../helpers/resolve-output";
import { PaletteClient } from "../../../sdk";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";

const REPO = path.resolve(__dirname, "../../..");
const DAY_MS = 86_400_000;

let emu: RunningEmulator;
let other: RunningEmulator;
let sdk: PaletteClient;
let dir: string;
let keys: Record<string, ApiKey> = {};
/** The program: one ApiKey per entry, in this order. */
let wanted: [string, ApiKeyArgs, CustomResourceOptions?][] = [];

const program = (): Record<string, unknown> => {
  keys = Object.fromEntries(wanted.map(([name, args, opts]) => [name, new ApiKey(name, args, opts)]));
  return Object.fromEntries(Object.entries(keys).flatMap(([name, k]) => [[`${name}Key`, k.key], [`${name}KeyAvailable`, k.keyAvailable]]));
};

const run = (operation: RunOptions["operation"], stack: string, extra: Partial<RunOptions> = {}): Promise<RunResult> =>
  runProgram({
    operation,
    program,
    projectDir: REPO,
    stateFile: path.join(dir, `${stack}.json`),
    project: "palette-demo",
    stack,
    config: { "palette:host": emu.url, "palette:apiKey": secretConfig(emu.accounts.admin.apiKey) },
    env: NO_ENV_CREDENTIALS,
    passphrase: "adopt test passphrase",
    ...extra,
  });

const failed = (p: Promise<unknown>): Promise<RunFailedError> =>
  p.then(
    () => {
      throw new Error("expected the run to fail");
    },
    (e: unknown) => {
      if (!(e instanceof RunFailedError)) throw e;
      return e;
    },
  );

const step = (result: RunResult, name: string): Step | undefined => result.steps.find((s) => s.name === name);
const emulated = (uid: string) => emu.keys().find((k) => k.uid === uid);
/** What an out-of-band change would be visible in: the key as the emulator holds it. */
const snapshot = () => JSON.stringify(emu.keys());
const inTenDays = () => new Date(Date.now() + 10 * DAY_MS);

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js"))) throw new Error("run `npm run build` first: the host loads dist/");
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "runner-adopt-"));
  [emu, other] = await Promise.all([startEmulator({ port: 0 }), startEmulator({ port: 0 })]);
  sdk = new PaletteClient({ host: emu.url, auth: { apiKey: emu.accounts.admin.apiKey } });
});
afterAll(async () => {
  await sdk?.close();
  await Promise.all([emu?.close(), other?.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("adopting a key made in the Palette UI", () => {
  let uid: string;
  const adopting = (extra: Partial<ApiKeyArgs> = {}): [string, ApiKeyArgs][] => [
    ["ci", { description: "made here" }],
    ["legacy", { name: "ci-legacy", description: "adopted by Pulumi", expiresIn: "60d", active: false, adopt: { uid }, ...extra }],
  ];

  beforeAll(async () => {
    uid = (await sdk.apiKeys.create({ name: "jenkins", description: "made in the UI", expiresAt: inTenDays() })).apiKey.uid;
  });

  it("preview plans a create that names the key to adopt, and changes nothing", async () => {
    wanted = adopting();
    const before = snapshot();
    const result = await run("preview", "main");
    expect(step(result, "legacy")).toMatchObject({ op: "create", changes: expect.arrayContaining([{ name: "adopt", new: { uid } }, { name: "name", new: "ci-legacy" }]) });
    expect(snapshot()).toBe(before);
  });

  it("up takes it over in place: same uid, the program's values, its value unknown", async () => {
    const result = await run("up", "main");
    expect(step(result, "legacy")).toMatchObject({ op: "create", id: uid });
    const key = emulated(uid);
    expect(key).toMatchObject({ name: "ci-legacy", description: "adopted by Pulumi", active: false });
    expect(Math.abs(new Date(String(key?.expiresAt)).getTime() - (Date.now() + 60 * DAY_MS))).toBeLessThan(DAY_MS);
    // One key made by the program (ci), the adopted one unchanged in number.
    expect(emu.keys().filter((k) => !k.seeded)).toHaveLength(2);
    expect(result.outputs).toMatchObject({ legacyKeyAvailable: false, ciKeyAvailable: true, ciKey: "[secret]" });
    expect(result.outputs.legacyKey).toBeUndefined();
    expect((await resolveOutput(keys.legacy?.status)).value).toBe("revoked");
  });

  it("after that it is managed like any key; a changed adopt changes nothing", async () => {
    wanted = adopting({ adopt: { uid: "0123456789abcdef01234567" } });
    await run("preview", "main", { expectNoChanges: true });
    wanted = adopting({ active: true });
    // A refresh reads it back as it is: no drift, keyAvailable still false.
    const result = await run("up", "main", { refresh: true });
    expect(result.refreshSteps.map((s) => [s.name, s.op])).toEqual([["ci", "same"], ["legacy", "same"]]);
    expect(step(result, "legacy")).toMatchObject({ op: "update", id: uid, changes: [{ name: "active", old: false, new: true }] });
    expect(emulated(uid)?.active).toBe(true);
    expect(result.outputs).toMatchObject({ legacyKeyAvailable: false });
  });

  it("a key another resource of the stack manages cannot be adopted: refused on adopt.uid, nothing changed", async () => {
    const before = snapshot();
    // Whichever call comes second refuses: twin's check when legacy's diff came first, else legacy's diff.
    const refusal = new RegExp(
      `"legacy" of this stack already manages API key ${uid}.*Leave adopt out of "twin"|API key ${uid}, which the resource "legacy" of this stack manages, is adopted by the resource "twin" \\(adopt\\.uid\\)`,
      "s",
    );
    const twin: [string, ApiKeyArgs] = ["twin", { name: "twin", adopt: { uid } }];
    // Previews in both orders; an up where the adopter comes first, so its create races the holder's diff.
    for (const [twinFirst, operation] of [[false, "preview"], [true, "preview"], [true, "up"]] as const) {
      wanted = twinFirst ? [twin, ...adopting({ active: true })] : [...adopting({ active: true }), twin];
      const e = await failed(run(operation, "main"));
      expect(e.result.errors.join("\n")).toMatch(refusal);
      expect(snapshot()).toBe(before);
    }
  });

  it("a resource leaving the program in the run that adopts its key elsewhere leaves the key to it", async () => {
    wanted = [["ci", { description: "made here" }], ["heir", { name: "ci-legacy", description: "inherited", expiresIn: "60d", adopt: { uid } }]];
    const result = await run("up", "main");
    expect(step(result, "heir")).toMatchObject({ op: "create", id: uid });
    expect(step(result, "legacy")).toMatchObject({ op: "delete", id: uid });
    expect(emulated(uid)).toMatchObject({ name: "ci-legacy", description: "inherited" });
  });

  it("destroy deletes the adopted key with the rest", async () => {
    await run("destroy", "main");
    expect(emulated(uid)).toBeUndefined();
    expect(emu.keys().filter((k) => !k.seeded)).toHaveLength(0);
  });
});

describe("keys that cannot be adopted are refused on adopt.uid, with nothing changed", () => {
  const refused = async (adopt: string, extra: Partial<ApiKeyArgs> = {}): Promise<string> => {
    wanted = [["legacy", { name: "legacy", adopt: { uid: adopt }, ...extra }]];
    const before = snapshot();
    const e = await failed(run("up", "refused"));
    expect(snapshot()).toBe(before);
    expect(fs.existsSync(path.join(dir, "refused.json")) ? fs.readFileSync(path.join(dir, "refused.json"), "utf8") : "").not.toContain(adopt);
    return e.result.errors.join("\n");
  };

  it("a uid no key has", async () => {
    const text = await refused("0123456789abcdef01234567");
    expect(text).toMatch(/Cannot adopt API key 0123456789abcdef01234567 \(adopt\.uid\): no such key in tenant \w+ at http:\/\/127\.0\.0\.1:\d+.*Nothing was changed\./);
  });

  it("another user's key, unless the program names that user as its owner", async () => {
    const alice = emu.accounts.users[0]!;
    const { apiKey } = await sdk.apiKeys.create({ name: "alices", expiresAt: inTenDays(), userUid: alice.uid });
    const text = await refused(apiKey.uid);
    expect(text).toContain(`(adopt.uid): the key "alices" belongs to user ${alice.uid}`);
    expect(text).toContain(`user: { uid: "${alice.uid}" }`);
    wanted = [["legacy", { name: "alices", user: { email: alice.email }, expiresAt: inTenDays().toISOString(), adopt: { uid: apiKey.uid } }]];
    const result = await run("up", "refused");
    expect(step(result, "legacy")).toMatchObject({ op: "create", id: apiKey.uid });
    expect(emulated(apiKey.uid)).toMatchObject({ name: "alices", ownerUid: alice.uid });
  });

  it("a key of another tenant", async () => {
    const elsewhere = new PaletteClient({ host: other.url, auth: { apiKey: other.accounts.admin.apiKey } });
    const { apiKey } = await elsewhere.apiKeys.create({ name: "far", expiresAt: inTenDays() });
    await elsewhere.close();
    expect(await refused(apiKey.uid)).toContain(`Cannot adopt API key ${apiKey.uid} (adopt.uid): no such key in tenant`);
    expect(other.keys().some((k) => k.uid === apiKey.uid && k.name === "far")).toBe(true);
  });
});

describe("retainOnDelete: an adopted key outlives its resource", () => {
  it("removing the resource (and destroy) leaves the key in Palette as the program last set it; without the option it is deleted", async () => {
    const kept = (await sdk.apiKeys.create({ name: "ui-kept", expiresAt: inTenDays() })).apiKey.uid;
    const gone = (await sdk.apiKeys.create({ name: "ui-gone", expiresAt: inTenDays() })).apiKey.uid;
    wanted = [
      ["kept", { name: "ui-kept", description: "managed for a while", adopt: { uid: kept } }, { retainOnDelete: true }],
      ["gone", { name: "ui-gone", adopt: { uid: gone } }],
    ];
    await run("up", "retained");
    expect(emulated(kept)).toMatchObject({ description: "managed for a while" });

    wanted = [];
    const result = await run("up", "retained");
    expect(step(result, "kept")).toMatchObject({ op: "delete", id: kept });
    expect(step(result, "gone")).toMatchObject({ op: "delete", id: gone });
    expect(emulated(kept)).toMatchObject({ name: "ui-kept", description: "managed for a while" });
    expect(emulated(gone)).toBeUndefined();
    // The state no longer knows the retained key: a destroy leaves it alone too.
    await run("destroy", "retained");
    expect(emulated(kept)).toBeDefined();
    expect(fs.readFileSync(path.join(dir, "retained.json"), "utf8")).not.toContain(kept);
  });
});
