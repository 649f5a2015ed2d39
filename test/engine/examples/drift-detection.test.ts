/**
 * examples/drift-detection through the offline runner: after someone revokes the key out of band, the
 * nightly `pulumi preview --refresh --expect-no-changes` fails and reports exactly the `active` change;
 * `pulumi up --refresh` restores the same key in place; the next nightly check passes.
 */
import type { RunningEmulator } from "../../../emulator";
import { RunFailedError, type RunResult } from "../../../runner/offline-engine";
import { loadState } from "../../../runner/state-file";
import { PaletteClient } from "../../../sdk";
import { exampleOnEmulator } from "./support";

let emu: RunningEmulator;
let sdk: PaletteClient;
const stack = exampleOnEmulator("drift-detection", (started) => (emu = started));
// A day well ahead, computed so that the test never ages into a past date.
const config = { monitoringExpiresAt: new Date(Date.now() + 200 * 86_400_000).toISOString().slice(0, 10) };

beforeAll(() => {
  // Shares the emulated per-IP rate limit with the provider processes: let it retry a 429.
  sdk = new PaletteClient({ host: emu.url, auth: { apiKey: emu.accounts.admin.apiKey } });
});
afterAll(() => sdk?.close());

const keyValue = (): unknown =>
  loadState(stack.stateFile, "palette-apikeys-drift-detection", "dev", stack.passphrase).state.resources.find((r) => r.name === "monitoring")?.outputs.key;

let uid: string;
let value: unknown;

it("up creates the monitoring key as declared", async () => {
  const result = await stack.run("up", config);
  expect(result.steps.map((s) => [s.op, s.name])).toEqual([["create", "monitoring"]]);
  uid = String(result.steps[0]?.id);
  value = keyValue();
  expect(emu.keys().find((k) => k.uid === uid)).toMatchObject({ name: "monitoring-exporter", active: true });
  expect(emu.keys().find((k) => k.uid === uid)?.expiresAt.toISOString()).toBe(`${config.monitoringExpiresAt}T23:59:59.999Z`);
  expect(result.outputs).toMatchObject({ monitoringStatus: "active" });
});

it("a revoke in 'the Palette UI' fails preview --refresh --expect-no-changes, reporting exactly `active`", async () => {
  await sdk.apiKeys.setActive(uid, false);

  const e = await stack.run("preview", config, { refresh: true, expectNoChanges: true }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(RunFailedError);
  const result: RunResult = (e as RunFailedError).result;
  expect(result.errors).toEqual(["expected no changes, found refresh-drift monitoring, update monitoring"]);
  // The refresh read what Palette has now ...
  expect(result.refreshSteps).toEqual([
    expect.objectContaining({ op: "refresh-drift", name: "monitoring", changes: expect.arrayContaining([{ name: "active", old: true, new: false }]) }),
  ]);
  // ... and the plan is to put back that one property, in place.
  expect(result.steps).toEqual([expect.objectContaining({ op: "update", name: "monitoring", id: uid, changes: [{ name: "active", old: false, new: true }] })]);
  expect(emu.keys().find((k) => k.uid === uid)?.active).toBe(false);
});

it("up --refresh restores the same key in place; the next nightly check passes", async () => {
  const result = await stack.run("up", config, { refresh: true });
  expect(result.steps.map((s) => [s.op, s.name, s.id])).toEqual([["update", "monitoring", uid]]);
  expect(emu.keys().find((k) => k.uid === uid)?.active).toBe(true);
  expect(emu.keys().filter((k) => !k.seeded)).toHaveLength(1);
  expect(keyValue()).toBe(value);
  expect(result.outputs).toMatchObject({ monitoringStatus: "active" });

  await expect(stack.run("preview", config, { refresh: true, expectNoChanges: true })).resolves.toMatchObject({ errors: [] });
});
