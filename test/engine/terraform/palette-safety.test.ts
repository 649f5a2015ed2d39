/**
 * palette_api_key under the real `terraform`: bad input fails plan before any request reaches
 * Palette, 20 keys at -parallelism=10 under Palette's real rate limit surface no 429, and a create
 * whose later step fails leaves the key in state (tainted) so the next apply converges, no orphan.
 */
import * as fs from "node:fs";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { credentialsEnv, terraformSuite, layOutMirror, PROVIDER_BLOCK, tempRoot, Workspace } from "../../helpers/terraform-palette";

jest.setTimeout(150_000);

let emu: RunningEmulator;
let root: string;
let cliConfig: string;

const workspace = (name: string): Workspace => new Workspace(root, name, cliConfig, credentialsEnv(emu, emu.accounts.admin));
const apiKeyRequests = (): number => emu.requests().filter((r) => r.path.startsWith("/v1/apiKeys") || r.path.startsWith("/v1/users")).length;
const managed = () => emu.keys().filter((k) => !k.seeded);

const { suite } = terraformSuite(__filename);

suite("palette_api_key safety with the real terraform", () => {
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, rateLimit: false });
    root = tempRoot("tf-safety-");
    cliConfig = layOutMirror(root).cliConfig;
  });
  // Each test has its own workspace, so the emulator can go back to its seed between them.
  afterEach(() => {
    emu.faults.clear();
    emu.setRateLimit(false);
    emu.reset();
  });
  afterAll(async () => {
    await emu?.close();
    if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
  });

  test.each([
    ["a past expires_at", 'expires_at = "2020-01-01"', "expires_at", /in the past/],
    ["both expiry forms", 'expires_in = "7d"\n  expires_at = "2099-01-01"', "expires_at", /mutually exclusive/],
    ["a bad expires_in", 'expires_in = "2w"', "expires_in", /not a duration/],
    ["both owner forms", 'user_uid = "abc"\n  user_email = "alice@palette.local"', "user_email", /mutually exclusive/],
  ])("%s fails plan on its line, before any request reaches Palette", async (label, body, attribute, reason) => {
    const ws = workspace(`bad-${label.replace(/\W+/g, "-")}`);
    ws.write({ "main.tf": `${PROVIDER_BLOCK}\nresource "palette_api_key" "bad" {\n  name = "bad"\n  ${body}\n}\n` });
    await ws.expect(["init", "-no-color"]);
    const before = apiKeyRequests();
    const r = await ws.expect(["plan", "-no-color"], 1);
    expect(r.stderr).toMatch(reason);
    expect(r.stderr).toContain("on main.tf line");
    expect(r.stderr).toContain(attribute);
    expect(apiKeyRequests()).toBe(before);
  });

  test("an owner email nobody has fails plan on user_email, with one read-only lookup and no create", async () => {
    const ws = workspace("unknown-owner");
    ws.write({ "main.tf": `${PROVIDER_BLOCK}\nresource "palette_api_key" "nobody" {\n  name = "for-nobody"\n  user_email = "nobody@palette.local"\n}\n` });
    await ws.expect(["init", "-no-color"]);
    const r = await ws.expect(["plan", "-no-color"], 1);
    expect(r.stderr.replace(/\s+/g, " ")).toMatch(/Unknown owner.*user_email.*no Palette user has the email nobody@palette\.local/);
    // The lookup is a search (POST /v1/users/summary); nothing reaches the keys.
    expect(emu.requests().filter((q) => q.path.startsWith("/v1/apiKeys"))).toEqual([]);
  });

  test("20 keys with -parallelism=10 at Palette's rate limit: every one created, no 429 surfaced", async () => {
    emu.setRateLimit({ perSecond: 10, burst: 5 });
    const ws = workspace("twenty");
    ws.write({
      // Ten each for the caller and for Alice: Palette allows 20 keys per user, the seed holds one each.
      "main.tf": `${PROVIDER_BLOCK}
resource "palette_api_key" "bulk" {
  count = 20
  name = "bulk-\${count.index}"
  user_email = count.index % 2 == 0 ? "admin@palette.local" : "alice@palette.local"
  expires_in = "7d"
}
`,
    });
    await ws.expect(["init", "-no-color"]);
    const r = await ws.expect(["apply", "-auto-approve", "-no-color", "-parallelism=10"]);
    expect(r.stdout).toContain("20 added, 0 changed, 0 destroyed");
    // Word boundaries: a key uid (hex) may contain "429".
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/\b429\b|TooManyRequests/);
    const bulk = managed().filter((k) => k.name.startsWith("bulk-"));
    expect(bulk).toHaveLength(20);
    expect(new Set(bulk.map((k) => k.ownerUid))).toEqual(new Set([emu.accounts.admin.uid, emu.accounts.users[0]!.uid]));
    await ws.expect(["destroy", "-auto-approve", "-no-color", "-parallelism=10"]);
    expect(managed()).toEqual([]);
  });

  test("credentials of another tenant: plan fails naming both tenants, the key is neither dropped nor re-made", async () => {
    const other = await startEmulator({ port: 0, rateLimit: false });
    try {
      const ws = workspace("tenant");
      ws.write({ "main.tf": `${PROVIDER_BLOCK}\nresource "palette_api_key" "guarded" {\n  name = "guarded"\n}\n` });
      await ws.expect(["init", "-no-color"]);
      await ws.expect(["apply", "-auto-approve", "-no-color"]);
      const uid = ws.attributes("palette_api_key", "guarded").id as string;
      expect(ws.attributes("palette_api_key", "guarded")).toMatchObject({ host: emu.url, tenant_uid: emu.tenant.uid });

      const r = await ws.expect(["plan", "-no-color"], 1, credentialsEnv(other, other.accounts.admin));
      const text = r.stderr.replace(/\s+/g, " ");
      expect(text).toContain(`lives in tenant ${emu.tenant.uid} at ${emu.url}`);
      expect(text).toContain(`belong to tenant ${other.tenant.uid} at ${other.url}`);
      expect(text).toContain("terraform state rm");
      expect(ws.attributes("palette_api_key", "guarded").id).toBe(uid);
      expect(other.keys().filter((k) => !k.seeded)).toEqual([]);
      await ws.expect(["destroy", "-auto-approve", "-no-color"]);
      expect(managed()).toEqual([]);
    } finally {
      await other.close();
    }
  });

  test("a revoke that fails after create leaves the key in state, tainted; the next apply converges with no orphan", async () => {
    const ws = workspace("partial");
    ws.write({ "main.tf": `${PROVIDER_BLOCK}\nresource "palette_api_key" "half" {\n  name = "half"\n  active = false\n}\n` });
    await ws.expect(["init", "-no-color"]);
    emu.faults.add({ method: "PUT", path: /^\/v1\/apiKeys\/[^/]+\/state$/, times: Infinity, action: { kind: "status", status: 500 } });
    const failed = await ws.expect(["apply", "-auto-approve", "-no-color"], 1);
    expect(failed.stderr.replace(/\s+/g, " ")).toMatch(/was created but could not be revoked \(active: false\).*Terraform saved the key/);
    const instance = ws.state().resources.find((x) => x.name === "half")?.instances[0];
    expect(instance?.status).toBe("tainted");
    const first = instance?.attributes.id as string;
    expect(managed().map((k) => k.uid)).toEqual([first]);

    emu.faults.clear();
    const healed = await ws.expect(["apply", "-auto-approve", "-no-color"]);
    expect(healed.stdout).toContain("1 added, 0 changed, 1 destroyed");
    const keys = managed();
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ name: "half", active: false });
    expect(keys[0]?.uid).not.toBe(first);
    await ws.expect(["destroy", "-auto-approve", "-no-color"]);
    expect(managed()).toEqual([]);
  });
});
