/**
 * `npm run demo:terraform`: the demo's six-step story with the real `terraform` CLI and the
 * package's own Terraform provider, on the embedded Palette emulator. The configuration is
 * `examples/terraform/main.tf`; the provider is installed from the filesystem mirror that
 * `palette-apikeys terraform-mirror` lays out, exactly as a user would. Everything lives under
 * `.demo-terraform/`, recreated on each run. Each step is checked against the emulator's store;
 * exit 0 when all pass, 1 naming the failed step.
 *
 * Credentials reach the provider through the environment only (SPECTROCLOUD_HOST and
 * SPECTROCLOUD_APIKEY); the created key values exist only in Terraform's state (as sensitive
 * values) and never in what this prints.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../emulator";
import { PaletteClient } from "../sdk";
import { scrub } from "../runner/render-steps";
import { findRepository } from "./repository";

const secrets = new Set<string>();
const say = (line: string): void => void process.stdout.write(`${scrub(line, secrets)}\n`);

interface Run {
  code: number;
  out: string;
}

class Terraform {
  constructor(
    private readonly dir: string,
    private readonly env: Record<string, string>,
  ) {}

  run(args: string[]): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn("terraform", [...args], { cwd: this.dir, env: { ...this.env }, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.stderr.on("data", (d: Buffer) => (out += d.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, out }));
    });
  }

  /** Runs, shows the lines that tell the story, and insists on the exit code. */
  async expect(args: string[], code = 0, show: (line: string) => boolean = () => true): Promise<string> {
    say(`   $ terraform ${args.join(" ")}`);
    const r = await this.run(args);
    for (const line of r.out.split("\n")) if (line.trim() !== "" && show(line)) say(`     ${line}`);
    if (r.code !== code) throw new Error(`terraform ${args[0]} exited ${r.code}, expected ${code}${show === SUMMARY ? `\n${r.out}` : ""}`);
    return r.out;
  }
}

/** The lines of a plan or apply worth printing: resource headers, changed attributes, summaries. */
const SUMMARY = (line: string): boolean =>
  /^\s*#|^\s*[~+-]|Plan:|Apply complete|Destroy complete|No changes|changed outside|has been deleted|Error|forces replacement/.test(line);

function ensure(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

async function main(): Promise<number> {
  const started = Date.now();
  const repo = findRepository(__dirname);
  // Not under .demo/: `npm run demo` recreates that folder, and the two demos may run at once.
  const demoDir = path.join(repo, ".demo-terraform");
  fs.rmSync(demoDir, { recursive: true, force: true });
  const work = path.join(demoDir, "stack");
  fs.mkdirSync(work, { recursive: true });
  say("pulumi-palette-apikeys Terraform demo: examples/terraform with the real terraform, on the embedded Palette emulator");

  let version: string;
  try {
    version = execFileSync("terraform", ["version"], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } }).split("\n")[0] ?? "";
  } catch {
    say("FAIL: no `terraform` on PATH. Install Terraform >= 1.5 (or use OpenTofu's `tofu` renamed) and run again.");
    return 1;
  }
  say(`Terraform: ${version}`);

  let emu: RunningEmulator | undefined;
  let sdk: PaletteClient | undefined;
  const passed: string[] = [];
  let failure: string | undefined;
  try {
    emu = await startEmulator({ port: 0 });
    const emulator = emu;
    const admin = emulator.accounts.admin;
    for (const a of [admin, ...emulator.accounts.users]) for (const s of [a.apiKey, a.password]) if (s !== "") secrets.add(s);
    say(`Emulator: ${emulator.url} (Palette's rate limit on; tenant admin ${admin.email})`);
    sdk = new PaletteClient({ host: emulator.url, auth: { apiKey: admin.apiKey } });
    const client = sdk;

    const cliConfig = path.join(demoDir, "terraform.rc");
    const mirror = path.join(demoDir, "mirror");
    execFileSync(process.execPath, [path.join(repo, "dist/cli/palette-apikeys.js"), "terraform-mirror", mirror, "--cli-config", cliConfig], { stdio: "ignore" });
    say(`Provider: laid out in ${path.relative(repo, mirror)} by \`palette-apikeys terraform-mirror\`; TF_CLI_CONFIG_FILE=${path.relative(repo, cliConfig)}`);
    fs.copyFileSync(path.join(repo, "examples/terraform/main.tf"), path.join(work, "main.tf"));
    const tf = new Terraform(work, {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? demoDir,
      TF_CLI_CONFIG_FILE: cliConfig,
      TF_IN_AUTOMATION: "1",
      TF_INPUT: "0",
      CHECKPOINT_DISABLE: "1",
      NO_COLOR: "1",
      SPECTROCLOUD_HOST: emulator.url,
      SPECTROCLOUD_APIKEY: admin.apiKey,
    });
    const managed = () => emulator.keys().filter((k) => !k.seeded);
    const byName = (name: string) => managed().find((k) => k.name === name);
    const uids: Record<string, string> = {};

    const steps: [string, () => Promise<string>][] = [
      [
        "init from the mirror, plan, apply: a key for the caller and one for Alice by email",
        async () => {
          await tf.expect(["init", "-no-color"], 0, (l) => /Installed|Terraform has been successfully initialized|lock file/.test(l));
          ensure(fs.readFileSync(path.join(work, ".terraform.lock.hcl"), "utf8").includes("h1:"), "the lock file has no h1: hash");
          await tf.expect(["plan", "-no-color", "-detailed-exitcode"], 2, SUMMARY);
          await tf.expect(["apply", "-auto-approve", "-no-color"], 0, (l) => SUMMARY(l) || /ci_bot_key|alice_uid/.test(l));
          const ci = byName("ci-bot");
          const alice = byName("alice-ci");
          ensure(ci !== undefined && ci.ownerUid === admin.uid, "ci-bot was not created for the caller");
          ensure(alice !== undefined && alice.ownerUid === emulator.accounts.users[0]?.uid, "alice-ci was not created for Alice");
          uids.ci = ci!.uid;
          uids.alice = alice!.uid;
          return "2 keys created; ci_bot_key printed as (sensitive value)";
        },
      ],
      [
        "a second plan: no changes",
        async () => {
          await tf.expect(["plan", "-no-color", "-detailed-exitcode"], 0, SUMMARY);
          return "exit code 0, nothing to do";
        },
      ],
      [
        "out of band (as in the Palette UI): revoke ci-bot, rename alice-ci",
        async () => {
          await client.apiKeys.setActive(uids.ci!, false);
          await client.apiKeys.update(uids.alice!, { name: "alice-ci-renamed-in-ui" });
          ensure(byName("alice-ci-renamed-in-ui")?.uid === uids.alice, "the rename did not reach the emulator");
          return "ci-bot revoked, alice-ci renamed, outside Terraform";
        },
      ],
      [
        "drift check (plan -refresh-only -detailed-exitcode), then apply restores both in place",
        async () => {
          const drift = await tf.expect(["plan", "-refresh-only", "-no-color", "-detailed-exitcode"], 2, SUMMARY);
          ensure(/active\s+= true -> false/.test(drift), "the drift check did not show ci-bot's revocation");
          ensure(/name\s+= "alice-ci" -> "alice-ci-renamed-in-ui"/.test(drift), "the drift check did not show alice-ci's rename");
          await tf.expect(["apply", "-auto-approve", "-no-color"], 0, SUMMARY);
          ensure(byName("ci-bot")?.uid === uids.ci && byName("ci-bot")?.active === true, "ci-bot was not re-activated in place");
          ensure(byName("alice-ci")?.uid === uids.alice, "alice-ci was not renamed back in place");
          return "drift found: ci-bot active, alice-ci name; repaired in place (same uids)";
        },
      ],
      [
        "ci_expires_in = 60d: plan shows an in-place change of expiry only, apply re-dates the key",
        async () => {
          const before = byName("ci-bot")!.expiresAt.getTime();
          const plan = await tf.expect(["plan", "-no-color", "-var", "ci_expires_in=60d"], 0, SUMMARY);
          ensure(plan.includes("0 to add, 1 to change, 0 to destroy"), "the plan is not one in-place change");
          await tf.expect(["apply", "-auto-approve", "-no-color", "-var", "ci_expires_in=60d"], 0, SUMMARY);
          const after = byName("ci-bot")!;
          ensure(after.uid === uids.ci && after.expiresAt.getTime() - before > 29 * 86_400_000, "ci-bot was not re-dated in place");
          return `ci-bot now expires ${after.expiresAt.toISOString()} (same uid)`;
        },
      ],
      [
        "destroy",
        async () => {
          await tf.expect(["destroy", "-auto-approve", "-no-color", "-var", "ci_expires_in=60d"], 0, SUMMARY);
          ensure(managed().length === 0, "keys are left after destroy");
          return "the emulator holds only its seeded bootstrap keys";
        },
      ],
    ];
    for (const [i, [title, run]] of steps.entries()) {
      say("");
      say(`Step ${i + 1}/${steps.length}: ${title}`);
      const t0 = Date.now();
      try {
        const verdict = await run();
        say(`   PASS step ${i + 1} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${verdict}`);
        passed.push(title);
      } catch (e) {
        failure = `step ${i + 1} (${title}): ${e instanceof Error ? e.message : String(e)}`;
        say(`   FAIL ${failure}`);
        break;
      }
    }
  } catch (e) {
    failure = `setting up: ${e instanceof Error ? e.message : String(e)}`;
    say(`FAIL while ${failure}`);
  } finally {
    await sdk?.close();
    await emu?.close();
  }
  say("");
  say(`Summary (real terraform, ${((Date.now() - started) / 1000).toFixed(1)} s): steps passed ${passed.length}/6`);
  if (failure !== undefined) {
    say(`   FAILED at ${failure}; the files of this run are under .demo-terraform/`);
    return 1;
  }
  say("   demo passed");
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    say(`demo crashed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
