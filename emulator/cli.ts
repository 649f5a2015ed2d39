#!/usr/bin/env node
/**
 * `palette-emulator`: runs the emulator until SIGINT/SIGTERM and prints how to use it, seeded
 * credentials included. This banner is the one place the emulator shows secrets, on purpose:
 * they are what a developer needs to talk to it. A credential a restart kept from its state file
 * is known there only as a hash, so the banner says it is unchanged instead.
 */
import { startEmulator } from "./index";
import type { CredentialName, EmulatorOptions, RunningEmulator, SeedAccount } from "./options";

export const DEFAULT_CLI_PORT = 8080;

export const USAGE = `Usage: palette-emulator [options]

A local Spectro Cloud Palette API emulator (API keys, users, auth).

Options:
  --port <port>        port to listen on (0 = any free port)      [default: ${DEFAULT_CLI_PORT}]
  --host <host>        interface to listen on                     [default: 127.0.0.1]
  --admin-key <key>    API key of the seeded tenant admin: 32 characters [A-Za-z0-9]
                                                     [default: the state file's, else random]
  --user-key <key>     API key of the seeded user alice, same shape [default: as --admin-key]
  --password <pw>      password of every seeded user              [default: as --admin-key]
  --control-token <t>  X-Emulator-Token of the control surface /__emulator, same shape as a key
                                                                  [default: as --admin-key]
  --key-limit <n>      API keys one user may own                  [default: the state file's, else 20]
  --state <file>       keep state in this JSON file across restarts: users, keys, the key limit,
                       and the seeded credentials and control token, as hashes only: a restart
                       accepts them but cannot print them (save the banner's, or give them by
                       flag; a flag given wins)
  --no-rate-limit      turn off Palette's 10 req/s (burst 5) limit
  --quiet              do not print a line per request
  -h, --help           show this help`;

/** Where the CLI writes, and how it learns to stop; tests pass their own. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** Registers `stop` to run on SIGINT/SIGTERM; returns an unregister function. @default process signals */
  onStop?(stop: () => void): () => void;
}

export interface CliRun {
  /** 0 when running or after --help, 2 for bad arguments, 1 when the server could not start. */
  readonly exitCode: number;
  /** The running emulator; absent after --help or a failure. */
  readonly emulator?: RunningEmulator;
  /** Stops the emulator (idempotent). */
  stop(): Promise<void>;
  /** Settles once the emulator has stopped (immediately when it never started). */
  readonly stopped: Promise<void>;
}

type CliOptions = EmulatorOptions & { quiet: boolean; help: boolean };

class UsageError extends Error {}

/** Parses arguments, starts the emulator and prints the banner. Never calls `process.exit`. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<CliRun> {
  const done = (exitCode: number): CliRun => ({ exitCode, stop: () => Promise.resolve(), stopped: Promise.resolve() });
  let options: CliOptions;
  try {
    options = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.err(`palette-emulator: ${e.message}`);
    io.err("Run palette-emulator --help for the options.");
    return done(2);
  }
  if (options.help) {
    io.out(USAGE);
    return done(0);
  }
  const { quiet, help: _help, ...emulatorOptions } = options;
  let emulator: RunningEmulator;
  try {
    emulator = await startEmulator({ ...emulatorOptions, ...(quiet ? {} : { log: (line: string) => io.out(line) }) });
  } catch (e) {
    io.err(`palette-emulator: could not start: ${(e as Error).message}`);
    return done(1);
  }
  printBanner(emulator, options, io);

  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<void> | undefined;
  const unregister = (io.onStop ?? onProcessSignals)(() => void stop());
  function stop(): Promise<void> {
    stopping ??= (async () => {
      unregister();
      await emulator.close();
      io.out("Palette emulator stopped.");
      resolveStopped();
    })();
    return stopping;
  }
  return { exitCode: 0, emulator, stop, stopped };
}

/** What the banner calls each credential, and the flag that sets a new one. */
const CREDENTIALS: Readonly<Record<CredentialName, { readonly what: string; readonly flag: string }>> = {
  adminKey: { what: "the admin key", flag: "--admin-key" },
  userKey: { what: "alice's key", flag: "--user-key" },
  password: { what: "the password", flag: "--password" },
  controlToken: { what: "the control token", flag: "--control-token" },
};

/** Shown in place of a credential the state file kept as a hash: the value is not known to print. */
const UNCHANGED = "unchanged, see below";

function printBanner(emu: RunningEmulator, options: CliOptions, io: CliIo): void {
  const kept = new Set(emu.keptCredentials);
  const shown = (name: CredentialName, value: string): string => (kept.has(name) ? UNCHANGED : value);
  const row = (a: SeedAccount): string => {
    const who = `${a.role === "tenantAdmin" ? "tenant admin" : "user        "}  ${a.email.padEnd(22)} ${`${a.firstName} ${a.lastName}`.padEnd(14)}`;
    if (a.apiKeyUid === "") return `  ${who} (no API key: log in with the password)`;
    return `  ${who} ApiKey: ${shown(a.role === "tenantAdmin" ? "adminKey" : "userKey", a.apiKey)}`;
  };
  const { admin, users } = emu.accounts;
  io.out(`Palette emulator listening on ${emu.url}`);
  io.out(`Tenant: ${emu.tenant.orgName} (uid ${emu.tenant.uid})`);
  io.out(`Seeded accounts (password for all: ${shown("password", admin.password)}):`);
  for (const a of [admin, ...users]) io.out(row(a));
  io.out("Point the provider or SDK at it:");
  io.out(`  SPECTROCLOUD_HOST=${emu.url} SPECTROCLOUD_APIKEY=${kept.has("adminKey") ? "<the admin key, unchanged>" : admin.apiKey}`);
  io.out(`Rate limit: ${options.rateLimit === false ? "off" : "10 requests/s, burst 5, per path prefix and client IP"}`);
  io.out(`API keys per user: ${emu.keyLimitPerUser()}`);
  io.out(options.statePath === undefined ? "State: in memory (lost on exit)" : `State: ${options.statePath}`);
  io.out(`API keys page: ${emu.url}/ (sign in with a seeded account's email and the password)`);
  io.out(`Control surface (emulator only: clock, limits, users, faults): ${emu.url}/__emulator`);
  io.out(`  header X-Emulator-Token: ${shown("controlToken", emu.controlToken)}`);
  if (kept.size > 0) {
    const names = emu.keptCredentials.map((n) => CREDENTIALS[n]);
    io.out(`Unchanged from the start that printed them: ${names.map((c) => c.what).join(", ")}.`);
    io.out("  The state file keeps credentials as hashes only, so they still work but cannot be shown again:");
    io.out(`  use the values printed then, or set new ones with ${names.map((c) => c.flag).join(", ")}.`);
  }
  io.out("Press Ctrl+C to stop.");
}

function onProcessSignals(stop: () => void): () => void {
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return () => {
    process.removeListener("SIGINT", stop);
    process.removeListener("SIGTERM", stop);
  };
}

/** The shape of the keys Palette and the emulator mint (docs/reference/palette-api.md §4.1): 32 of [A-Za-z0-9]. */
const KEY_SHAPE = /^[A-Za-z0-9]{32}$/;

/** The value itself is not echoed: it is a credential, perhaps a real one pasted by mistake. */
function keyShaped(name: string, v: string): string {
  if (!KEY_SHAPE.test(v)) throw new UsageError(`${name} must be 32 characters [A-Za-z0-9] (got ${v.length} characters${/[^A-Za-z0-9]/.test(v) ? ", some of them not letters or digits" : ""})`);
  return v;
}

/** `--name value` and `--name=value`; unknown options and missing values are usage errors. */
export function parseArgs(argv: readonly string[]): CliOptions {
  const out: CliOptions = { port: DEFAULT_CLI_PORT, quiet: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "" || (inline === undefined && v.startsWith("--"))) throw new UsageError(`${name} needs a value`);
      return v;
    };
    const flag = (): void => {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
    };
    switch (name) {
      case "--port": {
        const v = value();
        const port = Number(v);
        if (!/^\d+$/.test(v) || port > 65535) throw new UsageError(`--port must be an integer within 0..65535, got '${v}'`);
        out.port = port;
        break;
      }
      case "--host":
        out.host = value();
        break;
      case "--admin-key":
        out.adminKey = keyShaped(name, value());
        break;
      case "--user-key":
        out.userKey = keyShaped(name, value());
        break;
      case "--control-token":
        out.controlToken = keyShaped(name, value());
        break;
      case "--key-limit": {
        const v = value();
        if (!/^\d+$/.test(v)) throw new UsageError(`--key-limit must be an integer >= 0, got '${v}'`);
        out.keyLimitPerUser = Number(v);
        break;
      }
      case "--password":
        out.password = value();
        break;
      case "--state":
        out.statePath = value();
        break;
      case "--no-rate-limit":
        flag();
        out.rateLimit = false;
        break;
      case "--quiet":
        flag();
        out.quiet = true;
        break;
      case "-h":
      case "--help":
        flag();
        out.help = true;
        break;
      default:
        // Echo option names only: a stray positional argument might be a secret typed in the wrong place.
        throw new UsageError(name.startsWith("-") ? `unknown option ${name}` : `unexpected argument at position ${i + 1}`);
    }
  }
  return out;
}

if (require.main === module) {
  // A closed stdout (`| head`) must not take the server down with an unhandled EPIPE.
  process.stdout.on("error", () => undefined);
  process.stderr.on("error", () => undefined);
  void runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then((run) => {
    process.exitCode = run.exitCode;
  });
}
