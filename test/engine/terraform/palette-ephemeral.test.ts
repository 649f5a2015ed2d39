/**
 * `ephemeral "palette_api_key"` under the real `terraform` (1.10+): a key opened for the run
 * configures a second provider block whose data source reads through it (the block has no other
 * credentials, and none are in the environment); each opening is a key of its own, and every one
 * is deleted when Terraform closes it. After a failed apply Terraform 1.11 skips the close: the
 * provider then closes it itself before it exits (tfplugin6's rpc/still-open.ts), and the key is
 * gone all the same. Nothing of it is in the state.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { layOutMirror, tempRoot, terraformSuite, Workspace } from "../../helpers/terraform-palette";

jest.setTimeout(120_000);

let emu: RunningEmulator;
let root: string;
let ws: Workspace;

const { suite, version } = terraformSuite(__filename);
const [major = 0, minor = 0] = (version ?? "0.0").split(".").map(Number);
const ephemeralSupported = major > 1 || (major === 1 && minor >= 10);

/** The provider's credentials come from variables (TF_VAR_*), so the bot block has only the ephemeral key. */
const config = (tail: string): string => `terraform {
  required_providers {
    palette = { source = "terraform.local/palette-apikeys/palette" }
  }
}
variable "host" { type = string }
variable "admin_key" {
  type      = string
  sensitive = true
}
provider "palette" {
  host    = var.host
  api_key = var.admin_key
}

ephemeral "palette_api_key" "bot" {
  name_prefix = "run-bot"
  description = "one Terraform run"
}

provider "palette" {
  alias   = "bot"
  host    = var.host
  api_key = ephemeral.palette_api_key.bot.key
}

resource "terraform_data" "first" {}

data "palette_user" "via_bot" {
  provider   = palette.bot
  email      = "bob@palette.local"
  depends_on = [terraform_data.first]
}
output "bob" { value = data.palette_user.via_bot.id }
${tail}`;

/** The keys created and deleted since `from` (an index into the emulator's request log). */
function keyTraffic(from: number): { created: number; deleted: string[] } {
  const since = emu.requests().slice(from);
  return {
    created: since.filter((r) => r.method === "POST" && r.path === "/v1/apiKeys" && r.status < 300).length,
    deleted: since.filter((r) => r.method === "DELETE" && r.path.startsWith("/v1/apiKeys/") && r.status < 300).map((r) => r.path.split("/").pop() ?? ""),
  };
}


(ephemeralSupported ? suite : describe.skip)("ephemeral palette_api_key with the real terraform", () => {
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, rateLimit: false });
    root = tempRoot("tf-ephemeral-");
    // One workspace, initialised once: the second test adds a failing resource to the first one's configuration.
    ws = new Workspace(root, "bot", layOutMirror(root).cliConfig, { TF_VAR_host: emu.url, TF_VAR_admin_key: emu.accounts.admin.apiKey });
  });
  afterAll(async () => {
    await emu?.close();
    if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
  });

  test("a key per opening configures the bot provider block; each is deleted at close; nothing of it is in the state", async () => {
    ws.write({ "main.tf": config("") });
    await ws.expect(["init", "-no-color"]);
    const from = emu.requests().length;
    const r = await ws.expect(["apply", "-no-color", "-auto-approve"]);
    const bob = emu.accounts.users.find((u) => u.email === "bob@palette.local");
    expect(r.stdout).toContain(`bob = "${bob?.uid ?? "?"}"`);

    const { created, deleted } = keyTraffic(from);
    // Plan and apply each opened one, each closed and deleted its own.
    expect(created).toBeGreaterThanOrEqual(2);
    expect(new Set(deleted).size).toBe(created);
    expect(emu.keys().filter((k) => !k.seeded)).toEqual([]);
    const state = fs.readFileSync(path.join(ws.dir, "terraform.tfstate"), "utf8");
    expect(state).not.toContain("run-bot");
    for (const uid of deleted) expect(state).not.toContain(uid);
    expect(state).not.toContain(emu.accounts.admin.apiKey);
  });

  test("a failed apply still closes the key it opened: deleted, none left in the emulator", async () => {
    ws.write({
      "main.tf": config(`
resource "terraform_data" "boom" {
  depends_on = [data.palette_user.via_bot]
  provisioner "local-exec" { command = "exit 1" }
}
`),
    });
    const from = emu.requests().length;
    const r = await ws.expect(["apply", "-no-color", "-auto-approve"], 1);
    expect(r.stderr).toMatch(/local-exec provisioner error/);
    const { created, deleted } = keyTraffic(from);
    expect(created).toBeGreaterThanOrEqual(2);
    expect(new Set(deleted).size).toBe(created);
    expect(emu.keys().filter((k) => !k.seeded)).toEqual([]);
  });
});
