/**
 * Requests the real `terraform` CLI makes our provider send, counted in the emulator's request log:
 * the refresh of a plan reads every key from one shared list (not one GET per key), and an apply
 * of new keys finds them in shared lists too. Drift is still seen through the shared list.
 */
import * as fs from "node:fs";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { PaletteClient } from "../../../sdk";
import { credentialsEnv, terraformSuite, layOutMirror, PROVIDER_BLOCK, tempRoot, Workspace } from "../../helpers/terraform-palette";

jest.setTimeout(120_000);

const KEYS = 8;
const CONFIG = `${PROVIDER_BLOCK}
resource "palette_api_key" "fleet" {
  count       = ${KEYS}
  name        = "fleet-\${count.index}"
  description = "fleet"
}
`;

let emu: RunningEmulator;
let root: string;
let ws: Workspace;
let sdk: PaletteClient;

/** The requests `run` made, as "METHOD path" with uids as {uid}. */
async function requestsOf(run: () => Promise<unknown>): Promise<string[]> {
  const before = emu.requests().length;
  await run();
  return emu
    .requests()
    .slice(before)
    .map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{24}/g, "{uid}")}`);
}

const count = (requests: string[], shape: string): number => requests.filter((r) => r === shape).length;

const { suite } = terraformSuite(__filename);

suite("palette_api_key requests under the real terraform", () => {
  beforeAll(async () => {
    emu = await startEmulator({ port: 0, rateLimit: false });
    root = tempRoot("tf-requests-");
    const { cliConfig } = layOutMirror(root);
    ws = new Workspace(root, "fleet", cliConfig, credentialsEnv(emu, emu.accounts.admin));
    sdk = new PaletteClient({ host: emu.url, auth: { apiKey: emu.accounts.admin.apiKey }, rateLimit: false });
    ws.write({ "main.tf": CONFIG });
    await ws.expect(["init", "-no-color"]);
  });
  afterAll(async () => {
    await sdk?.close();
    await emu?.close();
    if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
  });

  test(`apply of ${KEYS} new keys: a POST each, and shared lists to find them`, async () => {
    const requests = await requestsOf(() => ws.expect(["apply", "-auto-approve", "-no-color"]));
    expect(count(requests, "POST /v1/apiKeys")).toBe(KEYS);
    expect(count(requests, "GET /v1/apiKeys")).toBeLessThan(KEYS);
    expect(count(requests, "GET /v1/apiKeys/{uid}")).toBe(0);
    const ids = ws.state().resources[0]?.instances.map((i) => i.attributes.id) ?? [];
    expect(new Set(ids).size).toBe(KEYS);
    for (const [i, id] of ids.entries()) expect(emu.keys().find((k) => k.uid === id)?.name).toBe(`fleet-${i}`);
  });

  test(`the refresh of a plan reads ${KEYS} keys from shared lists, and still sees drift`, async () => {
    const drifted = ws.state().resources[0]?.instances[5]?.attributes.id as string;
    await sdk.apiKeys.update(drifted, { description: "edited out of band" });
    let plan = { stdout: "" };
    const requests = await requestsOf(async () => (plan = await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 2)));
    expect(count(requests, "GET /v1/apiKeys/{uid}")).toBe(0);
    // Terraform refreshes with parallelism 10: all reads reach one provider process together.
    expect(count(requests, "GET /v1/apiKeys")).toBeLessThanOrEqual(2);
    expect(plan.stdout).toContain('palette_api_key.fleet[5] will be updated in-place');
    expect(plan.stdout).toContain("0 to add, 1 to change, 0 to destroy");
  });
});
