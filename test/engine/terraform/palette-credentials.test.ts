/**
 * Wrong credentials under the real `terraform` CLI, with several keys in state: the plan's refresh
 * fails for every key, but the full explanation (Palette's answer and where the provider takes its
 * credentials from) is said once, the other keys' errors refer to it in one line, and Palette got
 * one rejected request, not one per key. The right credentials afterwards plan clean.
 */
import * as fs from "node:fs";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { REJECTED_BEFORE } from "../../../provider/core/rejected-credentials";
import { TERRAFORM_HINTS } from "../../../provider/terraform/palette-provider";
import { credentialsEnv, terraformSuite, layOutMirror, PROVIDER_BLOCK, tempRoot, Workspace } from "../../helpers/terraform-palette";

jest.setTimeout(120_000);

const KEYS = 4;
const KEYS_TF = `
resource "palette_api_key" "fleet" {
  count       = ${KEYS}
  name        = "fleet-\${count.index}"
  description = "fleet"
}
`;
const WRONG_KEY = "NotTheKeyNotTheKeyNotTheKey12345";
const WRONG_PASSWORD = "not-the-password-0123";

let emu: RunningEmulator;
let root: string;
let ws: Workspace;

const { suite } = terraformSuite(__filename);

/** Terraform wraps a diagnostic's lines to its idea of the terminal's width. */
const flat = (text: string): string => text.replace(/\s+/g, " ");
const occurrences = (text: string, part: string): number => flat(text).split(flat(part)).length - 1;

suite("wrong credentials under the real terraform", () => {
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, rateLimit: false });
    root = tempRoot("tf-credentials-");
    const { cliConfig } = layOutMirror(root);
    ws = new Workspace(root, "fleet", cliConfig, credentialsEnv(emu, emu.accounts.admin));
    ws.write({ "main.tf": PROVIDER_BLOCK + KEYS_TF });
    await ws.expect(["init", "-no-color"]);
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
  });
  afterAll(async () => {
    await emu?.close();
    if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
  });

  /**
   * A plan with `env` fails with `errors` (their summaries), explains the rejection (`advice`, then
   * where the provider takes the credentials from) in one of them, and Palette got only `sent`.
   */
  async function planFails(args: string[], env: Record<string, string>, errors: string[], advice: string, sent: unknown[]): Promise<void> {
    const before = emu.requests().length;
    const { code, stderr } = await ws.run(["plan", "-no-color", ...args], env);
    expect(code).toBe(1);
    expect(occurrences(stderr, "Error: ")).toBe(errors.length);
    for (const summary of new Set(errors)) expect(occurrences(stderr, `Error: ${summary}`)).toBe(errors.filter((e) => e === summary).length);
    expect(occurrences(stderr, advice)).toBe(1);
    expect(occurrences(stderr, TERRAFORM_HINTS.credentials)).toBe(1);
    expect(occurrences(stderr, REJECTED_BEFORE)).toBe(errors.length - 1);
    expect(stderr).not.toContain(WRONG_KEY);
    expect(stderr).not.toContain(WRONG_PASSWORD);
    expect(emu.requests().slice(before).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(sent);
  }

  const reads = Array<string>(KEYS).fill("Provider error in ReadResource (palette_api_key)");
  const WRONG_KEY_ADVICE = "The API key is missing, revoked or expired";

  test.each([
    ["all reads at once (terraform's default parallelism)", []],
    ["one read after another (-parallelism=1)", ["-parallelism=1"]],
  ])(`a wrong api_key, %s: ${KEYS} errors, the explanation once, one rejected request`, async (_how, args) => {
    await planFails(args, { SPECTROCLOUD_APIKEY: WRONG_KEY }, reads, WRONG_KEY_ADVICE, ["GET /v1/users/info 401"]);
  });

  test("a wrong password: one refused login, the explanation once", async () => {
    const env = { SPECTROCLOUD_APIKEY: "", SPECTROCLOUD_USERNAME: emu.accounts.admin.email, SPECTROCLOUD_PASSWORD: WRONG_PASSWORD };
    await planFails(["-parallelism=1"], env, reads, "The email, password or org is wrong", ["POST /v1/auth/authenticate 401"]);
  });

  test("a data source shares the rejection with the keys: one request, the explanation once", async () => {
    ws.write({ "main.tf": `${PROVIDER_BLOCK}${KEYS_TF}\ndata "palette_api_keys" "all" {}\n` });
    try {
      const errors = [...reads, "Provider error in ReadDataSource (palette_api_keys)"];
      // Whichever asks first (the list, or a key's tenant) is the one request.
      await planFails(["-parallelism=1"], { SPECTROCLOUD_APIKEY: WRONG_KEY }, errors, WRONG_KEY_ADVICE, [expect.stringMatching(/^GET \/v1\/(users\/info|apiKeys) 401$/)]);
    } finally {
      ws.write({ "main.tf": PROVIDER_BLOCK + KEYS_TF });
    }
  });

  test("the right key afterwards plans clean", async () => {
    await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0);
  });
});
