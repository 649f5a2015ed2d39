/**
 * The six steps of `npm run demo` on the quickstart program (`examples/quickstart`: `ci-bot`, a key for
 * the caller, and `alice-ci`, a key the tenant admin creates for Alice). Each step prints what
 * happens and then CHECKS it, against the operation's report and against the emulator's own store;
 * a failed check throws and the demo names the step.
 *
 * `DEMO_FAIL_AT=<n>` makes step n meet a real fault (see {@link FAULTS}): the failure path is tested,
 * not faked.
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import type { RunningEmulator } from "../emulator";
import { PaletteClient } from "../sdk";
import type { OperationReport, StackDriver } from "./demo-driver";
import { formatStep, SECRET_MASK, summarize, type PropertyChange, type Step } from "../runner/render-steps";

/** What the steps work with. */
export interface DemoContext {
  driver: StackDriver;
  emulator: RunningEmulator;
  /** The Pulumi project name (the namespace of the program's own config keys). */
  project: string;
  /** Prints one line (the printer masks every known secret again). */
  say(line: string): void;
  /** Registers a value the printer must mask. */
  addSecret(value: string): void;
  /** Step number that meets an injected fault. */
  failAt?: number | undefined;
  /** When set, sha256 hashes of the created key values are written there (one per line), for the secret-leak test. */
  secretCheckFile?: string | undefined;
}

/** One step: its title, and a run that resolves with the verdict line or throws. */
export interface DemoStep {
  title: string;
  run(): Promise<string>;
}

/** What the story did, for the final summary. */
export interface DemoTally {
  created: number;
  updated: number;
  deleted: number;
  /** `<resource> <property>` per drifted property. */
  drift: string[];
}

/** The program's resources and its stack outputs (examples/quickstart/index.ts). */
const CI = "ci-bot";
const ALICE = "alice-ci";
const KEY_OUTPUTS = ["ciBotKey", "aliceKey"] as const;
const NEW_EXPIRY = "60d";
/** Palette stamps every change; it is bookkeeping, not drift of anything the program declares. */
const BOOKKEEPING = new Set(["updatedAt"]);

/** What `DEMO_FAIL_AT=<step>` does: a real fault the step must run into. */
export const FAULTS: Readonly<Record<number, string>> = {
  1: "Palette refuses every API-key request (emulator fault: 403)",
  2: "the program changed between up and the second preview (ciBotExpiresIn = 45d)",
  3: "the out-of-band SDK client uses a wrong API key",
  4: "Palette refuses every API-key request (emulator fault: 403)",
  5: "Palette refuses every API-key request (emulator fault: 403)",
  6: "Palette refuses every API-key request (emulator fault: 403)",
};

/** Tells a check that failed from an operation that failed. */
export class CheckFailed extends Error {
  override readonly name = "CheckFailed";
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CheckFailed(`check failed: ${message}`);
}

export class QuickstartStory {
  readonly tally: DemoTally = { created: 0, updated: 0, deleted: 0, drift: [] };
  private readonly uids = new Map<string, string>();
  private readonly names = new Map<string, string>();
  private keyValues: Record<string, string> = {};
  private renamed = "";

  constructor(private readonly c: DemoContext) {}

  steps(): DemoStep[] {
    return [
      { title: "preview (what will be created), then up", run: () => this.create() },
      { title: "a second preview: no changes", run: () => this.noChanges() },
      { title: 'out of band, through the SDK ("someone in the Palette UI"): revoke ci-bot, rename alice-ci', run: () => this.outOfBand() },
      { title: "drift detection: preview --refresh --expect-no-changes, then up --refresh restores in place", run: () => this.drift() },
      { title: `the program changes ci-bot's expiresIn to "${NEW_EXPIRY}": preview, then up`, run: () => this.newExpiry() },
      { title: "destroy", run: () => this.destroy() },
    ];
  }

  /** Arms the fault of `DEMO_FAIL_AT` when this is its step. */
  async injectFault(step: number): Promise<void> {
    if (this.c.failAt !== step) return;
    this.c.say(`   [DEMO_FAIL_AT=${step}] injecting a fault: ${FAULTS[step] ?? "none defined for this step"}`);
    if (step === 2) await this.c.driver.setConfig(`${this.c.project}:ciBotExpiresIn`, "45d");
    else if (step !== 3) this.c.emulator.faults.add({ path: /^\/v1\/apiKeys/, times: 10_000, action: { kind: "status", status: 403, message: "injected by DEMO_FAIL_AT" } });
  }

  // ---- 1 ---------------------------------------------------------------------------------------

  private async create(): Promise<string> {
    const preview = await this.op("pulumi preview", () => this.c.driver.preview());
    check(opsOf(preview) === `${CI}:create ${ALICE}:create`, `the preview should create ${CI} and ${ALICE}, got ${opsOf(preview) || "nothing"}`);
    check(this.userKeys().length === 0, "a preview must not create keys");
    this.c.say("   (nothing is created by a preview; up draws the names' random suffixes afresh)");

    const up = await this.op("pulumi up", () => this.c.driver.up());
    check(opsOf(up) === `${CI}:create ${ALICE}:create`, `up should create ${CI} and ${ALICE}, got ${opsOf(up) || "nothing"}`);
    this.printOutputs(up);
    for (const s of up.steps) {
      check(s.id !== undefined, `${s.name} has no id after up`);
      this.uids.set(s.name, s.id);
    }
    const stored = this.userKeys();
    check(sameSet(stored.map((k) => k.uid), [...this.uids.values()]), "the emulator should hold exactly the two created keys");
    const alice = this.c.emulator.accounts.users.find((u) => u.email === "alice@palette.local");
    check(stored.find((k) => k.uid === this.uids.get(ALICE))?.ownerUid === alice?.uid, `${ALICE} should belong to Alice`);
    for (const name of KEY_OUTPUTS) check(up.outputs[name] === SECRET_MASK && up.secretOutputs.includes(name), `output ${name} should be a secret, shown as ${SECRET_MASK}`);

    this.keyValues = await this.c.driver.secretOutputValues();
    for (const name of KEY_OUTPUTS) check(typeof this.keyValues[name] === "string" && this.keyValues[name] !== "", `output ${name} should resolve to the key value`);
    for (const v of Object.values(this.keyValues)) this.c.addSecret(v);
    if (this.c.secretCheckFile) fs.writeFileSync(this.c.secretCheckFile, Object.values(this.keyValues).map((v) => `${sha256(v)}\n`).join(""), { mode: 0o600 });

    for (const [resource, output] of [[CI, "ciBotKeyName"], [ALICE, "aliceKeyName"]] as const) this.names.set(resource, String(up.outputs[output]));
    this.tally.created += 2;
    return `2 keys created in the emulator: ${this.names.get(CI)} (the caller's) and ${this.names.get(ALICE)} (owned by ${String(up.outputs.aliceKeyOwner)}); both values are secret outputs`;
  }

  // ---- 2 ---------------------------------------------------------------------------------------

  private async noChanges(): Promise<string> {
    const preview = await this.op("pulumi preview --expect-no-changes", () => this.c.driver.preview({ expectNoChanges: true }));
    check(!preview.changesFound && opsOf(preview) === `${CI}:same ${ALICE}:same`, `the preview should propose no changes, got ${opsOf(preview)}`);
    return "no changes proposed: both keys unchanged";
  }

  // ---- 3 ---------------------------------------------------------------------------------------

  private async outOfBand(): Promise<string> {
    const ci = this.uid(CI);
    const alice = this.uid(ALICE);
    let apiKey = this.c.emulator.accounts.admin.apiKey;
    if (this.c.failAt === 3) {
      apiKey = randomBytes(24).toString("base64url").replace(/[-_]/g, "x").slice(0, 32);
      this.c.addSecret(apiKey);
    }
    this.renamed = `${ALICE}-renamed-in-ui`;
    const client = new PaletteClient({ host: this.c.emulator.url, auth: { apiKey } });
    try {
      this.c.say(`   as the tenant admin (${this.c.emulator.accounts.admin.email}), through the SDK:`);
      await client.apiKeys.setActive(ci, false);
      this.c.say(`     revoked ${this.names.get(CI)} (uid ${ci})`);
      await client.apiKeys.update(alice, { name: this.renamed });
      this.c.say(`     renamed ${this.names.get(ALICE)} to ${this.renamed} (uid ${alice})`);
    } finally {
      await client.close();
    }
    const stored = this.userKeys();
    check(stored.find((k) => k.uid === ci)?.active === false, `${CI} should be revoked in the emulator`);
    check(stored.find((k) => k.uid === alice)?.name === this.renamed, `${ALICE} should be renamed in the emulator`);
    return "Palette now differs from the stack's state in two places; Pulumi has not been told";
  }

  // ---- 4 ---------------------------------------------------------------------------------------

  private async drift(): Promise<string> {
    const preview = await this.op("pulumi preview --refresh --expect-no-changes", () => this.c.driver.preview({ refresh: true, expectNoChanges: true }));
    check(preview.changesFound, "the drift preview should find changes");
    this.c.say("   changes found, as expected: that is the drift report");

    const aliceName = this.names.get(ALICE) ?? "";
    const expectedDrift: Record<string, PropertyChange[]> = {
      [CI]: [
        { name: "active", old: true, new: false },
        { name: "status", old: "active", new: "revoked" },
      ],
      [ALICE]: [{ name: "name", old: aliceName, new: this.renamed }],
    };
    check(sameSet(preview.drift.map((s) => `${s.name}:${s.op}`), [`${CI}:refresh-drift`, `${ALICE}:refresh-drift`]), `exactly ${CI} and ${ALICE} should have drifted, got ${preview.drift.map((s) => s.name).join(", ") || "none"}`);
    this.c.say("   drift report (Palette now vs the last up):");
    for (const s of preview.drift) {
      const changes = declared(s.changes).filter((c) => !BOOKKEEPING.has(c.name));
      check(sameJson(changes, expectedDrift[s.name]), `${s.name} drift should be ${describe(expectedDrift[s.name] ?? [])}, got ${describe(changes)}`);
      for (const c of changes) this.c.say(`     drift: ${s.name} ${c.name}: ${JSON.stringify(c.old)} -> ${JSON.stringify(c.new)}`);
    }
    this.tally.drift = [`${CI} active`, `${ALICE} name`];

    const expectedPlan: Record<string, PropertyChange[]> = {
      [CI]: [{ name: "active", old: false, new: true }],
      [ALICE]: [{ name: "name", old: this.renamed, new: aliceName }],
    };
    check(opsOf(preview) === `${CI}:update ${ALICE}:update`, `the drift preview should plan two in-place updates, got ${opsOf(preview)}`);
    for (const s of preview.steps) check(sameJson(declared(s.changes), expectedPlan[s.name]), `${s.name} should be planned as ${describe(expectedPlan[s.name] ?? [])}, got ${describe(declared(s.changes))}`);

    const up = await this.op("pulumi up --refresh", () => this.c.driver.up({ refresh: true }));
    check(opsOf(up) === `${CI}:update ${ALICE}:update`, `up --refresh should update both keys in place, got ${opsOf(up)}`);
    check(up.steps.every((s) => s.id === this.uids.get(s.name)), "the keys' uids should not change");
    const stored = this.userKeys();
    check(sameSet(stored.map((k) => k.uid), [...this.uids.values()]), "no new key should exist in the emulator");
    check(stored.find((k) => k.uid === this.uid(CI))?.active === true, `${CI} should be active again`);
    check(stored.find((k) => k.uid === this.uid(ALICE))?.name === aliceName, `${ALICE} should have its name back`);
    const values = await this.c.driver.secretOutputValues();
    check(KEY_OUTPUTS.every((k) => values[k] === this.keyValues[k]), "the key values should be the same as before (compared, not printed)");
    this.tally.updated += 2;
    return "drift reported precisely and repaired in place: same uids, same key values, no new keys";
  }

  // ---- 5 ---------------------------------------------------------------------------------------

  private async newExpiry(): Promise<string> {
    await this.c.driver.setConfig(`${this.c.project}:ciBotExpiresIn`, NEW_EXPIRY);
    this.c.say(`   $ pulumi config set ciBotExpiresIn ${NEW_EXPIRY}`);
    const preview = await this.op("pulumi preview", () => this.c.driver.preview());
    check(opsOf(preview) === `${CI}:update ${ALICE}:same`, `the preview should update ${CI} only, got ${opsOf(preview)}`);
    const planned = declared(preview.steps.find((s) => s.name === CI)?.changes ?? []);
    check(sameSet(planned.map((c) => c.name), ["expiresAt", "expiresIn"]), `${CI} should change expiresAt and expiresIn only, got ${describe(planned)}`);
    check(planned.some((c) => c.name === "expiresIn" && c.new === NEW_EXPIRY), `${CI}'s expiresIn should become ${NEW_EXPIRY}`);

    const up = await this.op("pulumi up", () => this.c.driver.up());
    check(opsOf(up) === `${CI}:update ${ALICE}:same`, `up should update ${CI} in place only, got ${opsOf(up)}`);
    const expiresAt = new Date(String(up.outputs.ciBotExpiresAt));
    const stored = this.userKeys().find((k) => k.uid === this.uid(CI));
    check(stored?.expiresAt.getTime() === expiresAt.getTime(), `the emulator should hold ${CI}'s new expiry ${expiresAt.toISOString()}`);
    const days = (expiresAt.getTime() - this.c.emulator.clock.now().getTime()) / 86_400_000;
    check(days > 59 && days <= 60, `${CI} should now expire in 60 days, not ${days.toFixed(1)}`);
    this.tally.updated += 1;
    return `${this.names.get(CI)} updated in place (same uid): the emulator shows it expiring ${expiresAt.toISOString()}`;
  }

  // ---- 6 ---------------------------------------------------------------------------------------

  private async destroy(): Promise<string> {
    const destroy = await this.op("pulumi destroy", () => this.c.driver.destroy());
    check(sameSet(destroy.steps.map((s) => `${s.name}:${s.op}`), [`${CI}:delete`, `${ALICE}:delete`]), `destroy should delete both keys, got ${opsOf(destroy)}`);
    check(this.userKeys().length === 0, "the emulator should hold no key the stack made");
    const seeded = this.c.emulator.keys().filter((k) => k.seeded);
    check(this.c.emulator.keys().length === seeded.length, "only seeded keys should remain");
    this.tally.deleted += 2;
    return `the emulator holds no keys besides the ${seeded.length} seeded bootstrap credentials (${seeded.map((k) => k.name).join(", ")})`;
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Runs one stack operation, printing its plan lines, summary and outputs. */
  private async op(command: string, run: () => Promise<OperationReport>): Promise<OperationReport> {
    this.c.say(`   $ ${command}`);
    const report = await run();
    for (const s of [...report.drift, ...report.steps]) for (const line of formatStep(display(s))) this.c.say(`   ${line}`);
    this.c.say(`     ${summarize(report.steps, command.includes("--refresh") ? report.drift : undefined)}`);
    return report;
  }

  private printOutputs(report: OperationReport): void {
    this.c.say("   outputs:");
    for (const k of Object.keys(report.outputs).sort()) {
      const v = report.outputs[k];
      this.c.say(`     ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    }
  }

  private userKeys() {
    return this.c.emulator.keys().filter((k) => !k.seeded);
  }

  private uid(resource: string): string {
    const uid = this.uids.get(resource);
    if (uid === undefined) throw new CheckFailed(`${resource} was never created`);
    return uid;
  }
}

/** `name:op` per step, sorted by name, e.g. "alice-ci:create ci-bot:create" -> stable for comparisons. */
function opsOf(report: OperationReport): string {
  const order = [CI, ALICE];
  return [...report.steps]
    .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name))
    .map((s) => `${s.name}:${s.op}`)
    .join(" ");
}

/** Changes of properties the program declares: the provider's `__` plumbing (autoname, logical name) left out. */
function declared(changes: PropertyChange[]): PropertyChange[] {
  return changes.filter((c) => !c.name.startsWith("__"));
}

/** A step as printed: plumbing properties hidden, the type token shortened. */
function display(step: Step): Step {
  return { ...step, type: step.type.replace("pulumi-nodejs:dynamic/", ""), changes: declared(step.changes) };
}

function describe(changes: PropertyChange[]): string {
  return changes.map((c) => `${c.name} ${JSON.stringify(c.old)} -> ${JSON.stringify(c.new)}`).join(", ") || "nothing";
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().join("\n") === [...b].sort().join("\n");
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function sha256(value: string): string {
  return createHash("sha256").update(value).digest("hex");
}
