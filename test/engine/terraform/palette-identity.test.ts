/**
 * palette_api_key's identities under the real `terraform`: an owner named by email (the README's own
 * import block, an email the credentials cannot read, an email in another case), the tenant behind
 * another host name, a clone of the tenant at another host (same tenant uid, the key not there), an
 * expiry spelled another way, and a saved plan applied after an out-of-band revoke (with edits, and
 * with nothing to send). Each is a state Terraform must keep without a replacement, a dropped key or
 * an inconsistent result.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { PaletteClient } from "../../../sdk";
import { startClones } from "../../helpers/emulator-clones";
import { REPO } from "../../helpers/terraform";
import { credentialsEnv, terraformSuite, layOutMirror, PROVIDER_BLOCK, tempRoot, Workspace } from "../../helpers/terraform-palette";

jest.setTimeout(120_000);

let emu: RunningEmulator;
let root: string;
let cliConfig: string;
let sdk: PaletteClient;

const workspace = (name: string, env = credentialsEnv(emu, emu.accounts.admin)): Workspace => new Workspace(root, name, cliConfig, env);
const alice = () => emu.accounts.users[0]!;
const text = (r: { stdout: string; stderr: string }): string => `${r.stdout}\n${r.stderr}`.replace(/\s+/g, " ");

/** The README's import example: the ```hcl block of its Import section that holds an import block. */
function readmeImportExample(): string {
  const readme = fs.readFileSync(path.join(REPO, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("### Import"));
  const block = /```hcl\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined || !block.includes("import {")) throw new Error("README.md's Import section has no import block");
  return block;
}

/** A configuration importing key `uid` as palette_api_key.k, its owner named by email. */
const importing = (uid: string, name: string, email: string, expiresAt: string): string => `${PROVIDER_BLOCK}
import {
  to = palette_api_key.k
  id = "${uid}"
}
resource "palette_api_key" "k" {
  name       = "${name}"
  user_email = "${email}"
  expires_at = "${expiresAt}"
}
`;

const { suite } = terraformSuite(__filename);

suite("palette_api_key identities with the real terraform", () => {
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, rateLimit: false });
    root = tempRoot("tf-identity-");
    cliConfig = layOutMirror(root).cliConfig;
    sdk = new PaletteClient({ host: emu.url, auth: { apiKey: emu.accounts.admin.apiKey }, rateLimit: false });
  });
  afterEach(() => emu.faults.clear());
  afterAll(async () => {
    await sdk?.close();
    await emu?.close();
    if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
  });

  test("the README's import example, owner by user_email and expiry spelled without milliseconds: nothing to change, no replacement", async () => {
    const example = readmeImportExample();
    const at = /expires_at = "([^"]+)"/.exec(example)?.[1] ?? "";
    const made = await sdk.apiKeys.create({ name: "legacy-deployer", expiresAt: new Date(at), userUid: alice().uid });
    expect(made.apiKey.expiresAt?.toISOString()).not.toBe(at); // Palette's spelling has milliseconds
    const ws = workspace("readme-import");
    ws.write({ "main.tf": `${PROVIDER_BLOCK}\n${example.replace("<uid>", made.apiKey.uid).replace("alice@example.com", alice().email)}` });
    await ws.expect(["init", "-no-color"]);
    const plan = await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 2);
    expect(plan.stdout).toContain("1 to import, 0 to add, 0 to change, 0 to destroy");
    expect(plan.stdout).not.toMatch(/forces replacement|destroy the imported/);
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    expect(ws.attributes("palette_api_key", "legacy")).toMatchObject({ id: made.apiKey.uid, user_email: alice().email, user_uid: alice().uid });
    await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0);
    expect(emu.keys().some((k) => k.uid === made.apiKey.uid)).toBe(true);
  });

  test("an import whose owner's email the credentials cannot read: the configured email is resolved to the owner's uid, no replacement", async () => {
    const made = await sdk.apiKeys.create({ name: "unread-owner", expiresAt: new Date("2030-01-31T12:00:00Z"), userUid: alice().uid });
    emu.faults.add({ method: "GET", path: `/v1/users/${alice().uid}`, times: Infinity, action: { kind: "status", status: 403 } });
    const ws = workspace("unread-owner");
    ws.write({ "main.tf": importing(made.apiKey.uid, "unread-owner", alice().email.toUpperCase(), "2030-01-31T13:00:00+01:00") });
    await ws.expect(["init", "-no-color"]);
    const plan = await ws.expect(["plan", "-no-color"]);
    expect(plan.stdout).toContain("1 to import, 0 to add, 1 to change, 0 to destroy");
    expect(plan.stdout).not.toMatch(/forces replacement|destroy the imported/);
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    expect(ws.attributes("palette_api_key", "k")).toMatchObject({ id: made.apiKey.uid, user_email: alice().email.toUpperCase() });
    await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0);
  });

  test("an owner email in another case: apply converges (no taint), the state keeps the configured spelling, the next plan is empty", async () => {
    const ws = workspace("email-case");
    ws.write({ "main.tf": `${PROVIDER_BLOCK}\nresource "palette_api_key" "bob" {\n  name = "for-bob"\n  user_email = "Bob@Palette.LOCAL"\n}\n` });
    await ws.expect(["init", "-no-color"]);
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    const instance = ws.state().resources.find((r) => r.name === "bob")?.instances[0];
    expect(instance?.status).toBeUndefined();
    expect(instance?.attributes).toMatchObject({ user_email: "Bob@Palette.LOCAL", user_uid: emu.accounts.users[1]!.uid });
    await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0);
    await ws.expect(["destroy", "-auto-approve", "-no-color"]);
  });

  test("the same tenant under another host name: refresh proceeds, records the host in use, and says so", async () => {
    const ws = workspace("renamed-host");
    ws.write({ "main.tf": `${PROVIDER_BLOCK}\nresource "palette_api_key" "k" {\n  name = "renamed-host"\n}\n` });
    await ws.expect(["init", "-no-color"]);
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    const before = ws.attributes("palette_api_key", "k");
    expect(before.host).toMatch(/^http:\/\/127\.0\.0\.1:/);
    const renamed = emu.url.replace("127.0.0.1", "localhost");
    const env = { SPECTROCLOUD_HOST: renamed };
    const refresh = await ws.expect(["apply", "-refresh-only", "-auto-approve", "-no-color"], 0, env);
    expect(text(refresh)).toContain(`its tenant ${emu.tenant.uid} now answers at ${renamed}`);
    expect(text(refresh)).not.toContain("state rm");
    expect(ws.attributes("palette_api_key", "k")).toMatchObject({ id: before.id, key: before.key, host: renamed, tenant_uid: emu.tenant.uid });
    await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0, env);
    await ws.expect(["destroy", "-auto-approve", "-no-color"], 0, env);
  });

  test("an edit applied with -refresh=false under another host name keeps the planned host (no inconsistent result); the next refresh records the new one", async () => {
    const ws = workspace("renamed-host-no-refresh");
    const config = (description: string): string => `${PROVIDER_BLOCK}\nresource "palette_api_key" "k" {\n  name        = "renamed-no-refresh"\n  description = "${description}"\n}\n`;
    ws.write({ "main.tf": config("before") });
    await ws.expect(["init", "-no-color"]);
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    const recordedHost = ws.attributes("palette_api_key", "k").host;
    const renamed = emu.url.replace("127.0.0.1", "localhost");
    const env = { SPECTROCLOUD_HOST: renamed };
    ws.write({ "main.tf": config("after") });
    const edit = await ws.expect(["apply", "-refresh=false", "-auto-approve", "-no-color"], 0, env);
    expect(text(edit)).not.toContain("inconsistent result");
    expect(ws.attributes("palette_api_key", "k")).toMatchObject({ description: "after", host: recordedHost });
    await ws.expect(["apply", "-refresh-only", "-auto-approve", "-no-color"], 0, env);
    expect(ws.attributes("palette_api_key", "k").host).toBe(renamed);
    await ws.expect(["destroy", "-auto-approve", "-no-color"], 0, env);
  });

  test("a clone of the tenant at another host (emulators from copies of one state file): refresh and destroy there are refused, the key stays in state and in Palette", async () => {
    const [a, b] = await startClones(root, { rateLimit: false });
    try {
      expect([a.tenant.uid, b.accounts.admin.apiKey]).toEqual([b.tenant.uid, a.accounts.admin.apiKey]);
      const ws = workspace("clone", credentialsEnv(a, a.accounts.admin));
      ws.write({ "main.tf": `${PROVIDER_BLOCK}\nresource "palette_api_key" "k" {\n  name = "cloned-tenant"\n}\n` });
      await ws.expect(["init", "-no-color"]);
      await ws.expect(["apply", "-auto-approve", "-no-color"]);
      const made = ws.attributes("palette_api_key", "k");
      expect(made).toMatchObject({ host: a.url, tenant_uid: a.tenant.uid });
      const atB = { SPECTROCLOUD_HOST: b.url };
      const refused = `API key ${made.id as string} was recorded at ${a.url} in tenant ${a.tenant.uid}; the credentials in use reach that tenant at ${b.url}, but the key is not there`;
      for (const args of [["apply", "-refresh-only", "-auto-approve", "-no-color"], ["destroy", "-refresh=false", "-auto-approve", "-no-color"]]) {
        const r = await ws.expect(args, 1, atB);
        expect(text(r)).toContain(refused);
        expect(text(r)).toContain("Point the provider back at the recorded host");
        expect(ws.attributes("palette_api_key", "k")).toEqual(made);
        expect(a.keys().filter((k) => k.uid === made.id)).toHaveLength(1);
      }
      expect(b.keys().filter((k) => !k.seeded)).toEqual([]);
      await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0);
      await ws.expect(["destroy", "-auto-approve", "-no-color"]);
      expect(a.keys().filter((k) => k.uid === made.id)).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test("a saved plan applied after an out-of-band revoke records the key revoked, as Palette holds it, and says why", async () => {
    const ws = workspace("saved-plan");
    const main = (description: string) => `${PROVIDER_BLOCK}\nresource "palette_api_key" "k" {\n  name = "saved-plan"\n  description = "${description}"\n}\n`;
    ws.write({ "main.tf": main("v1") });
    await ws.expect(["init", "-no-color"]);
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    const uid = ws.attributes("palette_api_key", "k").id as string;
    ws.write({ "main.tf": main("v2") });
    await ws.expect(["plan", "-no-color", "-out", "tfplan"]);
    await sdk.apiKeys.setActive(uid, false);
    const r = await ws.expect(["apply", "-no-color", "tfplan"], 1);
    expect(text(r)).toMatch(/API key revoked outside of Terraform.*the state records active = false/);
    expect(text(r)).not.toContain("inconsistent result");
    expect(ws.attributes("palette_api_key", "k")).toMatchObject({ id: uid, description: "v2", active: false, status: "revoked" });
    expect(emu.keys().find((k) => k.uid === uid)).toMatchObject({ description: "v2", active: false });
    await ws.expect(["destroy", "-auto-approve", "-no-color"]);
  });

  test("a saved plan that sends nothing (an import's user_email fill), applied after an out-of-band revoke: one GET, the key recorded revoked, and says why", async () => {
    const made = await sdk.apiKeys.create({ name: "fill-after-revoke", expiresAt: new Date("2030-01-31T12:00:00Z"), userUid: alice().uid });
    const uid = made.apiKey.uid;
    // The import's read cannot fill the email, so the plan fills it: a change of state only.
    emu.faults.add({ method: "GET", path: `/v1/users/${alice().uid}`, times: Infinity, action: { kind: "status", status: 403 } });
    const ws = workspace("fill-after-revoke");
    ws.write({ "main.tf": importing(uid, "fill-after-revoke", alice().email, "2030-01-31T12:00:00Z") });
    await ws.expect(["init", "-no-color"]);
    const plan = await ws.expect(["plan", "-no-color", "-out", "tfplan"]);
    expect(plan.stdout).toContain("1 to import, 0 to add, 1 to change, 0 to destroy");
    await sdk.apiKeys.setActive(uid, false);
    const before = emu.requests().length;
    const r = await ws.expect(["apply", "-no-color", "tfplan"], 1);
    const sent = emu.requests().slice(before).filter((q) => q.path.startsWith("/v1/apiKeys")).map((q) => `${q.method} ${q.path}`);
    expect(sent).toEqual([`GET /v1/apiKeys/${uid}`]);
    expect(text(r)).toMatch(/API key revoked outside of Terraform.*the state records active = false/);
    expect(text(r)).not.toContain("inconsistent result");
    expect(ws.attributes("palette_api_key", "k")).toMatchObject({ id: uid, user_email: alice().email, active: false, status: "revoked" });
    expect(emu.keys().find((k) => k.uid === uid)).toMatchObject({ active: false });
  });
});
