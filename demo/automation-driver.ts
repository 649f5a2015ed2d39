/**
 * The demo's stack driver WITH a Pulumi CLI: the Automation API on the repository's own Pulumi.yaml
 * (the quickstart program), a file backend and PULUMI_HOME under the demo directory, secrets
 * encrypted with a passphrase. Steps are read from the engine events (values arrive masked: the CLI
 * renders secrets as `[secret]` unless asked to show them) and put in the offline runner's shape.
 *
 * The CLI keeps a stack's config beside Pulumi.yaml (`Pulumi.<stack>.yaml`): the driver refuses to
 * start when that file already exists (it is not ours) and removes the stack, file included, on close.
 *
 * Untested on the project's machines (they have no CLI); written against
 * `@pulumi/pulumi/automation` 3.248's typings.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import * as automation from "@pulumi/pulumi/automation";
import { changedProperties, SECRET_MASK, type Step, type StepOp } from "../runner/render-steps";
import type { OperationReport, PreviewOptions, StackDriver } from "./demo-driver";

/** Options for {@link startAutomationDriver}. */
export interface AutomationDriverOptions {
  /** The directory of the Pulumi.yaml to run. */
  projectDir: string;
  stack: string;
  /** Holds the file backend and PULUMI_HOME. */
  workDir: string;
  passphrase: string;
}

/** `pulumi version` of the CLI on PATH, or undefined when there is none; `pulumiHome` keeps even this call off ~/.pulumi. */
export function pulumiCliVersion(pulumiHome: string): string | undefined {
  try {
    const env = { ...process.env, PULUMI_HOME: pulumiHome, PULUMI_SKIP_UPDATE_CHECK: "true" };
    return execFileSync("pulumi", ["version"], { encoding: "utf8", env, stdio: ["ignore", "pipe", "ignore"], timeout: 30_000 }).trim();
  } catch {
    return undefined;
  }
}

/** Where the driver keeps PULUMI_HOME. */
export function pulumiHomeIn(workDir: string): string {
  return path.join(workDir, "pulumi-home");
}

/** Selects (creating) the stack on a file backend under `workDir`. */
export async function startAutomationDriver(o: AutomationDriverOptions): Promise<StackDriver> {
  const stackFile = path.join(o.projectDir, `Pulumi.${o.stack}.yaml`);
  if (fs.existsSync(stackFile)) throw new Error(`${stackFile} exists already; the demo creates and removes that file itself: move it away first`);
  const backend = path.join(o.workDir, "backend");
  const home = pulumiHomeIn(o.workDir);
  fs.mkdirSync(backend, { recursive: true });
  fs.mkdirSync(home, { recursive: true });
  const stack = await automation.LocalWorkspace.createOrSelectStack(
    { stackName: o.stack, workDir: o.projectDir },
    {
      pulumiHome: home,
      envVars: {
        PULUMI_CONFIG_PASSPHRASE: o.passphrase,
        PULUMI_BACKEND_URL: pathToFileURL(backend).href,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        // The program is type-checked by `npm test`; the demo only needs it compiled.
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
      },
    },
  );
  return new AutomationDriver(stack, stackFile);
}

class AutomationDriver implements StackDriver {
  readonly mode = "automation" as const;
  private lastOutputs: automation.OutputMap = {};
  private closed = false;

  constructor(
    private readonly stack: automation.Stack,
    private readonly stackFile: string,
  ) {}

  setConfig(key: string, value: string, secret = false): Promise<void> {
    return this.stack.setConfig(key, { value, secret });
  }

  async preview(options: PreviewOptions = {}): Promise<OperationReport> {
    const events = new EventLog();
    try {
      const result = await this.stack.preview({
        onEvent: events.handler,
        ...(options.refresh ? { refresh: true } : {}),
        ...(options.expectNoChanges ? { expectNoChanges: true } : {}),
      });
      return events.report({ changesFound: proposesChanges(result.changeSummary) });
    } catch (e) {
      // --expect-no-changes makes the CLI exit non-zero; the summary event it sent first says whether that was the reason.
      if (options.expectNoChanges && e instanceof automation.CommandError && events.summary && proposesChanges(events.summary)) {
        return events.report({ changesFound: true });
      }
      throw cliFailure(e);
    }
  }

  async up(options: { refresh?: boolean } = {}): Promise<OperationReport> {
    const events = new EventLog();
    const result = await this.stack.up({ onEvent: events.handler, ...(options.refresh ? { refresh: true } : {}) }).catch((e: unknown) => Promise.reject(cliFailure(e)));
    this.lastOutputs = result.outputs;
    const outputs: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(result.outputs)) outputs[k] = v.secret ? SECRET_MASK : (v.value as unknown);
    return events.report({ outputs, secretOutputs: Object.keys(result.outputs).filter((k) => result.outputs[k]?.secret) });
  }

  async destroy(): Promise<OperationReport> {
    const events = new EventLog();
    await this.stack.destroy({ onEvent: events.handler }).catch((e: unknown) => Promise.reject(cliFailure(e)));
    return events.report({});
  }

  secretOutputValues(): Promise<Record<string, string>> {
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.lastOutputs)) if (v.secret && typeof v.value === "string") values[k] = v.value;
    return Promise.resolve(values);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The backend lives under the demo directory; removing the stack also deletes Pulumi.<stack>.yaml.
    await this.stack.workspace.removeStack(this.stack.name, { force: true }).catch(() => undefined);
    fs.rmSync(this.stackFile, { force: true });
  }
}

/** Collects the engine events of one operation. */
class EventLog {
  private readonly pre: automation.StepEventMetadata[] = [];
  private readonly refreshed = new Map<string, automation.StepEventMetadata>();
  summary: automation.OpMap | undefined;

  readonly handler = (event: automation.EngineEvent): void => {
    const m = event.resourcePreEvent?.metadata ?? event.resOutputsEvent?.metadata;
    if (m && isResource(m.type)) {
      if (m.op === "refresh") this.refreshed.set(m.urn, m);
      else if (event.resourcePreEvent) this.pre.push(m);
    }
    if (event.summaryEvent) this.summary = event.summaryEvent.resourceChanges;
  };

  report(extra: Partial<OperationReport>): OperationReport {
    const drift: Step[] = [];
    for (const m of this.refreshed.values()) {
      const before = m.old?.outputs ?? {};
      if (!m.new) drift.push({ ...identity(m), op: "delete", changes: changedProperties(before, {}, [], []) });
      else {
        const changes = changedProperties(before, m.new.outputs, [], []);
        if (changes.length > 0) drift.push({ ...identity(m), op: "refresh-drift", changes });
      }
    }
    const steps = new Map<string, Step>();
    for (const m of this.pre) {
      const op = STEP_OPS[m.op];
      if (!op || steps.has(m.urn)) continue;
      steps.set(m.urn, { ...identity(m), op, changes: changedProperties(m.old?.inputs ?? {}, op === "delete" ? {} : (m.new?.inputs ?? {}), [], []) });
    }
    return { drift, steps: [...steps.values()], outputs: {}, secretOutputs: [], changesFound: false, ...extra };
  }
}

/** Engine ops as the offline runner names them; the three parts of a replacement are one `replace`. */
const STEP_OPS: Partial<Record<automation.OpType, StepOp>> = {
  create: "create",
  update: "update",
  same: "same",
  delete: "delete",
  read: "read",
  replace: "replace",
  "create-replacement": "replace",
  "delete-replaced": "replace",
};

function proposesChanges(summary: automation.OpMap): boolean {
  return Object.entries(summary).some(([op, n]) => op !== "same" && op !== "read" && op !== "refresh" && (n ?? 0) > 0);
}

function isResource(type: string): boolean {
  return type !== "pulumi:pulumi:Stack" && !type.startsWith("pulumi:providers:");
}

function identity(m: automation.StepEventMetadata): { urn: string; type: string; name: string; id?: string } {
  const id = m.new?.id || m.old?.id;
  return { urn: m.urn, type: m.type, name: m.urn.slice(m.urn.lastIndexOf("::") + 2), ...(id ? { id } : {}) };
}

/** The CLI's error, cut to its last lines (the CLI masks secrets; the demo scrubs every line it prints as well). */
function cliFailure(e: unknown): Error {
  const message = e instanceof Error ? e.message : String(e);
  return new Error(message.trim().split("\n").slice(-12).join("\n"));
}
