/**
 * rotate_before under the real `terraform` CLI against the emulator, the emulator's clock and the
 * provider's (PALETTE_APIKEYS_NOW, from the emulator's clock for every command) moved together: no
 * change before the window, a plan inside it that replaces the key and says why, a
 * create_before_destroy apply giving a new name and expiry, no second rotation in the same window,
 * destroy removing everything; validate rejecting what cannot rotate, naming the attributes.
 */
import * as fs from "node:fs";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { credentialsEnv, terraformSuite, layOutMirror, PROVIDER_BLOCK, tempRoot, Workspace } from "../../helpers/terraform-palette";

jest.setTimeout(120_000);

const DAY = 86_400_000;
const HOUR = 3_600_000;

let emu: RunningEmulator;
let root: string;
let ws: Workspace;

const created = () => emu.keys().filter((k) => !k.seeded);
const now = (): Record<string, string> => ({ PALETTE_APIKEYS_NOW: emu.clock.now().toISOString() });
const key = (body: string): string => `${PROVIDER_BLOCK}
resource "palette_api_key" "deployer" {
${body}
}
`;
const ROTATING = `  name_prefix   = "deployer"
  expires_in    = "30d"
  rotate_before = "7d"
  lifecycle { create_before_destroy = true }`;

const { suite } = terraformSuite(__filename);

suite("palette_api_key rotate_before with the real terraform", () => {
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, rateLimit: false });
    root = tempRoot("tf-rotation-");
    const { cliConfig } = layOutMirror(root);
    ws = new Workspace(root, "stack", cliConfig, credentialsEnv(emu, emu.accounts.admin));
  });
  afterAll(async () => {
    await emu?.close();
    if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
  });

  test("validate rejects what cannot rotate, naming the attributes", async () => {
    ws.write({ "main.tf": key(`  name = "deployer"\n  rotate_before = "7d"\n  keep_previous = "8d"`) });
    await ws.expect(["init", "-no-color"]);
    const r = await ws.expect(["validate", "-no-color"], 1);
    const out = r.stdout + r.stderr;
    expect(out).toContain("name and rotate_before cannot be combined");
    expect(out).toContain("use name_prefix instead of name");
    expect(out).toContain('"8d" is longer than rotate_before ("7d")');
  });

  let first: Record<string, unknown>;

  test("apply makes a key named from the prefix, with rotates_at 7 days before expiry", async () => {
    ws.write({ "main.tf": key(ROTATING) });
    await ws.expect(["apply", "-auto-approve", "-no-color"], 0, now());
    first = ws.attributes("palette_api_key", "deployer");
    expect(first).toMatchObject({ name: expect.stringMatching(/^deployer-[a-z0-9]{7}$/), name_prefix: "deployer", rotate_before: "7d", keep_previous: null });
    expect(Date.parse(String(first.expires_at)) - Date.parse(String(first.rotates_at))).toBe(7 * DAY);
    expect(created().map((k) => k.uid)).toEqual([first.id]);
  });

  test("an hour before the window, plan shows no changes", async () => {
    emu.clock.set(new Date(Date.parse(String(first.rotates_at)) - HOUR));
    await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0, now());
  });

  test("inside it, plan replaces the key and says why; apply creates the new key before deleting the old", async () => {
    emu.clock.set(new Date(Date.parse(String(first.rotates_at)) + HOUR));
    const plan = await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 2, now());
    expect(plan.stdout).toContain("must be replaced");
    expect(plan.stdout).toContain("+/- create replacement and then destroy");
    expect(plan.stdout).toMatch(/rotates_at\s+= "[^"]+" -> \(known after apply\) # forces replacement/);
    expect(plan.stdout + plan.stderr).toContain(`rotation due: expires ${String(first.expires_at).slice(0, 10)}, rotate_before 7d`);

    const at = emu.clock.now().getTime();
    const apply = await ws.expect(["apply", "-auto-approve", "-no-color"], 0, now());
    expect(apply.stdout).toContain("1 added, 0 changed, 1 destroyed");
    const second = ws.attributes("palette_api_key", "deployer");
    expect(second.id).not.toBe(first.id);
    expect(second.name).not.toBe(first.name);
    expect(second.name).toMatch(/^deployer-[a-z0-9]{7}$/);
    expect(Math.abs(Date.parse(String(second.expires_at)) - (at + 30 * DAY))).toBeLessThan(5 * 60_000);
    expect(created().map((k) => k.uid)).toEqual([second.id]);

    // Never two rotations for one window.
    await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0, now());
  });

  test("destroy removes the key", async () => {
    await ws.expect(["destroy", "-auto-approve", "-no-color"], 0, now());
    expect(created()).toEqual([]);
  });

  describe("keep_previous", () => {
    const KEEPING = `${ROTATING}\n  keep_previous = "2d"`;
    let old: Record<string, unknown>;
    let current: Record<string, unknown>;
    /** A Palette call made with `value`: 200 while the key is alive and active. */
    const usable = async (value: unknown): Promise<number> => (await fetch(`${emu.url}/v1/apiKeys`, { headers: { apikey: String(value) } })).status;
    const rotate = async (): Promise<void> => {
      old = ws.attributes("palette_api_key", "deployer");
      emu.clock.set(new Date(Date.parse(String(old.rotates_at)) + HOUR));
      const plan = await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 2, now());
      expect(plan.stdout).toContain("will be updated in-place");
      expect(plan.stdout).toMatch(/previous_keys\s+= (\[[^]*\] -> )?\(known after apply\)/);
      expect((plan.stdout + plan.stderr).replace(/\s+/g, " ")).toContain("the replaced key stays usable for keep_previous 2d");
      const apply = await ws.expect(["apply", "-auto-approve", "-no-color"], 0, now());
      expect(apply.stdout).toContain("0 added, 1 changed, 0 destroyed");
      current = ws.attributes("palette_api_key", "deployer");
    };

    test("a rotation keeps the replaced key usable for the grace period, recorded in previous_keys", async () => {
      ws.write({ "main.tf": key(KEEPING) });
      await ws.expect(["apply", "-auto-approve", "-no-color"], 0, now());
      expect(ws.attributes("palette_api_key", "deployer")).toMatchObject({ keep_previous: "2d", previous_keys: null });
      await rotate();
      expect(current.id).not.toBe(old.id);
      expect(current.name).not.toBe(old.name);
      expect(current.previous_keys).toEqual([{ uid: old.id, name: old.name, delete_after: expect.any(String) }]);
      const [kept] = current.previous_keys as { delete_after: string }[];
      expect(Math.abs(Date.parse(kept!.delete_after) - (emu.clock.now().getTime() + 2 * DAY))).toBeLessThan(5 * 60_000);
      expect(created().map((k) => k.uid).sort()).toEqual([old.id, current.id].sort());
      expect(await usable(old.key)).toBe(200);
      expect(await usable(current.key)).toBe(200);
      // Never two rotations for one window, and nothing to delete yet.
      emu.clock.set(new Date(emu.clock.now().getTime() + 2 * DAY - HOUR));
      await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0, now());
    });

    test("the first apply after the grace period deletes the kept key in place", async () => {
      emu.clock.set(new Date(emu.clock.now().getTime() + 2 * HOUR));
      const plan = await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 2, now());
      expect(plan.stdout).toContain("will be updated in-place");
      expect(plan.stdout).toContain(String(old.name));
      expect(plan.stdout).not.toContain("must be replaced");
      const apply = await ws.expect(["apply", "-auto-approve", "-no-color"], 0, now());
      expect(apply.stdout).toContain("0 added, 1 changed, 0 destroyed");
      expect(ws.attributes("palette_api_key", "deployer")).toMatchObject({ id: current.id, previous_keys: null });
      expect(created().map((k) => k.uid)).toEqual([current.id]);
      expect(await usable(old.key)).toBe(401);
      await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0, now());
    });

    test("destroy during a grace period removes the key and the kept one", async () => {
      await rotate();
      expect(created()).toHaveLength(2);
      await ws.expect(["destroy", "-auto-approve", "-no-color"], 0, now());
      expect(created()).toEqual([]);
    });
  });
});
