/**
 * Starts a Pulumi Node.js program against a resource monitor, the two ways Pulumi itself does:
 *
 * - a program file: as `pulumi-language-nodejs` does (sdk/nodejs/cmd/pulumi-language-nodejs/main.go
 *   `execRuntime` / `constructArguments`), a child `node <@pulumi/pulumi/cmd/run> --monitor A --engine A
 *   --project P --root-directory D --stack S --pwd D [--dry-run] --parallel N <program>` (D: the project
 *   directory, which the runner takes as the program directory too) with the config in `PULUMI_CONFIG`
 *   (keys `pkg:config:name`, as the host still rewrites them) and `PULUMI_CONFIG_SECRET_KEYS`, and
 *   `PULUMI_NODEJS_TYPESCRIPT=true` (the `typescript` runtime option's default) so `cmd/run` registers
 *   ts-node for a `.ts` program (transpile only unless `PULUMI_NODEJS_TRANSPILE_ONLY` says otherwise:
 *   the Go host leaves that to the user, and ts-node would type-check on every run);
 * - a function: as the Automation API runs an inline program, in this process through its
 *   `LanguageServer.run` (`@pulumi/pulumi/automation/server`), given the same `RunRequest`.
 */
import { spawn } from "node:child_process";
import * as langpb from "@pulumi/pulumi/proto/language_pb";
import { endWithRunner } from "./child-processes";

/** What the engine tells the language host about one run. */
export interface ProgramRun {
  /** The resource monitor's and the engine's address. */
  monitorAddress: string;
  project: string;
  stack: string;
  organization?: string;
  /** The program's working directory. */
  pwd: string;
  dryRun: boolean;
  parallel: number;
  /** Fully qualified keys (`palette:host`), plain values. */
  config: Record<string, string>;
  secretKeys: string[];
}

/** How a program file's process ended. */
export interface ProgramExit {
  code: number | null;
  /** What the program printed (stdout and stderr); `pulumi up` shows it as diagnostics. */
  output: string;
}

/**
 * Runs `programFile` in a child process, as the Node.js language host does; resolves when it exits
 * (killed when `stop` aborts).
 * `env` is merged over `process.env` (`undefined` removes a variable). `ownProcessGroup`: the
 * process leads a group of its own, as the CLI starts the language host, so a terminal's Ctrl-C
 * reaches only the runner; only for a runner that handles SIGINT/SIGTERM itself.
 */
export function runProgramFile(
  programFile: string,
  run: ProgramRun,
  env: Record<string, string | undefined> = {},
  stop?: AbortSignal,
  ownProcessGroup = false,
): Promise<ProgramExit> {
  const args = [
    require.resolve("@pulumi/pulumi/cmd/run"),
    "--monitor",
    run.monitorAddress,
    "--engine",
    run.monitorAddress,
    ...(run.organization ? ["--organization", run.organization] : []),
    "--project",
    run.project,
    "--root-directory",
    run.pwd,
    "--stack",
    run.stack,
    "--pwd",
    run.pwd,
    ...(run.dryRun ? ["--dry-run"] : []),
    "--parallel",
    String(run.parallel),
    programFile,
  ];
  const childEnv: Record<string, string> = {};
  const config: Record<string, string> = {};
  for (const [k, v] of Object.entries(run.config)) config[legacyConfigKey(k)] = v;
  const merged = {
    // Type checking is `npm run typecheck`'s job; a user's own setting still wins.
    PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    ...process.env,
    PULUMI_CONFIG: JSON.stringify(config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(run.secretKeys),
    PULUMI_NODEJS_TYPESCRIPT: "true",
    ...env,
  };
  for (const [k, v] of Object.entries(merged)) if (v !== undefined) childEnv[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: run.pwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"], detached: ownProcessGroup });
    endWithRunner(child, ownProcessGroup);
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (output += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (output += c));
    child.once("error", reject);
    // The engine ends the language host once it has cancelled the deployment.
    stop?.addEventListener("abort", () => child.kill("SIGTERM"), { once: true });
    child.once("close", (code) => resolve({ code, output }));
  });
}

/** `pkg:name` -> `pkg:config:name`, the form the language host still hands the runtime. */
function legacyConfigKey(key: string): string {
  const i = key.indexOf(":");
  return i < 0 || key.includes(":config:") ? key : `${key.slice(0, i)}:config:${key.slice(i + 1)}`;
}

interface LanguageServerLike {
  run(call: { request: langpb.RunRequest }, callback: (err: Error | undefined, res: langpb.RunResponse | undefined) => void): Promise<void>;
}

/**
 * Runs `program` in this process as the Automation API's inline-program server does (one run at a
 * time: the runtime's settings are process-wide). Resolves with the program's failure message, or
 * undefined when it succeeded (or when `stop` aborted the wait).
 */
export async function runInlineProgram(program: () => unknown, run: ProgramRun, stop?: AbortSignal): Promise<string | undefined> {
  // The server module is internal to @pulumi/pulumi (its typings export nothing): typed here by use.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module of @pulumi/pulumi without typings, loaded only for inline programs
  const { LanguageServer } = require("@pulumi/pulumi/automation/server") as { LanguageServer: new (program: () => unknown) => LanguageServerLike };
  const req = new langpb.RunRequest();
  req.setProject(run.project);
  req.setStack(run.stack);
  if (run.organization) req.setOrganization(run.organization);
  req.setPwd(run.pwd);
  req.setDryrun(run.dryRun);
  req.setParallel(run.parallel);
  req.setMonitorAddress(run.monitorAddress);
  // The inline server takes the engine address from the first argument, as the CLI passes it.
  req.setArgsList([run.monitorAddress]);
  for (const [k, v] of Object.entries(run.config)) req.getConfigMap().set(k, v);
  req.setConfigsecretkeysList(run.secretKeys);
  let failure: string | undefined;
  // A program that throws is caught before the runtime's Stack sees it: a rejected stack leaves
  // rejected output promises nobody awaits, unhandled rejections in this (the caller's) process.
  let thrown: { error: unknown } | undefined;
  const guarded = async (): Promise<unknown> => {
    try {
      return await program();
    } catch (error) {
      thrown = { error };
      return {};
    }
  };
  await new Promise<void>((resolve) => {
    // A runtime told the monitor is shutting down stops sending RPCs but may never settle its
    // outputs, so its run never ends: the engine stops waiting for it (as the Automation API does).
    stop?.addEventListener("abort", () => resolve(), { once: true });
    void new LanguageServer(guarded).run({ request: req }, (err, res) => {
      failure ??= err?.message ?? (res?.getError() || undefined);
      resolve();
    });
  });
  return thrown ? (thrown.error instanceof Error ? thrown.error.message : String(thrown.error)) : failure;
}
