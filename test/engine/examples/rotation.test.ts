/**
 * examples/rotation through the offline runner, the emulator's clock and the provider's clock
 * (PALETTE_APIKEYS_NOW, set from the emulator's clock for every run) moved together through full
 * rotation cycles: no rotation before the window, a create-before-delete rotation inside it whose
 * reason the preview shows, the previous key alive through `keepPrevious` and deleted by the first
 * `up` after it, never two rotations for one window, failures that orphan nothing, `destroy`
 * removing everything, and the consumer stack reading the current key through a StackReference.
 */
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { RunningEmulator } from "../../../emulator";
import { RunFailedError, type RunResult } from "../../../runner/offline-engine";
import { resolveOutput } from "../../helpers/resolve-output";
import { loadState } from "../../../runner/state-file";
import { keyWorks } from "../../helpers/key-works";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";
import { exampleOnEmulator, loadProgram, REPO } from "./support";

const DAY = 86_400_000;
const HOUR = 3_600_000;

let emu: RunningEmulator;
const stack = exampleOnEmulator("rotation", (started) => (emu = started));

const created = () => emu.keys().filter((k) => !k.seeded);
const uids = (): string[] => created().map((k) => k.uid).sort();

/** A run with the provider's clock where the emulator's is now. */
function run(operation: "preview" | "up" | "destroy"): Promise<RunResult> {
  return stack.run(operation, {}, { env: { ...NO_ENV_CREDENTIALS, PALETTE_APIKEYS_NOW: emu.clock.now().toISOString() } });
}

function deployerState(): Record<string, unknown> {
  const { state } = loadState(stack.stateFile, "palette-apikeys-rotation", "dev", stack.passphrase);
  const r = state.resources.find((x) => x.name === "deployer" && !x.pendingDelete);
  if (r === undefined) throw new Error("no deployer in state");
  return { id: r.id, ...r.outputs };
}

const works = (value: string): Promise<boolean> => keyWorks(emu.url, value);

/** Moves the emulator's clock to `ms` after `from` (the provider's follows on the next run). */
const moveTo = (from: string, ms: number): void => emu.clock.set(new Date(Date.parse(from) + ms));

let first: { uid: string; value: string; expiresAt: string; rotatesAt: string };
let second: { uid: string; value: string; rotatesAt: string };

it("the first up makes one key that rotates 7 days before it expires", async () => {
  const result = await run("up");
  expect(result.steps.map((s) => [s.op, s.name])).toEqual([["create", "deployer"]]);
  const s = deployerState();
  first = { uid: String(s.id), value: String(s.key), expiresAt: String(s.expiresAt), rotatesAt: String(s.rotatesAt) };
  expect(Date.parse(first.expiresAt) - Date.parse(first.rotatesAt)).toBe(7 * DAY);
  expect(s).toMatchObject({ rotateBefore: "7d", keepPrevious: "2d", expiresIn: "30d" });
  expect(s).not.toHaveProperty("previousKeys");
  expect(result.outputs).toMatchObject({ deployerKey: "[secret]", deployerRotatesAt: first.rotatesAt, previousKeys: [] });
  expect(uids()).toEqual([first.uid]);
});

it("an hour before the window, up changes nothing", async () => {
  moveTo(first.rotatesAt, -HOUR);
  expect((await run("up")).steps.map((s) => s.op)).toEqual(["same"]);
  expect(uids()).toEqual([first.uid]);
});

it("inside the window, the preview shows a replacement and why, and changes nothing", async () => {
  moveTo(first.rotatesAt, HOUR);
  const preview = await run("preview");
  const day = first.expiresAt.slice(0, 10);
  expect(preview.steps).toEqual([expect.objectContaining({ op: "replace", name: "deployer", replaces: [`rotation due: expires ${day}, rotateBefore 7d`] })]);
  expect(uids()).toEqual([first.uid]);
});

it("a rotation whose create fails leaves the key as it was; the next up rotates", async () => {
  emu.faults.add({ method: "POST", path: "/v1/apiKeys", times: 1, action: { kind: "status", status: 400 } });
  const failed = await run("up").then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(failed).toBeInstanceOf(RunFailedError);
  expect(uids()).toEqual([first.uid]);
  expect(deployerState()).toMatchObject({ id: first.uid, key: first.value });
});

it("up rotates create-before-delete: a new key with a new name and expiry, the old one kept and listed", async () => {
  const at = emu.clock.now();
  const result = await run("up");
  expect(result.steps.map((s) => [s.op, s.name])).toEqual([["replace", "deployer"]]);
  const s = deployerState();
  second = { uid: String(s.id), value: String(s.key), rotatesAt: String(s.rotatesAt) };
  expect(second.uid).not.toBe(first.uid);
  expect(second.value).not.toBe(first.value);
  expect(Math.abs(Date.parse(String(s.expiresAt)) - (at.getTime() + 30 * DAY))).toBeLessThan(5 * 60_000);
  expect(s.previousKeys).toEqual([{ uid: first.uid, name: expect.stringMatching(/^deployer-/), deleteAfter: expect.any(String) }]);
  const deleteAfter = Date.parse(String((s.previousKeys as { deleteAfter: string }[])[0]?.deleteAfter));
  expect(Math.abs(deleteAfter - (at.getTime() + 2 * DAY))).toBeLessThan(5 * 60_000);
  expect(uids()).toEqual([first.uid, second.uid].sort());
  expect(created().find((k) => k.uid === second.uid)?.name).not.toBe(created().find((k) => k.uid === first.uid)?.name);
  expect(await works(first.value)).toBe(true);
  expect(await works(second.value)).toBe(true);
  expect((await resolveOutput(stack.exports.deployerKey)).value).toBe(second.value);
});

it("never two rotations for one window: the next up changes nothing while the old key's grace lasts", async () => {
  emu.clock.advance(DAY);
  expect((await run("up")).steps.map((s) => s.op)).toEqual(["same"]);
  expect(uids()).toEqual([first.uid, second.uid].sort());
  expect(await works(first.value)).toBe(true);
});

it("after the grace period, a failed delete keeps the old key listed; the next up deletes it", async () => {
  emu.clock.advance(DAY + HOUR);
  emu.faults.add({ method: "DELETE", path: `/v1/apiKeys/${first.uid}`, times: 1, action: { kind: "status", status: 400 } });
  await expect(run("up")).rejects.toThrow(/Cannot delete previous API key "deployer-[a-z0-9]+" \(/);
  expect(uids()).toEqual([first.uid, second.uid].sort());
  expect(deployerState().previousKeys).toEqual([expect.objectContaining({ uid: first.uid })]);

  const result = await run("up");
  expect(result.steps.map((s) => [s.op, s.name])).toEqual([["update", "deployer"]]);
  expect(uids()).toEqual([second.uid]);
  expect(deployerState()).toMatchObject({ id: second.uid, key: second.value });
  expect(deployerState()).not.toHaveProperty("previousKeys");
  expect(await works(first.value)).toBe(false);
});

describe("examples/rotation/consumer", () => {
  it("reads the current key through a StackReference, as a secret", async () => {
    const produced: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(stack.exports)) produced[name] = (await resolveOutput(value)).value;
    void pulumi.runtime.setMocks(
      {
        newResource: (args) =>
          args.type === "pulumi:pulumi:StackReference"
            ? { id: args.id ?? "", state: { name: args.inputs.name, outputs: produced, secretOutputNames: ["deployerKey"] } }
            : { id: `${args.name}-id`, state: args.inputs },
        call: (args) => {
          throw new Error(`unexpected invoke ${args.token}`);
        },
      },
      "palette-apikeys-rotation-consumer",
      "dev",
      false,
      "acme",
    );
    pulumi.runtime.setConfig("palette-apikeys-rotation-consumer:keysStack", "acme/palette-apikeys-rotation/prod");
    const exports = loadProgram(path.join(REPO, "examples/rotation/consumer/index.ts"));
    const env = await resolveOutput(exports.paletteEnvironment);
    expect(env).toMatchObject({ secret: true, known: true });
    expect(env.value).toBe(`SPECTROCLOUD_HOST=api.spectrocloud.com\nSPECTROCLOUD_APIKEY=${second.value}\n`);
    expect(await resolveOutput(exports.keyRotatesAt)).toMatchObject({ value: second.rotatesAt, secret: false });
  });
});

it("destroy inside a grace period deletes the key and the previous one it keeps", async () => {
  moveTo(second.rotatesAt, HOUR);
  expect((await run("up")).steps.map((s) => s.op)).toEqual(["replace"]);
  const third = deployerState();
  expect(third.previousKeys).toEqual([expect.objectContaining({ uid: second.uid })]);
  expect(uids()).toEqual([second.uid, String(third.id)].sort());

  const result = await run("destroy");
  expect(result.steps.map((s) => [s.op, s.name])).toEqual([["delete", "deployer"]]);
  expect(created()).toEqual([]);
});
