/**
 * `npm run demo`: the quickstart stack end to end on the embedded Palette emulator, no Palette account
 * and no set-up needed. Six steps (see `demo-steps.ts`), each printed and checked; exit 0 when all
 * pass, 1 with the failed step named otherwise.
 *
 * With a `pulumi` CLI on PATH it drives the CLI through the Automation API (`automation-driver.ts`);
 * without one it says so and uses the offline runner (`offline-driver.ts`). Everything it writes lives
 * under `.demo/` in the repository, recreated on every run. Nothing printed or written holds a key
 * value, API key or password in clear.
 *
 * Environment:
 * - `DEMO_ADMIN_KEY`, `DEMO_USER_KEY`, `DEMO_PASSWORD`: fixed seeded emulator credentials (default random);
 * - `DEMO_MODE=offline|automation`: force a mode (default: automation when a CLI is on PATH);
 * - `DEMO_FAIL_AT=<1..6>`: make that step meet a real fault (tests the failure path);
 * - `DEMO_SECRET_CHECK_FILE=<path>`: write sha256 hashes of the created key values there (leak test);
 * - `PULUMI_CONFIG_PASSPHRASE`: encrypts the state's secrets (default: random, for this run only).
 * `SPECTROCLOUD_*` variables would point the provider elsewhere: the demo ignores them, saying so.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../emulator";
import { pulumiCliVersion, pulumiHomeIn, startAutomationDriver } from "./automation-driver";
import type { StackDriver } from "./demo-driver";
import { QuickstartStory, type DemoTally } from "./demo-steps";
import { startOfflineDriver } from "./offline-driver";
import { scrub } from "../runner/render-steps";
import { findRepository } from "./repository";

const STACK = "demo";
const SPECTROCLOUD_VARS = ["SPECTROCLOUD_HOST", "SPECTROCLOUD_APIKEY", "SPECTROCLOUD_PROJECT_UID", "SPECTROCLOUD_USERNAME", "SPECTROCLOUD_PASSWORD"];

const secrets = new Set<string>();
function say(line: string): void {
  process.stdout.write(`${scrub(line, secrets)}\n`);
}

async function main(): Promise<number> {
  const started = Date.now();
  const repo = findRepository(__dirname);
  const project = readProject(repo);
  const demoDir = path.join(repo, ".demo");
  fs.rmSync(demoDir, { recursive: true, force: true });
  fs.mkdirSync(demoDir, { recursive: true });

  say("pulumi-palette-apikeys demo: the quickstart stack, end to end, on the embedded Palette emulator");
  const ignored = SPECTROCLOUD_VARS.filter((k) => process.env[k] !== undefined);
  for (const k of ignored) delete process.env[k];
  if (ignored.length > 0) say(`(ignoring ${ignored.join(", ")} from your environment: the demo talks to its own emulator only)`);

  const failAt = process.env.DEMO_FAIL_AT ? Number(process.env.DEMO_FAIL_AT) : undefined;
  const passphrase = process.env.PULUMI_CONFIG_PASSPHRASE ?? randomBytes(24).toString("base64url");
  secrets.add(passphrase);

  let emulator: RunningEmulator | undefined;
  let driver: StackDriver | undefined;
  let story: QuickstartStory | undefined;
  const passed: string[] = [];
  let failure: { step: string; message: string } | undefined;
  try {
    emulator = await startEmulator({
      port: 0,
      statePath: path.join(demoDir, "emulator-state.json"),
      ...optional("adminKey", process.env.DEMO_ADMIN_KEY),
      ...optional("userKey", process.env.DEMO_USER_KEY),
      ...optional("password", process.env.DEMO_PASSWORD),
    });
    for (const account of [emulator.accounts.admin, ...emulator.accounts.users]) for (const s of [account.apiKey, account.password]) if (s !== "") secrets.add(s);
    say(`Emulator: ${emulator.url} (tenant ${emulator.tenant.orgName}; tenant admin ${emulator.accounts.admin.email}; users ${emulator.accounts.users.map((u) => u.email).join(", ")})`);
    // The password itself stays off the output: the reader chose it, or it is random and unknown.
    say(
      process.env.DEMO_PASSWORD
        ? `   Watch the keys change: open ${emulator.url}/ and sign in as ${emulator.accounts.admin.email} with your DEMO_PASSWORD`
        : `   To watch the keys change in a browser, run with DEMO_PASSWORD=<a password>, open ${emulator.url}/ and sign in as ${emulator.accounts.admin.email}`,
    );

    driver = await startDriver(repo, project, demoDir, passphrase);
    say(`Stack: ${project.name}/${STACK}, program ${project.main}, files under .demo/`);
    await driver.setConfig("palette:host", emulator.url);
    await driver.setConfig("palette:apiKey", emulator.accounts.admin.apiKey, true);
    say(`   config palette:host = ${emulator.url}; palette:apiKey = [secret] (the tenant admin's API key)`);

    story = new QuickstartStory({
      driver,
      emulator,
      project: project.name,
      say,
      addSecret: (v) => secrets.add(v),
      failAt,
      secretCheckFile: process.env.DEMO_SECRET_CHECK_FILE,
    });
    const steps = story.steps();
    for (const [i, step] of steps.entries()) {
      const label = `step ${i + 1} (${step.title})`;
      say("");
      say(`Step ${i + 1}/${steps.length}: ${step.title}`);
      const t0 = Date.now();
      try {
        await story.injectFault(i + 1);
        const verdict = await step.run();
        say(`   PASS step ${i + 1} in ${seconds(Date.now() - t0)}: ${verdict}`);
        passed.push(label);
      } catch (e) {
        failure = { step: label, message: messageOf(e) };
        say(`   FAIL step ${i + 1} in ${seconds(Date.now() - t0)}: ${failure.message}`);
        break;
      }
    }
  } catch (e) {
    failure = { step: "setting up (before step 1)", message: messageOf(e) };
    say(`FAIL while setting up: ${failure.message}`);
  } finally {
    await driver?.close().catch(() => undefined);
    await emulator?.close();
  }

  say("");
  say(`Summary (${driver?.mode === "automation" ? "Pulumi CLI through the Automation API" : "offline runner"}, ${seconds(Date.now() - started)}):`);
  say(`   steps passed: ${passed.length}/6`);
  if (story) say(`   keys: ${tallyLine(story.tally)}`);
  if (story) say(`   drift found: ${story.tally.drift.length > 0 ? story.tally.drift.join(", ") : "none"}`);
  if (failure) {
    say(`   FAILED at ${failure.step}: see the FAIL line above; the files of this run are under .demo/`);
    return 1;
  }
  say("   demo passed");
  return 0;
}

/** The CLI through the Automation API when there is one (or DEMO_MODE says so), else the offline runner. */
async function startDriver(repo: string, project: ProjectFile, demoDir: string, passphrase: string): Promise<StackDriver> {
  const forced = process.env.DEMO_MODE;
  if (forced !== undefined && forced !== "offline" && forced !== "automation") throw new Error(`DEMO_MODE must be "offline" or "automation", not "${forced}"`);
  const cli = forced === "offline" ? undefined : pulumiCliVersion(pulumiHomeIn(demoDir));
  if (forced === "automation" && cli === undefined) throw new Error("DEMO_MODE=automation, but no `pulumi` CLI is on PATH");
  if (cli !== undefined) {
    say(`Mode: Pulumi CLI ${cli} found on PATH: driving it through the Automation API (file backend and PULUMI_HOME under .demo/)`);
    return startAutomationDriver({ projectDir: repo, stack: STACK, workDir: demoDir, passphrase });
  }
  say(
    forced === "offline"
      ? "Mode: offline runner (DEMO_MODE=offline): Pulumi's Node.js runtime (cmd/run) + the real dynamic-provider host"
      : "Mode: no `pulumi` CLI on PATH, so the offline runner is used: Pulumi's Node.js runtime (cmd/run) + the real dynamic-provider host",
  );
  return startOfflineDriver({
    projectDir: repo,
    programFile: path.join(repo, project.main, "index.ts"),
    project: project.name,
    stack: STACK,
    stateFile: path.join(demoDir, "state", `${STACK}.json`),
    passphrase,
  });
}

interface ProjectFile {
  name: string;
  /** The program directory, relative to the repository. */
  main: string;
}

/** `name` and `main` of the root Pulumi.yaml (the demo runs the same program `pulumi up` would). */
function readProject(repo: string): ProjectFile {
  const text = fs.readFileSync(path.join(repo, "Pulumi.yaml"), "utf8");
  const name = /^name:\s*(\S+)\s*$/m.exec(text)?.[1];
  const main = /^main:\s*(\S+)\s*$/m.exec(text)?.[1];
  if (!name || !main) throw new Error("Pulumi.yaml needs a top-level name and main");
  return { name, main };
}

function optional<K extends string>(key: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined || value === "" ? {} : ({ [key]: value } as Record<K, string>);
}

function tallyLine(t: DemoTally): string {
  return `created ${t.created}, updated ${t.updated} in place, deleted ${t.deleted}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    say(`demo crashed: ${messageOf(e)}`);
    process.exitCode = 1;
  },
);
