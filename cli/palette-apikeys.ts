#!/usr/bin/env node
/**
 * `palette-apikeys <command>`: one entry for the package's tools. Each subcommand is a module with
 * its own usage text; this file only dispatches.
 */
import { auditCommand, USAGE as AUDIT_USAGE } from "./audit";
import { UsageError, type CliIo } from "./io";
import { terraformMirrorCommand, USAGE as MIRROR_USAGE } from "./terraform-mirror";
import { REGISTRY_USAGE, RELEASE_USAGE, terraformRegistryCommand, terraformReleaseCommand } from "./terraform-release";

interface Subcommand {
  summary: string;
  usage: string;
  run(argv: readonly string[], io: CliIo): number | Promise<number>;
}

export const SUBCOMMANDS: Readonly<Record<string, Subcommand>> = {
  audit: {
    summary: "list the API keys you may see and flag expired, expiring, orphaned and unmanaged ones",
    usage: AUDIT_USAGE,
    run: (argv, io) => auditCommand(argv, io),
  },
  "terraform-mirror": {
    summary: "lay out the Terraform provider as a filesystem mirror and print the CLI configuration",
    usage: MIRROR_USAGE,
    run: terraformMirrorCommand,
  },
  "terraform-release": {
    summary: "build the Terraform provider as signed single executables in registry-shaped zips",
    usage: RELEASE_USAGE,
    run: terraformReleaseCommand,
  },
  "terraform-registry": {
    summary: "lay out a static Terraform provider registry holding a signed release",
    usage: REGISTRY_USAGE,
    run: terraformRegistryCommand,
  },
};

export const USAGE = `Usage: palette-apikeys <command> [options]

Commands:
${Object.entries(SUBCOMMANDS)
  .map(([name, c]) => `  ${name.padEnd(19)} ${c.summary}`)
  .join("\n")}

Run palette-apikeys <command> --help for a command's options.`;

/** Runs one command line; returns the exit code (0 ok, 1 failed, 2 bad arguments; audit adds 3, findings). Never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(USAGE);
    return 2;
  }
  if (name === "-h" || name === "--help" || name === "help") {
    io.out(USAGE);
    return 0;
  }
  const command = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  try {
    if (command === undefined) throw new UsageError("unknown command");
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`palette-apikeys: ${e.message}`);
      io.err(`Run palette-apikeys ${command !== undefined ? `${name} ` : ""}--help for usage.`);
      return 2;
    }
    io.err(`palette-apikeys ${name}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

if (require.main === module) {
  void runCli(process.argv.slice(2), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  }).then((code) => {
    process.exitCode = code;
  });
}
