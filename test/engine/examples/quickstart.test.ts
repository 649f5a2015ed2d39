/**
 * examples/quickstart (the root Pulumi.yaml's program) through the offline runner: `up` creates a key
 * for the caller and one for alice; the exported key values are secrets, and they are real keys of
 * the right owners (each authenticates against the emulator as its owner).
 */
import type { RunningEmulator } from "../../../emulator";
import { resolveOutput } from "../../helpers/resolve-output";
import { PaletteClient } from "../../../sdk";
import { exampleOnEmulator } from "./support";

let emu: RunningEmulator;
const stack = exampleOnEmulator("quickstart", (started) => (emu = started));

/** Who a key value authenticates as (`GET /v1/users/info`). */
async function ownerOf(value: string): Promise<string> {
  const client = new PaletteClient({ host: emu.url, auth: { apiKey: value } });
  try {
    return (await client.users.me()).userUid;
  } finally {
    await client.close();
  }
}

it("up: ci-bot for the caller, alice-ci for alice by e-mail; the key values are real secrets", async () => {
  const alice = emu.accounts.users.find((u) => u.email === "alice@palette.local");
  if (!alice) throw new Error("the emulator seeds alice@palette.local");

  const result = await stack.run("up", { ciBotExpiresIn: "7d", aliceEmail: alice.email });

  // Steps are listed as they finish, and the two creates run in parallel: their order is timing's.
  expect(result.steps.map((s) => [s.op, s.name]).sort()).toEqual([
    ["create", "alice-ci"],
    ["create", "ci-bot"],
  ]);
  expect(result.secretOutputs.sort()).toEqual(["aliceKey", "ciBotKey"]);
  expect(result.outputs).toMatchObject({
    ciBotKey: "[secret]",
    aliceKey: "[secret]",
    ciBotStatus: "active",
    aliceKeyStatus: "active",
    aliceKeyOwner: `${alice.firstName} ${alice.lastName}`,
  });
  expect(result.outputs.ciBotKeyName).toMatch(/^ci-bot-[a-z0-9]{7}$/);
  expect(result.outputs.aliceKeyName).toMatch(/^alice-ci-[a-z0-9]{7}$/);
  // ciBotExpiresIn came from config: 7 days from now, not the 30-day default.
  const inDays = (Date.parse(String(result.outputs.ciBotExpiresAt)) - Date.now()) / 86_400_000;
  expect(inDays).toBeGreaterThan(6.9);
  expect(inDays).toBeLessThan(7.1);

  const ciBotKey = await resolveOutput(stack.exports.ciBotKey);
  const aliceKey = await resolveOutput(stack.exports.aliceKey);
  expect(ciBotKey).toMatchObject({ secret: true, known: true });
  expect(aliceKey).toMatchObject({ secret: true, known: true });
  expect(await ownerOf(String(ciBotKey.value))).toBe(emu.accounts.admin.uid);
  expect(await ownerOf(String(aliceKey.value))).toBe(alice.uid);

  const created = emu.keys().filter((k) => !k.seeded);
  expect(created.map((k) => [k.name, k.ownerUid]).sort()).toEqual(
    [
      [result.outputs.aliceKeyName, alice.uid],
      [result.outputs.ciBotKeyName, emu.accounts.admin.uid],
    ].sort(),
  );
});
