/**
 * examples/rotation through the offline runner: period 2026-11 makes keys for 2026-10 and 2026-11;
 * moving to 2026-12 creates 2026-12, keeps 2026-11 as it is (same uid, same value) and deletes 2026-10.
 */
import type { RunningEmulator } from "../../../emulator";
import { resolveOutput, type RunResult } from "../../../runner/offline-engine";
import { loadState } from "../../../runner/state-file";
import { PaletteClient } from "../../../sdk";
import { exampleOnEmulator } from "./support";

let emu: RunningEmulator;
const stack = exampleOnEmulator("rotation", (started) => (emu = started));

const created = () => emu.keys().filter((k) => !k.seeded);
const idOf = (result: RunResult, name: string): string | undefined => result.steps.find((s) => s.name === name)?.id;
/** The key value the stack's state holds for a resource (decrypted). */
function stateKey(name: string): unknown {
  const { state } = loadState(stack.stateFile, "palette-apikeys-rotation", "dev", stack.passphrase);
  return state.resources.find((r) => r.name === name)?.outputs.key;
}

let first: RunResult;
let november: { uid: string; value: string };

it("period 2026-11: keys for 2026-10 and 2026-11", async () => {
  first = await stack.run("up", { rotationPeriod: "2026-11" });

  expect(first.steps.map((s) => [s.op, s.name]).sort()).toEqual([
    ["create", "deployer-2026-10"],
    ["create", "deployer-2026-11"],
  ]);
  expect(first.outputs).toMatchObject({
    currentKeyName: expect.stringMatching(/^deployer-2026-11-/),
    previousKeyName: expect.stringMatching(/^deployer-2026-10-/),
    currentKey: "[secret]",
  });
  expect(created()).toHaveLength(2);
  const current = await resolveOutput(stack.exports.currentKey);
  expect(current.secret).toBe(true);
  november = { uid: String(idOf(first, "deployer-2026-11")), value: String(current.value) };
  expect(stateKey("deployer-2026-11")).toBe(november.value);
});

it("period 2026-12: creates 2026-12, keeps 2026-11 (same uid and value), deletes 2026-10", async () => {
  const novemberBefore = created().find((k) => k.uid === november.uid);
  const result = await stack.run("up", { rotationPeriod: "2026-12" });

  expect(result.steps.map((s) => [s.op, s.name])).toEqual([
    ["same", "deployer-2026-11"],
    ["create", "deployer-2026-12"],
    ["delete", "deployer-2026-10"],
  ]);
  expect(idOf(result, "deployer-2026-11")).toBe(november.uid);
  expect(result.outputs).toMatchObject({
    currentKeyName: expect.stringMatching(/^deployer-2026-12-/),
    previousKeyName: first.outputs.currentKeyName,
  });
  // 2026-10 is gone; 2026-11 is the very same Palette key, untouched, and its value still works.
  expect(created().map((k) => k.uid)).not.toContain(idOf(first, "deployer-2026-10"));
  expect(created()).toHaveLength(2);
  expect(created().find((k) => k.uid === november.uid)).toEqual(novemberBefore);
  expect(stateKey("deployer-2026-11")).toBe(november.value);
  const client = new PaletteClient({ host: emu.url, auth: { apiKey: november.value } });
  try {
    await expect(client.users.me()).resolves.toMatchObject({ userUid: emu.accounts.admin.uid });
  } finally {
    await client.close();
  }
});

it("a period that is not a month fails the program with a clear message, changing nothing", async () => {
  const e = await stack.run("preview", { rotationPeriod: "2026-13" }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(String(e)).toContain('rotationPeriod must be a month such as "2026-11", got "2026-13"');
  expect(created()).toHaveLength(2);
});
