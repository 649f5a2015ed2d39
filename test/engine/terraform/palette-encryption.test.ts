/**
 * encrypt_for under the real `terraform`: the state file, the saved plan and `terraform show -json`
 * hold no key value, only encrypted_key; decrypting it (openpgp, and `gpg --decrypt` as a pipeline
 * would) gives a value that authenticates against the emulator; unusable public keys fail plan on
 * encrypt_for before any request reaches Palette; a changed encrypt_for warns and writes nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { keyWorks } from "../../helpers/key-works";
import { decrypt, eccPair, gpgAvailable, gpgDecrypt, rsaPair, unusableRecipients, type PgpPair } from "../../helpers/pgp-keys";
import { credentialsEnv, layOutMirror, PROVIDER_BLOCK, tempRoot, terraformSuite, Workspace } from "../../helpers/terraform-palette";

jest.setTimeout(120_000);

let emu: RunningEmulator;
let root: string;
let ws: Workspace;
let ecc: PgpPair;
let rsa: PgpPair;

const { suite } = terraformSuite(__filename);

const keyRequests = (): string[] => emu.requests().filter((r) => r.path.startsWith("/v1/apiKeys") && r.method !== "GET").map((r) => `${r.method} ${r.path}`);

suite("palette_api_key encrypt_for with the real terraform", () => {
  beforeAll(async () => {
    [ecc, rsa] = await Promise.all([eccPair(), rsaPair()]);
    emu = await startEmulator({ port: 0, rateLimit: false });
    root = tempRoot("tf-encrypt-");
    // One workspace, initialised once by the first test; the second writes its own configuration.
    ws = new Workspace(root, "encrypted", layOutMirror(root).cliConfig, credentialsEnv(emu, emu.accounts.admin));
  });
  afterAll(async () => {
    await emu?.close();
    if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
  });

  test("state, saved plan and show -json hold only encrypted_key; it decrypts (openpgp, gpg) to a working key; a changed encrypt_for warns and writes nothing", async () => {
    const tf = (recipient: string) => `${PROVIDER_BLOCK}
resource "palette_api_key" "ecc" {
  name        = "pipeline-ecc"
  encrypt_for = file("\${path.module}/${recipient}")
}
resource "palette_api_key" "rsa" {
  name        = "pipeline-rsa"
  encrypt_for = file("\${path.module}/rsa.asc")
}
output "encrypted" { value = palette_api_key.ecc.encrypted_key }
`;
    fs.writeFileSync(path.join(ws.dir, "ecc.asc"), ecc.publicKey);
    fs.writeFileSync(path.join(ws.dir, "rsa.asc"), rsa.publicKey);
    ws.write({ "main.tf": tf("ecc.asc") });
    await ws.expect(["init", "-no-color"]);
    await ws.expect(["plan", "-no-color", "-out=tfplan"]);
    const planned = JSON.parse((await ws.expect(["show", "-json", "tfplan"])).stdout) as {
      resource_changes: { name: string; change: { after: Record<string, unknown>; after_unknown: Record<string, unknown> } }[];
    };
    for (const rc of planned.resource_changes) {
      expect(rc.change.after.key).toBeNull();
      expect(rc.change.after_unknown.key).toBeUndefined();
      expect(rc.change.after_unknown.encrypted_key).toBe(true);
    }
    await ws.expect(["apply", "-no-color", "tfplan"]);

    const stateText = fs.readFileSync(path.join(ws.dir, "terraform.tfstate"), "utf8");
    const values: string[] = [];
    for (const [name, pair] of [["ecc", ecc], ["rsa", rsa]] as const) {
      const a = ws.attributes("palette_api_key", name);
      expect(a.key).toBeNull();
      expect(a.key_available).toBe(false);
      expect(a.encrypted_key).toMatch(/^-----BEGIN PGP MESSAGE-----/);
      const value = await decrypt(String(a.encrypted_key), pair.privateKey);
      expect(value.length).toBeGreaterThan(20);
      expect(await keyWorks(emu.url, value)).toBe(true);
      values.push(value);
    }
    if (gpgAvailable()) expect(gpgDecrypt(String(ws.attributes("palette_api_key", "ecc").encrypted_key), ecc.privateKey)).toBe(values[0]);
    else console.warn("gpg is not on PATH: the gpg --decrypt check was skipped");
    const shown = (await ws.expect(["show", "-json"])).stdout;
    for (const value of values) {
      expect(stateText).not.toContain(value);
      expect(shown).not.toContain(value);
      expect(fs.readFileSync(ws.logFile, "utf8")).not.toContain(value);
    }

    // encrypt_for is read at create: another recipient warns, and the apply sends no write.
    ws.write({ "main.tf": tf("rsa.asc") });
    const before = keyRequests().length;
    const changed = await ws.expect(["apply", "-no-color", "-auto-approve"]);
    expect(changed.stdout.replace(/\s+/g, " ")).toMatch(/Warning: encrypt_for changed: this key's value is not encrypted again.*terraform apply -replace=/);
    expect(keyRequests().length).toBe(before);
    expect(ws.attributes("palette_api_key", "ecc").encrypted_key).toBe(JSON.parse(shown).values.outputs.encrypted.value);
  });

  test("a private key, a signing-only key, an expired key and text that is no key fail plan on encrypt_for, before any request reaches Palette", async () => {
    const unusable = await unusableRecipients();
    unusable.forEach((u, i) => fs.writeFileSync(path.join(ws.dir, `k${i}.asc`), u.armored));
    const resources = unusable.map((_, i) => `resource "palette_api_key" "k${i}" {\n  name = "k${i}"\n  encrypt_for = file("\${path.module}/k${i}.asc")\n}\n`);
    // Validation fails before the plan refreshes the keys the state still holds: no request at all.
    ws.write({ "main.tf": `${PROVIDER_BLOCK}\n${resources.join("\n")}` });
    const before = emu.requests().filter((r) => r.path.startsWith("/v1/apiKeys")).length;
    const r = await ws.expect(["plan", "-no-color"], 1);
    const err = r.stderr.replace(/\s+/g, " ");
    for (const u of unusable) expect(err).toMatch(new RegExp(`Invalid encrypt_for.*?encrypt_for ${u.reason.source}`));
    expect(err.match(/Invalid encrypt_for/g)).toHaveLength(unusable.length);
    expect(r.stderr).not.toContain("PRIVATE KEY BLOCK");
    expect(emu.requests().filter((q) => q.path.startsWith("/v1/apiKeys")).length).toBe(before);
  });
});
