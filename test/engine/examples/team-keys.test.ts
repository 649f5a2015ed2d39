/**
 * examples/team-keys through the offline runner: config `team` -> one key per member, owned by that
 * member; removing a member deletes exactly their key and leaves the others untouched.
 */
import type { RunningEmulator, SeedAccount } from "../../../emulator";
import { PaletteClient } from "../../../sdk";
import { resolveOutput } from "../../helpers/resolve-output";
import { exampleOnEmulator } from "./support";

let emu: RunningEmulator;
let alice: SeedAccount;
let bob: SeedAccount;
const stack = exampleOnEmulator("team-keys", (started) => (emu = started));

beforeAll(() => {
  const user = (email: string): SeedAccount => {
    const found = emu.accounts.users.find((u) => u.email === email);
    if (!found) throw new Error(`the emulator seeds ${email}`);
    return found;
  };
  alice = user("alice@palette.local");
  bob = user("bob@palette.local");
});

const created = () => emu.keys().filter((k) => !k.seeded);

it("up with two members creates one key per member, owned by that member", async () => {
  const result = await stack.run("up", { team: JSON.stringify([alice.email, bob.email]), expiresIn: "14d" });

  // Registrations are planned concurrently, as the engine does: the order of the two creates varies.
  expect(result.steps.map((s) => [s.op, s.name]).sort()).toEqual([
    ["create", "ci-alice-palette-local"],
    ["create", "ci-bob-palette-local"],
  ]);
  expect(created().map((k) => k.ownerUid).sort()).toEqual([alice.uid, bob.uid].sort());
  expect(result.outputs.inventory).toEqual({
    [alice.email]: { name: expect.stringMatching(/^ci-alice-palette-local-/), owner: "Alice Anders", expiresAt: expect.any(String), status: "active", keyAvailable: true },
    [bob.email]: { name: expect.stringMatching(/^ci-bob-palette-local-/), owner: "Bob Brown", expiresAt: expect.any(String), status: "active", keyAvailable: true },
  });
  expect(result.outputs.values).toBe("[secret]");
  const values = await resolveOutput(stack.exports.values);
  expect(values.secret).toBe(true);
  expect(Object.keys(values.value as object).sort()).toEqual([alice.email, bob.email]);
});

it("removing a member deletes only their key; the others are untouched", async () => {
  const [aliceBefore] = created().filter((k) => k.ownerUid === alice.uid);
  // Addresses are normalized, so a differently written address is still the same member.
  const result = await stack.run("up", { team: JSON.stringify([" Alice@Palette.local "]), expiresIn: "14d" });

  expect(result.steps.map((s) => [s.op, s.name])).toEqual([
    ["same", "ci-alice-palette-local"],
    ["delete", "ci-bob-palette-local"],
  ]);
  expect(created()).toEqual([aliceBefore]);
  expect(Object.keys(result.outputs.inventory as object)).toEqual([alice.email]);
});

it("a member's key made in the console is adopted, not duplicated; its value stays with its owner", async () => {
  const sdk = new PaletteClient({ host: emu.url, auth: { apiKey: emu.accounts.admin.apiKey } });
  const { apiKey } = await sdk.apiKeys.create({ name: "bob-console", expiresAt: new Date(Date.now() + 5 * 86_400_000), userUid: bob.uid });
  await sdk.close();
  const adopt = JSON.stringify({ [bob.email]: { uid: apiKey.uid, name: "bob-ci" } });
  const result = await stack.run("up", { team: JSON.stringify([alice.email, bob.email]), expiresIn: "14d", adopt });

  expect(result.steps.map((s) => [s.op, s.name, s.op === "create" ? s.id : undefined]).sort()).toEqual([
    ["create", "ci-bob-palette-local", apiKey.uid],
    ["same", "ci-alice-palette-local", undefined],
  ]);
  expect(created().filter((k) => k.ownerUid === bob.uid)).toEqual([
    expect.objectContaining({ uid: apiKey.uid, name: "bob-ci", description: `CI key of ${bob.email}, managed by the platform team` }),
  ]);
  expect(result.outputs.inventory).toMatchObject({ [bob.email]: { name: "bob-ci", keyAvailable: false }, [alice.email]: { keyAvailable: true } });
  expect(Object.keys((await resolveOutput(stack.exports.values)).value as object)).toEqual([alice.email]);
});
