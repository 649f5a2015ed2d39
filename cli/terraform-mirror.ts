/**
 * `palette-apikeys terraform-mirror <dir>`: lays the Terraform provider out as an unpacked
 * filesystem mirror, `<dir>/terraform.local/palette-apikeys/palette/<version>/<os>_<arch>/`, and
 * prints the CLI configuration that points Terraform at it. `terraform init` then installs it and
 * records its `h1:` hash in the lock file.
 *
 * The package directory holds a launcher, the boot script (a V8 code cache, see
 * provider/terraform/boot-main.ts), the bundle, the SDK chunk it requires when a call needs Palette, and OpenPGP (loaded for encrypt_for only): the lock file's hash covers only that directory, so
 * nothing the provider runs may live outside it. Its content is the same on every
 * machine (the launcher finds `node` on PATH), so a lock file committed by one developer matches
 * the mirror another one lays out from the same package version.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { BOOT_FILE, BUNDLE_FILE, OPENPGP_FILE, PROVIDER_ADDRESS, PROVIDER_SOURCE, SDK_CHUNK_FILE } from "../provider/terraform/distribution";
import { SDK_VERSION } from "../sdk";
import { UsageError, type CliIo } from "./io";

export const USAGE = `Usage: palette-apikeys terraform-mirror <dir> [options]

Lays out the Palette Terraform provider (${PROVIDER_SOURCE} ${SDK_VERSION}) as a filesystem
mirror in <dir> and prints the Terraform CLI configuration that installs it from there.

Options:
  --cli-config <file>    also write that CLI configuration to <file>
  --platform <os_arch>   lay out for this platform (repeatable)       [default: this machine's]
  -h, --help             show this help`;

/** Names inside the package directory; they must not start with `terraform-provider-palette`, or Terraform could pick one as the executable. */
const PACKAGED_BUNDLE = "palette-provider.cjs";
const PACKAGED_BOOT = "palette-boot.cjs";

/**
 * The lowest Node.js the provider runs on: this package's `engines.node` (undici 7 needs 20.18.1),
 * read from its package.json by the package's own name (which resolves to it from the source tree,
 * the build and an installed copy alike), so the launcher never checks another floor than npm does.
 */
export function nodeFloor(): [number, number, number] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the package's own package.json by name: the same file from the source tree, the build and an install
  const range = (require("pulumi-palette-apikeys/package.json") as { engines?: { node?: unknown } }).engines?.node;
  const floor = typeof range === "string" ? /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range.trim()) : null;
  if (floor === null) throw new Error(`package.json engines.node is ${JSON.stringify(range)}: the launcher checks only a ">=major.minor.patch" floor`);
  return [Number(floor[1]), Number(floor[2]), Number(floor[3])];
}

const OS: Partial<Record<NodeJS.Platform, string>> = { linux: "linux", darwin: "darwin", freebsd: "freebsd", openbsd: "openbsd" };
const ARCH: Partial<Record<string, string>> = { x64: "amd64", arm64: "arm64", ia32: "386", arm: "arm" };

/** This machine in Terraform's spelling (`linux_amd64`), or undefined where the sh launcher cannot run. */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string | undefined {
  const os = OS[platform];
  const cpu = ARCH[arch];
  return os !== undefined && cpu !== undefined ? `${os}_${cpu}` : undefined;
}

export interface MirrorOptions {
  /** The mirror's root. */
  dir: string;
  /** The provider bundle to ship. @default dist/terraform/terraform-provider-palette.js of this package */
  bundle?: string;
  /** @default dist/terraform/boot.js of this package */
  boot?: string;
  /** OpenPGP, which the bundle requires beside it by name. @default dist/terraform/palette-openpgp.cjs of this package, or the one beside `bundle` */
  openpgp?: string;
  /** @default this package's version */
  version?: string;
  /** @default [this machine's] */
  platforms?: readonly string[];
}

const built = (file: string): string => path.resolve(__dirname, "..", "terraform", file);

/** Writes the package directories; returns them. */
export function layOutMirror(options: MirrorOptions): string[] {
  const version = options.version ?? SDK_VERSION;
  const bundle = options.bundle ?? built(BUNDLE_FILE);
  const files: Record<string, string> = { [PACKAGED_BUNDLE]: bundle, [PACKAGED_BOOT]: options.boot ?? built(BOOT_FILE) };
  for (const file of Object.values(files)) if (!fs.existsSync(file)) throw new Error(`no ${file} (run \`npm run build\`)`);
  // The files the bundle requires from beside it (the SDK chunk; OpenPGP for encrypt_for): a bundle of
  // an entry that needs neither (a test's provider) has none.
  const source = fs.readFileSync(bundle, "utf8");
  const beside: Record<string, string> = { [SDK_CHUNK_FILE]: path.join(path.dirname(bundle), SDK_CHUNK_FILE), [OPENPGP_FILE]: options.openpgp ?? path.join(path.dirname(bundle), OPENPGP_FILE) };
  for (const [name, file] of Object.entries(beside)) {
    if (!source.includes(`require("./${name}")`)) continue;
    if (!fs.existsSync(file)) throw new Error(`no ${file}, which ${bundle} requires (run \`npm run build\`)`);
    files[name] = file;
  }
  const platforms = options.platforms ?? [terraformPlatform() ?? "unsupported"];
  return platforms.map((platform) => {
    if (!/^(linux|darwin|freebsd|openbsd)_[a-z0-9]+$/.test(platform)) throw new Error(`unsupported platform ${platform}: the launcher is a POSIX sh script`);
    const dir = path.join(options.dir, PROVIDER_ADDRESS.host, PROVIDER_ADDRESS.namespace, PROVIDER_ADDRESS.type, version, platform);
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, from] of Object.entries(files)) {
      fs.copyFileSync(from, path.join(dir, name));
      fs.chmodSync(path.join(dir, name), 0o644);
    }
    const launcher = path.join(dir, `terraform-provider-${PROVIDER_ADDRESS.type}_v${version}`);
    fs.writeFileSync(launcher, launcherScript(version), { mode: 0o755 });
    fs.chmodSync(launcher, 0o755);
    return dir;
  });
}

/** Said when the launcher finds no `node`: without it Terraform would only report an unrecognized plugin message. */
export const noNodeMessage = (): string =>
  `${PROVIDER_SOURCE}: no \`node\` on PATH. This provider runs on Node.js >= ${nodeFloor().join(".")}: install it and put \`node\` on the PATH terraform runs with.`;

/** Said when the `node` at `where` is `found` (its `--version`), older than the floor: the provider would crash on it, saying nothing of why. */
export const oldNodeMessage = (found: string, where: string): string =>
  `${PROVIDER_SOURCE}: the \`node\` on PATH (${where}) is ${found}. This provider runs on Node.js >= ${nodeFloor().join(".")}: install it and put it first on the PATH terraform runs with.`;

/**
 * Lines of sh that print `message` (a sh word) to stdout and stderr, then exit 1 a moment later:
 * go-plugin waits for the process on a second goroutine, and Go's `Wait` closes the stdout pipe, so a
 * plugin that exits at once can have its only line discarded before the reader sees it (Terraform
 * then says "Failed to read any lines from plugin's stdout" instead of the message). `/bin/sleep`
 * first: the PATH Terraform runs with may hold neither node nor coreutils.
 */
const refuse = (message: string, indent: string): string =>
  [`printf '%s\\n' ${message}`, `printf '%s\\n' ${message} >&2`, "{ /bin/sleep 1 || sleep 1; } 2>/dev/null", "exit 1"].map((line) => `${indent}${line}\n`).join("");

// `exec`, so Terraform's signals and its wait for the process reach node itself. Without a node it
// can run on, the message goes to stdout as well as stderr: Terraform keeps a failed plugin's stderr
// for TF_LOG only, but prints the first line of its stdout ("Unrecognized remote plugin message: ...").
// The version check costs one `node --version`, a few milliseconds (node answers it before starting
// its engine); a version it cannot read is left to node itself.
const launcherScript = (version: string): string => {
  const [major, minor, patch] = nodeFloor();
  // The message with the shell's $found and $where where the markers are.
  const tooOld = shQuote(oldNodeMessage("\0found\0", "\0where\0")).replace(/\0(\w+)\0/g, (_, name: string) => `'"$${name}"'`);
  return `#!/bin/sh
# ${PROVIDER_SOURCE} ${version}, from the npm package pulumi-palette-apikeys. Terraform starts this.
if ! command -v node >/dev/null 2>&1; then
${refuse(shQuote(noNodeMessage()), "  ")}fi
# Node.js >= ${major}.${minor}.${patch} (the package's engines.node), compared as major * 10^6 + minor * 10^3 + patch.
found=$(node --version 2>/dev/null)
major=\${found#v}
major=\${major%%.*}
minor=\${found#v"$major".}
minor=\${minor%%.*}
patch=\${found#v"$major"."$minor".}
patch=\${patch%%[!0-9]*}
case "$major:$minor:$patch" in
  *[!0-9:]* | :* | *::* | *:) ;;
  *)
    if [ $((major * 1000000 + minor * 1000 + patch)) -lt ${major * 1_000_000 + minor * 1_000 + patch} ]; then
      where=$(command -v node)
${refuse(tooOld, "      ")}    fi
    ;;
esac
exec node "$(dirname "$0")/${PACKAGED_BOOT}" "$(dirname "$0")/${PACKAGED_BUNDLE}"
`;
};

/** A POSIX sh single-quoted word. */
const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** An HCL string literal: JSON's escapes, plus HCL's template sequences `\${` and `%{`. */
const hclString = (s: string): string =>
  JSON.stringify(s)
    .replace(/\$\{/g, () => "$${")
    .replace(/%\{/g, () => "%%{");

export function cliConfig(mirrorDir: string): string {
  const hosts = hclString(`${PROVIDER_ADDRESS.host}/*/*`);
  return `provider_installation {
  filesystem_mirror {
    path    = ${hclString(mirrorDir)}
    include = [${hosts}]
  }
  direct {
    exclude = [${hosts}]
  }
}
`;
}

export function terraformMirrorCommand(argv: readonly string[], io: CliIo): number {
  const { values, positionals } = parse(argv);
  if (values.help === true) {
    io.out(USAGE);
    return 0;
  }
  const [target, ...extra] = positionals;
  if (target === undefined) throw new UsageError("terraform-mirror needs a directory");
  if (extra.length > 0) throw new UsageError("terraform-mirror takes one directory");
  const dir = path.resolve(target);
  const packages = layOutMirror({ dir, ...(values.platform !== undefined ? { platforms: values.platform } : {}) });
  const config = cliConfig(dir);
  for (const p of packages) io.out(`Laid out ${PROVIDER_SOURCE} in ${p}`);
  io.out("\nTerraform CLI configuration:\n");
  io.out(config);
  const file = values["cli-config"] !== undefined ? path.resolve(values["cli-config"]) : undefined;
  if (file !== undefined) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, config);
    io.out(`Written to ${file}. Use it with:  export TF_CLI_CONFIG_FILE=${file}`);
  } else {
    io.out("Save it to a file (or pass --cli-config <file>), then:  export TF_CLI_CONFIG_FILE=<that file>");
  }
  io.out(`In your configuration: required_providers { palette = { source = "${PROVIDER_SOURCE}" } }, then terraform init.`);
  return 0;
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { "cli-config": { type: "string" }, platform: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
