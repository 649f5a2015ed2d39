/**
 * palette_api_key under the real `terraform` CLI against the emulator: init from the package's own
 * filesystem mirror, create, no-op plan, in-place updates, drift shown by -refresh-only and
 * repaired, a key deleted out of band re-created, owner change replacing, both imports, destroy.
 * Secrets: no credential in state, plan JSON or TF_LOG=trace; no key value in plan/apply output.
 */
import * as fs from "node:fs";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { PaletteClient } from "../../../sdk";
import { credentialsEnv, terraformSuite, layOutMirror, PROVIDER_BLOCK, tempRoot, Workspace } from "../../helpers/terraform-palette";

jest.setTimeout(120_000);

let emu: RunningEmulator;
let root: string;
let ws: Workspace;
let sdk: PaletteClient;

const admin = () => emu.accounts.admin;
const seededUids = () => new Set(emu.keys().filter((k) => k.seeded).map((k) => k.uid));

const config = (ci: string, alice: string, extra = ""): string => `${PROVIDER_BLOCK}
resource "palette_api_key" "ci" {
${ci}
}

resource "palette_api_key" "alice" {
${alice}
}
${extra}
output "ci_uid" { value = palette_api_key.ci.id }

data "palette_user" "bob" { email = "bob@palette.local" }
output "bob_uid" { value = data.palette_user.bob.id }

data "palette_api_keys" "visible" { depends_on = [palette_api_key.ci, palette_api_key.alice] }
output "visible" { value = sort([for k in data.palette_api_keys.visible.keys : "\${k.name}:\${k.status}"]) }
`;
const CI = `  name = "ci-bot"
  description = "CI deployer"
  expires_in = "30d"`;
const ALICE = `  name = "alice-ci"
  user_email = "alice@palette.local"
  expires_in = "90d"`;

const { suite } = terraformSuite(__filename);

suite("palette_api_key with the real terraform", () => {
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, rateLimit: false });
    root = tempRoot("tf-lifecycle-");
    const { cliConfig } = layOutMirror(root);
    ws = new Workspace(root, "stack", cliConfig, credentialsEnv(emu, admin()));
    sdk = new PaletteClient({ host: emu.url, auth: { apiKey: admin().apiKey }, rateLimit: false });
  });
  afterAll(async () => {
    await sdk?.close();
    await emu?.close();
    if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
  });

  const outputsOf = (r: { stdout: string; stderr: string }) => r.stdout + r.stderr;

  test("init from the mirror writes a lock file; apply creates both keys; the values never print", async () => {
    ws.write({ "main.tf": config(CI, ALICE) });
    await ws.expect(["init", "-no-color"]);
    const lock = fs.readFileSync(`${ws.dir}/.terraform.lock.hcl`, "utf8");
    expect(lock).toContain('provider "terraform.local/palette-apikeys/palette"');
    expect(lock).toMatch(/"h1:[A-Za-z0-9+/=]+"/);

    const plan = await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 2);
    expect(plan.stdout).toContain("2 to add, 0 to change, 0 to destroy");
    const apply = await ws.expect(["apply", "-auto-approve", "-no-color"]);
    expect(apply.stdout).toContain("2 added, 0 changed, 0 destroyed");

    const ci = ws.attributes("palette_api_key", "ci");
    const alice = ws.attributes("palette_api_key", "alice");
    expect(ci).toMatchObject({ name: "ci-bot", description: "CI deployer", expires_in: "30d", active: true, status: "active", user_uid: admin().uid });
    expect(alice).toMatchObject({ name: "alice-ci", user_email: "alice@palette.local", user_uid: emu.accounts.users[0]!.uid, user_name: "Alice Anders" });
    expect(typeof ci.key).toBe("string");
    expect(ci.key_available).toBe(true);
    const onServer = emu.keys().find((k) => k.uid === ci.id);
    expect(onServer?.name).toBe("ci-bot");
    // The created values are in state (Terraform keeps sensitive values there), nowhere in the output.
    for (const v of [ci.key, alice.key] as string[]) {
      expect(outputsOf(plan)).not.toContain(v);
      expect(outputsOf(apply)).not.toContain(v);
    }
    expect(plan.stdout).toMatch(/key\s+=\s+\(sensitive value\)/);

    const outputs = JSON.parse((await ws.expect(["output", "-json"])).stdout) as Record<string, { value: unknown }>;
    expect(outputs.bob_uid?.value).toBe(emu.accounts.users[1]!.uid);
    expect(outputs.visible?.value).toEqual(["alice-ci:active", "bootstrap-admin:active", "bootstrap-alice:active", "ci-bot:active"]);
  });

  test("a second plan is a no-op (exit 0), also for state written before key_available existed", async () => {
    const r = await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0);
    expect(r.stdout).toContain("No changes.");
    const file = `${ws.dir}/terraform.tfstate`;
    const state = JSON.parse(fs.readFileSync(file, "utf8")) as { resources: { instances: { attributes: Record<string, unknown> }[] }[] };
    for (const r of state.resources) for (const i of r.instances) delete i.attributes.key_available;
    fs.writeFileSync(file, JSON.stringify(state));
    expect(ws.attributes("palette_api_key", "ci")).not.toHaveProperty("key_available");
    const older = await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0);
    expect(older.stdout).toContain("No changes.");
    // The next test's in-place update applies on this state: its result must match the plan.
  });

  test("description, expiry and active change in place: same uid, same key value", async () => {
    const before = ws.attributes("palette_api_key", "ci");
    ws.write({ "main.tf": config(`  name = "ci-bot"\n  description = "CI deployer v2"\n  expires_in = "60d"\n  active = false`, ALICE) });
    const plan = await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 2);
    expect(plan.stdout).toContain("0 to add, 1 to change, 0 to destroy");
    expect(plan.stdout).toContain("~ resource \"palette_api_key\" \"ci\"");
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    const after = ws.attributes("palette_api_key", "ci");
    expect(after).toMatchObject({ id: before.id, key: before.key, description: "CI deployer v2", expires_in: "60d", active: false, status: "revoked" });
    const server = emu.keys().find((k) => k.uid === before.id);
    expect(server?.active).toBe(false);
    expect(server?.expiresAt.toISOString()).toBe(after.expires_at);
    expect(Date.parse(after.expires_at as string) - Date.parse(before.expires_at as string)).toBeGreaterThan(29 * 86_400_000);

    ws.write({ "main.tf": config(CI.replace('"30d"', '"60d"'), ALICE) });
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    expect(ws.attributes("palette_api_key", "ci")).toMatchObject({ id: before.id, key: before.key, key_available: true, active: true, status: "active", description: "CI deployer" });
  });

  test("out-of-band revoke and rename: plan -refresh-only shows them, apply restores them in place", async () => {
    const ci = ws.attributes("palette_api_key", "ci");
    const alice = ws.attributes("palette_api_key", "alice");
    await sdk.apiKeys.setActive(ci.id as string, false);
    await sdk.apiKeys.update(alice.id as string, { name: "alice-ci-renamed-in-ui" });

    const drift = await ws.expect(["plan", "-refresh-only", "-no-color", "-detailed-exitcode"], 2);
    expect(drift.stdout).toContain("Objects have changed outside of Terraform");
    expect(drift.stdout).toMatch(/~ active\s+= true -> false/);
    expect(drift.stdout).toMatch(/~ name\s+= "alice-ci" -> "alice-ci-renamed-in-ui"/);

    const repair = await ws.expect(["apply", "-auto-approve", "-no-color"]);
    expect(repair.stdout).toContain("0 added, 2 changed, 0 destroyed");
    expect(emu.keys().find((k) => k.uid === ci.id)?.active).toBe(true);
    expect(emu.keys().find((k) => k.uid === alice.id)?.name).toBe("alice-ci");
    expect(ws.attributes("palette_api_key", "ci").key).toBe(ci.key);
    await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0);
  });

  test("a relative expiry shortened out of band is put back to the instant resolved before, never extended", async () => {
    const ci = ws.attributes("palette_api_key", "ci");
    const shortened = new Date(Date.now() + 2 * 86_400_000);
    await sdk.apiKeys.update(ci.id as string, { expiresAt: shortened });
    const drift = await ws.expect(["plan", "-refresh-only", "-no-color", "-detailed-exitcode"], 2);
    expect(drift.stdout).toContain(`"${shortened.toISOString()}"`);
    const plan = await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 2);
    expect(plan.stdout).toContain(`"${ci.expires_at as string}"`);
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    expect(ws.attributes("palette_api_key", "ci")).toMatchObject({ id: ci.id, key: ci.key, expires_at: ci.expires_at, expires_in: "60d" });
    expect(emu.keys().find((k) => k.uid === ci.id)?.expiresAt.toISOString()).toBe(ci.expires_at);
    await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0);
  });

  test("a key deleted out of band is re-created", async () => {
    const ci = ws.attributes("palette_api_key", "ci");
    await sdk.apiKeys.delete(ci.id as string);
    const plan = await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 2);
    expect(plan.stdout).toMatch(/palette_api_key\.ci has been deleted|has been deleted/);
    expect(plan.stdout).toContain("1 to add, 0 to change, 0 to destroy");
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    const again = ws.attributes("palette_api_key", "ci");
    expect(again.id).not.toBe(ci.id);
    expect(emu.keys().some((k) => k.uid === again.id && k.name === "ci-bot")).toBe(true);
  });

  test("a change of owner replaces the key", async () => {
    const alice = ws.attributes("palette_api_key", "alice");
    ws.write({ "main.tf": config(CI.replace('"30d"', '"60d"'), ALICE.replace("alice@palette.local", "bob@palette.local")) });
    const plan = await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 2);
    expect(plan.stdout).toContain("1 to add, 0 to change, 1 to destroy");
    expect(plan.stdout).toContain("# forces replacement");
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    const bobs = ws.attributes("palette_api_key", "alice");
    expect(bobs.id).not.toBe(alice.id);
    expect(bobs.user_uid).toBe(emu.accounts.users[1]!.uid);
    expect(emu.keys().some((k) => k.uid === alice.id)).toBe(false);
  });

  test("import by CLI and by import block adopt existing keys (their values stay unknown)", async () => {
    const byCli = await sdk.apiKeys.create({ name: "made-in-ui", expiresAt: new Date(Date.now() + 10 * 86_400_000) });
    const byBlock = await sdk.apiKeys.create({ name: "made-in-ui-2", description: "ui", expiresAt: new Date(Date.now() + 10 * 86_400_000) });
    const extra = `
resource "palette_api_key" "cli" {
  name = "made-in-ui"
  description = "adopted"
  expires_at = "${byCli.apiKey.expiresAt!.toISOString()}"
}

import {
  to = palette_api_key.block
  id = "${byBlock.apiKey.uid}"
}

resource "palette_api_key" "block" {
  name = "made-in-ui-2"
  description = "ui"
  expires_at = "${byBlock.apiKey.expiresAt!.toISOString()}"
}
`;
    ws.write({ "main.tf": config(CI.replace('"30d"', '"60d"'), ALICE.replace("alice@palette.local", "bob@palette.local"), extra) });
    await ws.expect(["import", "-no-color", "palette_api_key.cli", byCli.apiKey.uid]);
    expect(ws.attributes("palette_api_key", "cli")).toMatchObject({ id: byCli.apiKey.uid, name: "made-in-ui", key: null, key_available: false, status: "active" });
    // As with Pulumi's adopt: the configuration is applied to the imported key in place.
    const plan = await ws.expect(["plan", "-no-color"]);
    expect(plan.stdout).toContain("1 to import, 0 to add, 1 to change, 0 to destroy");
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    expect(ws.attributes("palette_api_key", "block")).toMatchObject({ id: byBlock.apiKey.uid, description: "ui", key: null, key_available: false });
    expect(ws.attributes("palette_api_key", "cli")).toMatchObject({ id: byCli.apiKey.uid, description: "adopted", key: null, key_available: false });
    expect(emu.keys().find((k) => k.uid === byCli.apiKey.uid)?.description).toBe("adopted");
    await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0);
  });

  test("no credential in state, plan JSON or the trace log", async () => {
    await ws.expect(["plan", "-no-color", "-out", "tfplan"]);
    const planJson = (await ws.expect(["show", "-json", "tfplan"])).stdout;
    const state = fs.readFileSync(`${ws.dir}/terraform.tfstate`, "utf8");
    const log = fs.readFileSync(ws.logFile, "utf8");
    expect(log.length).toBeGreaterThan(10_000);
    for (const secret of [admin().apiKey, ...emu.accounts.users.map((u) => u.apiKey).filter((k): k is string => Boolean(k))]) {
      expect(planJson).not.toContain(secret);
      expect(state).not.toContain(secret);
      expect(log).not.toContain(secret);
    }
    // `show -json` prints sensitive values by Terraform's design (like the state): it marks them.
    const plan = JSON.parse(planJson) as { resource_changes: { address: string; change: { after_sensitive: Record<string, unknown> } }[] };
    const ci = plan.resource_changes.find((c) => c.address === "palette_api_key.ci");
    expect(ci?.change.after_sensitive).toEqual({ key: true });
    // The human-readable plan never shows a key value.
    const shown = (await ws.expect(["show", "-no-color", "tfplan"])).stdout;
    expect(shown).not.toContain(ws.attributes("palette_api_key", "ci").key as string);
  });

  test("destroy leaves the emulator with only its seeded keys", async () => {
    const seeded = seededUids();
    const r = await ws.expect(["destroy", "-auto-approve", "-no-color"]);
    expect(r.stdout).toMatch(/Destroy complete! Resources: 4 destroyed/);
    expect(new Set(emu.keys().map((k) => k.uid))).toEqual(seeded);
  });
});
