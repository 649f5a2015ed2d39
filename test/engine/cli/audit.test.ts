/**
 * `palette-apikeys audit` as a user runs it: the built bin in a child process, credentials in
 * SPECTROCLOUD_* only, against the emulator. The managed keys come from the project's own runs: a
 * Pulumi program through the offline runner (its state exported as `pulumi stack export` would)
 * and a real `terraform apply` whose `terraform show -json` is the Terraform state; a rotation with
 * keepPrevious / keep_previous in both engines (the Terraform one in a module, read from the raw
 * state `terraform state pull` prints). Then every flag and exit code, a plain user who cannot see
 * owners, and a 1,000-key tenant at Palette's rate limit.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { ApiKey } from "../../../provider";
import { secretConfig } from "../../../runner/provider-client";
import { runProgram } from "../../../runner/offline-engine";
import { exportStack } from "../../../runner/stack-export";
import { PaletteClient } from "../../../sdk";
import { keysInTerraformState, type AuditReport } from "../../../cli/audit";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";
import { CLI, layOutMirror, PROVIDER_BLOCK, tempRoot, terraformSuite, Workspace } from "../../helpers/terraform-palette";

jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, "../../..");
const ADMIN_KEY = "AuditAdminKeyQ1w2E3r4T5y6U7i8o9p0";
const ALICE_KEY = "AuditAliceKeyZ9x8C7v6B5n4M3l2k1j0";
const DAY = 86_400_000;
const HOUR = 3_600_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The bin as a scheduled job runs it: only the SPECTROCLOUD_* variables it is given. */
function audit(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, "audit", ...args], { env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

const { suite } = terraformSuite(__filename);

suite("palette-apikeys audit against the emulator", () => {
  let emu: RunningEmulator;
  let root: string;
  let sdk: PaletteClient;
  let pulumiExport: string;
  let terraformShow: string;
  /** The rotated stacks: a Pulumi export, and a Terraform workspace's raw state and show -json. */
  let pulumiRotated: string;
  let terraformRaw: string;
  let terraformRotatedShow: string;
  /** Values Palette returned once at create: none may ever appear in the audit's output. */
  const secrets: string[] = [ADMIN_KEY, ALICE_KEY];
  const uids: Record<string, string> = {};
  const admin = (): Record<string, string> => ({ SPECTROCLOUD_HOST: emu.url, SPECTROCLOUD_APIKEY: ADMIN_KEY });
  const byName = (report: AuditReport, name: string) => report.keys.find((k) => k.name === name);
  const states = (): string[] => ["--pulumi-state", pulumiExport, "--pulumi-state", pulumiRotated, "--terraform-state", terraformShow, "--terraform-state", terraformRaw];
  const clean = (r: Run): void => {
    for (const s of secrets) expect(`${r.stdout}${r.stderr}`).not.toContain(s);
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.join(REPO, "dist/provider/impl.js")) || !fs.existsSync(CLI)) throw new Error("run `npm run build` before the engine tests");
    root = tempRoot("audit-");
    emu = await startEmulator({ port: 0, adminKey: ADMIN_KEY, userKey: ALICE_KEY, rateLimit: false });
    sdk = new PaletteClient({ host: emu.url, auth: { apiKey: ADMIN_KEY }, rateLimit: false, retry: false });

    // Pulumi: two keys through the offline runner, its state exported in `pulumi stack export`'s shape.
    const stateFile = path.join(root, "dev.json");
    await runProgram({
      operation: "up",
      program: () => {
        new ApiKey("ci", { name: "pulumi-ci", expiresIn: "90d" });
        new ApiKey("soon", { name: "pulumi-soon", expiresIn: "7d" });
        return {};
      },
      projectDir: REPO,
      stateFile,
      project: "audit",
      stack: "dev",
      config: { "palette:host": emu.url, "palette:apiKey": secretConfig(ADMIN_KEY) },
      env: NO_ENV_CREDENTIALS,
      passphrase: "audit test passphrase",
      log: () => undefined,
    });
    pulumiExport = path.join(root, "stack-export.json");
    fs.writeFileSync(pulumiExport, JSON.stringify(exportStack(stateFile), null, 2));

    // Terraform: two keys by the real CLI; one is deleted behind its back below.
    const ws = new Workspace(root, "tf", layOutMirror(root).cliConfig, { SPECTROCLOUD_HOST: emu.url, SPECTROCLOUD_APIKEY: ADMIN_KEY });
    ws.write({
      "main.tf": `${PROVIDER_BLOCK}
resource "palette_api_key" "keep" {
  name = "tf-keep"
  expires_in = "90d"
}
resource "palette_api_key" "gone" {
  name = "tf-gone"
  expires_in = "90d"
}
`,
    });
    await ws.expect(["init", "-no-color"]);
    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    terraformShow = path.join(root, "show.json");
    fs.writeFileSync(terraformShow, (await ws.expect(["show", "-json"])).stdout);
    uids.tfGone = ws.attributes("palette_api_key", "gone").id as string;

    // Rotations that keep the replaced key, one per engine: the keys are made 23 days ago (both
    // clocks moved back), so by now they are inside rotate_before and the next run rotates them.
    const realNow = new Date();
    const past = new Date(realNow.getTime() - 23 * DAY - HOUR);
    const rotating = { expiresIn: "30d", rotateBefore: "7d", keepPrevious: "2d" };
    const rotatedState = path.join(root, "rot.json");
    const rotatedUp = (at: Date) =>
      runProgram({
        operation: "up",
        program: () => {
          new ApiKey("deployer", rotating);
          return {};
        },
        projectDir: REPO,
        stateFile: rotatedState,
        project: "audit",
        stack: "rot",
        config: { "palette:host": emu.url, "palette:apiKey": secretConfig(ADMIN_KEY) },
        env: { ...NO_ENV_CREDENTIALS, PALETTE_APIKEYS_NOW: at.toISOString() },
        passphrase: "audit test passphrase",
        log: () => undefined,
      });
    const rws = new Workspace(root, "tf-rot", layOutMirror(path.join(root, "rot-mirror")).cliConfig, { SPECTROCLOUD_HOST: emu.url, SPECTROCLOUD_APIKEY: ADMIN_KEY });
    fs.mkdirSync(path.join(rws.dir, "team"), { recursive: true });
    fs.writeFileSync(
      path.join(rws.dir, "team", "main.tf"),
      `terraform {
  required_providers {
    palette = { source = "terraform.local/palette-apikeys/palette" }
  }
}
resource "palette_api_key" "deployer" {
  name_prefix   = "tf-deployer"
  expires_in    = "30d"
  rotate_before = "7d"
  keep_previous = "2d"
  lifecycle { create_before_destroy = true }
}
`,
    );
    rws.write({ "main.tf": `${PROVIDER_BLOCK}
module "team" {
  source = "./team"
}
` });
    await rws.expect(["init", "-no-color"]);
    emu.clock.set(past);
    await rotatedUp(past);
    await rws.expect(["apply", "-auto-approve", "-no-color"], 0, { PALETTE_APIKEYS_NOW: past.toISOString() });
    emu.clock.set(realNow);
    await rotatedUp(realNow);
    await rws.expect(["apply", "-auto-approve", "-no-color"], 0, { PALETTE_APIKEYS_NOW: realNow.toISOString() });
    pulumiRotated = path.join(root, "rot-export.json");
    fs.writeFileSync(pulumiRotated, JSON.stringify(exportStack(rotatedState), null, 2));
    terraformRaw = path.join(root, "rot.tfstate");
    fs.writeFileSync(terraformRaw, (await rws.expect(["state", "pull"])).stdout);
    terraformRotatedShow = path.join(root, "rot-show.json");
    fs.writeFileSync(terraformRotatedShow, (await rws.expect(["show", "-json"])).stdout);

    // Out of band: an unmanaged key, a revoked one, one whose owner leaves, one already expired.
    const inYear = new Date(Date.now() + 365 * DAY);
    const bob = emu.accounts.users.find((u) => u.email.startsWith("bob"))!;
    for (const [name, extra] of [["stray", {}], ["revoked", {}], ["bobs", { userUid: bob.uid }]] as const) {
      const created = await sdk.apiKeys.create({ name, expiresAt: inYear, ...extra });
      secrets.push(created.value);
      uids[name] = created.apiKey.uid;
    }
    await sdk.apiKeys.setActive(uids.revoked!, false);
    emu.removeUser(bob.uid);
    await sdk.apiKeys.delete(uids.tfGone);
    // Palette refuses an expiry in the past: make the key while the emulator's clock is two days back.
    emu.clock.set(new Date(realNow.getTime() - 2 * DAY));
    const old = await sdk.apiKeys.create({ name: "expired", expiresAt: new Date(realNow.getTime() - DAY) });
    secrets.push(old.value);
    emu.clock.set(new Date());
  });
  afterAll(async () => {
    await sdk?.close();
    await emu?.close();
    if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
  });

  test("the exports are the real shapes: Pulumi's deployment.resources and terraform's values.root_module", () => {
    const p = JSON.parse(fs.readFileSync(pulumiExport, "utf8"));
    expect(p.version).toBe(3);
    expect(p.deployment.resources.map((r: { type: string }) => r.type)).toEqual([
      "pulumi:pulumi:Stack",
      "pulumi:providers:pulumi-nodejs",
      "pulumi-nodejs:dynamic/palette:ApiKey",
      "pulumi-nodejs:dynamic/palette:ApiKey",
    ]);
    // The key values are secret envelopes (ciphertext), never the value.
    expect(p.deployment.resources[2].outputs.key).toMatchObject({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" });
    const t = JSON.parse(fs.readFileSync(terraformShow, "utf8"));
    expect(t.values.root_module.resources.map((r: { address: string }) => r.address).sort()).toEqual(["palette_api_key.gone", "palette_api_key.keep"]);
    // The rotations kept the replaced keys: Pulumi's previousKeys, Terraform's previous_keys in a module.
    const rotated = JSON.parse(fs.readFileSync(pulumiRotated, "utf8")).deployment.resources.find((r: { type: string }) => r.type === "pulumi-nodejs:dynamic/palette:ApiKey");
    expect(rotated.outputs.previousKeys).toEqual([{ uid: expect.any(String), name: expect.stringMatching(/^deployer-/), deleteAfter: expect.any(String) }]);
    const raw = JSON.parse(fs.readFileSync(terraformRaw, "utf8"));
    expect(raw).toMatchObject({ version: 4, terraform_version: expect.any(String) });
    expect(raw.resources).toEqual([expect.objectContaining({ module: "module.team", mode: "managed", type: "palette_api_key", name: "deployer" })]);
    expect(raw.resources[0].instances[0].attributes.previous_keys).toEqual([{ uid: expect.any(String), name: expect.stringMatching(/^tf-deployer-/), delete_after: expect.any(String) }]);
  });

  test("terraform show -json and the raw state of one workspace name the same keys, the kept one included", () => {
    const fromShow = keysInTerraformState(JSON.parse(fs.readFileSync(terraformRotatedShow, "utf8")));
    const fromRaw = keysInTerraformState(JSON.parse(fs.readFileSync(terraformRaw, "utf8")));
    expect(fromRaw).toEqual(fromShow);
    expect(fromRaw).toEqual([
      { uid: expect.any(String), address: "module.team.palette_api_key.deployer" },
      { uid: expect.any(String), address: "module.team.palette_api_key.deployer.previous_keys", kept: true },
    ]);
  });

  test("--json with both states: every key's flags, the missing managed key, no secret in the output", async () => {
    const r = await audit(["--json", ...states()], admin());
    expect(r.code).toBe(0);
    clean(r);
    const report = JSON.parse(r.stdout) as AuditReport;
    // The rotated keys have generated names: each kept (replaced) key is the one a state lists as kept.
    const rotatedName = (k: AuditReport["keys"][number]): string =>
      k.name.startsWith("deployer-") || k.name.startsWith("tf-deployer-") ? `${k.name.split("-").slice(0, -1).join("-")} (${k.managedAs})` : k.name;
    const flags = Object.fromEntries(report.keys.map((k) => [rotatedName(k), k.flags]));
    expect(flags).toEqual({
      // Kept keys expire within the 14 days (they were made 23 days ago); never unmanaged.
      "deployer (resource)": [],
      "deployer (kept)": ["expiring"],
      "tf-deployer (resource)": [],
      "tf-deployer (kept)": ["expiring"],
      "bootstrap-admin": ["unmanaged"],
      "bootstrap-alice": ["unmanaged"],
      "pulumi-ci": [],
      "pulumi-soon": ["expiring"],
      "tf-keep": [],
      stray: ["unmanaged"],
      revoked: ["revoked", "unmanaged"],
      bobs: ["orphaned", "unmanaged"],
      expired: ["expired", "unmanaged"],
    });
    expect(byName(report, "bobs")).toMatchObject({ ownerState: "gone", ownerEmail: null });
    expect(byName(report, "tf-keep")).toMatchObject({ ownerState: "active", ownerEmail: "admin@palette.local", status: "active", managedBy: [terraformShow], ageDays: 0 });
    expect(byName(report, "pulumi-ci")?.managedBy).toEqual([pulumiExport]);
    expect(report.missing).toEqual([{ uid: uids.tfGone, source: terraformShow, address: "palette_api_key.gone" }]);
    expect(report.keys.filter((k) => k.managedAs === "kept").map((k) => k.managedBy)).toEqual([[pulumiRotated], [terraformRaw]]);
    expect(report.counts).toEqual({ expired: 1, expiring: 3, revoked: 1, orphaned: 1, unmanaged: 6, missing: 1 });
    expect(report.ownersKnown).toBe(true);
  });

  test("the table: one row per key with owner, status, expiry and age; without states nothing is called unmanaged", async () => {
    const r = await audit([], admin());
    expect(r.code).toBe(0);
    clean(r);
    // Palette names no owner that has left: the table shows the uid.
    const bob = emu.accounts.users.find((u) => u.email.startsWith("bob"))!.uid;
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+UID\s+OWNER\s+OWNER STATE\s+STATUS\s+EXPIRES\s+AGE\s+MANAGED\s+FLAGS$/);
    expect(lines.find((l) => l.startsWith("bobs "))).toMatch(new RegExp(`${uids.bobs}\\s+${bob}\\s+gone\\s+active\\s+\\d{4}-\\d\\d-\\d\\d\\s+0d\\s+-\\s+orphaned$`));
    expect(lines.find((l) => l.startsWith("expired "))).toMatch(/\sexpired\s.*\sexpired$/);
    expect(lines.slice(1, -1).join("\n")).not.toContain("unmanaged");
    expect(lines.at(-1)).toBe("13 keys: 1 expired, 3 expiring, 1 revoked, 1 orphaned, 0 unmanaged, 0 missing.");
  });

  test("the table with states: kept keys read \"kept\" under MANAGED, and the table says what that means", async () => {
    const r = await audit(states(), admin());
    expect(r.code).toBe(0);
    clean(r);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines.filter((l) => /\skept\s+expiring$/.test(l)).map((l) => l.split(/\s+/)[0]?.replace(/-[a-z0-9]+$/, ""))).toEqual(["deployer", "tf-deployer"]);
    expect(lines.find((l) => l.startsWith("tf-keep "))).toMatch(/\sresource\s+-$/);
    expect(lines.find((l) => l.startsWith("stray "))).toMatch(/\sno\s+unmanaged$/);
    expect(lines).toContain("Kept: keys a rotation replaced, kept alive by keepPrevious / keep_previous until their delete-after; managed, not unmanaged.");
  });

  test("--within moves the expiring horizon", async () => {
    const wide = JSON.parse((await audit(["--json", "--within", "400d"], admin())).stdout) as AuditReport;
    // Every unexpired key, the revoked one too: revoking does not stop the clock.
    expect(wide.counts.expiring).toBe(12);
    const narrow = JSON.parse((await audit(["--json", "--within", "12h"], admin())).stdout) as AuditReport;
    expect(narrow.counts.expiring).toBe(0);
  });

  test.each([
    ["expired", [], 3],
    ["expiring", [], 3],
    ["revoked", [], 3],
    ["orphaned", [], 3],
    ["unmanaged", ["states"], 3],
    ["missing", ["states"], 3],
    ["expiring,orphaned", [], 3],
  ])("--fail-on %s (states: %j) exits %d when it matched, naming the counts on stderr", async (flag, needs, code) => {
    const r = await audit(["--fail-on", flag, ...(needs.length > 0 ? states() : [])], admin());
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(new RegExp(`--fail-on matched: \\d+ ${flag.split(",")[0]}`));
  });

  test("--fail-on that matches nothing exits 0", async () => {
    const r = await audit(["--within", "12h", "--fail-on", "expiring"], admin());
    expect(r).toMatchObject({ code: 0, stderr: "" });
  });

  test("a plain user: owners unknown, nothing orphaned, said in the table; --fail-on orphaned cannot pass unchecked", async () => {
    const env = { SPECTROCLOUD_HOST: emu.url, SPECTROCLOUD_APIKEY: ALICE_KEY };
    const json = JSON.parse((await audit(["--json"], env)).stdout) as AuditReport;
    expect(json.ownersKnown).toBe(false);
    expect(json.keys.map((k) => [k.name, k.ownerState])).toEqual([["bootstrap-alice", "unknown"]]);
    const r = await audit(["--fail-on", "orphaned"], env);
    expect(r.code).toBe(2);
    clean(r);
    expect(r.stdout).toContain("Owners unknown: only a tenant admin may list users");
    expect(r.stderr).toContain("--fail-on orphaned cannot be checked: these credentials may not list users");
    expect(r.stderr).toContain("--allow-unknown-owners");
    const allowed = await audit(["--fail-on", "orphaned", "--allow-unknown-owners"], env);
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toContain("warning: orphaned cannot be determined");
  });

  test("a state file of no known format exits 2 naming the file, before any request", async () => {
    const foo = path.join(root, "foo.json");
    fs.writeFileSync(foo, JSON.stringify({ foo: 1 }));
    const notJson = path.join(root, "state.txt");
    fs.writeFileSync(notJson, "# terraform state list output\npalette_api_key.keep\n");
    const before = emu.requests().length;
    for (const [args, message] of [
      [["--terraform-state", foo, "--fail-on", "missing"], `${foo} is not a Terraform state: expected \`terraform show -json\` output or a raw state (\`terraform state pull\`, version 4)`],
      [["--terraform-state", notJson], `${notJson} is not a Terraform state: not JSON`],
      [["--pulumi-state", terraformShow], `${terraformShow} is not a \`pulumi stack export\` document`],
      [["--pulumi-state", foo], `${foo} is not a \`pulumi stack export\` document`],
    ] as const) {
      const r = await audit([...args], admin());
      expect(r).toMatchObject({ code: 2, stdout: "" });
      expect(r.stderr).toContain(message);
    }
    expect(emu.requests().length).toBe(before);
  });

  test.each([
    [["--within", "2w"], /--within: "2w" is not a duration/],
    [["--fail-on", "stale"], /unknown flag "stale"/],
    [["--fail-on", "unmanaged"], /--fail-on unmanaged needs --pulumi-state or --terraform-state/],
    [["--frobnicate"], /Unknown option '--frobnicate'/],
    [["PastedKeyValue0123456789"], /^(?![\s\S]*PastedKeyValue)[\s\S]*audit takes no arguments/],
  ])("bad arguments %j exit 2 before any request", async (args, message) => {
    const before = emu.requests().length;
    const r = await audit(args, admin());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(emu.requests().length).toBe(before);
  });

  test("errors exit 1: an unreadable state, no credentials, a wrong key (never echoed)", async () => {
    const missingFile = await audit(["--terraform-state", path.join(root, "nope.json")], admin());
    expect(missingFile.code).toBe(1);
    expect(missingFile.stderr).toContain("cannot read Terraform state");
    const none = await audit([], { SPECTROCLOUD_HOST: emu.url });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no credentials: set SPECTROCLOUD_APIKEY");
    const wrong = "WrongKeyWrongKeyWrongKeyWrongKey";
    const denied = await audit([], { SPECTROCLOUD_HOST: emu.url, SPECTROCLOUD_APIKEY: wrong });
    expect(denied.code).toBe(1);
    expect(`${denied.stdout}${denied.stderr}`).not.toContain(wrong);
  });

  test("--help documents the exit codes", async () => {
    const r = await audit(["--help"], {});
    expect(r.code).toBe(0);
    expect(r.stdout.replace(/\s+/g, " ")).toContain(
      "Exit codes: 0 nothing matched --fail-on, 1 error, 2 bad arguments (a state file of the wrong format, or --fail-on orphaned that cannot be checked), 3 a --fail-on flag matched.",
    );
  });
});

describe("palette-apikeys audit of a 1,000-key tenant at Palette's rate limit", () => {
  let emu: RunningEmulator;
  afterAll(async () => {
    await emu?.close();
  });

  test("a few requests, no 429, every key listed", async () => {
    if (!fs.existsSync(CLI)) throw new Error("run `npm run build` before the engine tests");
    // The create answer names the key, so seeding confirms each key with one GET, not a search of a growing list.
    emu = await startEmulator({ port: 0, adminKey: ADMIN_KEY, userKey: ALICE_KEY, rateLimit: false, createResponseUid: "key" });
    // Seeding is not under test: no limits while 998 keys are made, two owners of 499 each.
    emu.setKeyLimitPerUser(500);
    const seed = new PaletteClient({ host: emu.url, auth: { apiKey: ADMIN_KEY }, rateLimit: false, retry: false });
    const owners = [emu.accounts.admin.uid, emu.accounts.users[0]!.uid];
    const expiresAt = new Date(Date.now() + 30 * DAY);
    try {
      for (let batch = 0; batch < 998; batch += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, 998 - batch) }, (_, i) =>
            seed.apiKeys.create({ name: `bulk-${batch + i}`, expiresAt, userUid: owners[(batch + i) % 2]! }),
          ),
        );
      }
    } finally {
      await seed.close();
    }
    expect(emu.keys()).toHaveLength(1_000);

    emu.setRateLimit({ perSecond: 10, burst: 5 });
    const before = emu.requests().length;
    const started = Date.now();
    const r = await audit(["--json", "--fail-on", "expired,orphaned"], { SPECTROCLOUD_HOST: emu.url, SPECTROCLOUD_APIKEY: ADMIN_KEY });
    const wallMs = Date.now() - started;
    const requests = emu.requests().slice(before);
    console.log(`audit of a 1,000-key tenant: ${requests.length} requests (${requests.map((q) => `${q.method} ${q.path}`).join(", ")}), ${wallMs} ms`);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as AuditReport;
    expect(report.keys).toHaveLength(1_000);
    expect(report.counts.orphaned).toBe(0);
    expect(requests.length).toBeLessThanOrEqual(4);
    expect(requests.filter((q) => q.status === 429)).toEqual([]);
    expect(wallMs).toBeLessThan(10_000);
  });
});
