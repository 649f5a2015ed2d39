/**
 * `palette-apikeys terraform-release <dir>` and `palette-apikeys terraform-registry <dir>`: the
 * Terraform provider as single executables in signed, registry-shaped archives (cli/release/), and a
 * static registry around them. Every argument, the key and its passphrase are checked before
 * anything is built; the output is staged and moved into place only when complete.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { PROVIDER_SOURCE, SEA_ASSETS, SEA_BOOT_FILE } from "../provider/terraform/distribution";
import { SDK_VERSION } from "../sdk";
import { UsageError, type CliIo } from "./io";
import { writeRelease, type Release } from "./release/artifacts";
import type { SeaInput } from "./release/sea";
import { NODE_VERSION, parsePlatforms, PLATFORMS } from "./release/platforms";
import { checkNamespace, parseBaseUrl, releasePath, requiredProvidersBlock, writeRegistry } from "./release/registry";
import { loadSigner, type Signer } from "./release/sign";
import { checkTarget, writeStaged } from "./release/staging";

export const PASSPHRASE_ENV = "PALETTE_APIKEYS_SIGNING_PASSPHRASE";
const PLATFORM_NAMES = PLATFORMS.map((p) => p.name).join(",");

const COMMON_OPTIONS = `  --platforms <list>     comma-separated, of ${PLATFORM_NAMES}   [default: linux_amd64,linux_arm64]
  -h, --help             show this help

The passphrase of a protected key comes from ${PASSPHRASE_ENV}.
Each executable is Node.js ${NODE_VERSION} (the npm package node-<os>-<arch>, checked against the
registry's integrity, cached under $XDG_CACHE_HOME/palette-apikeys/node-dist) with the provider injected.
<dir> must be new or empty; nothing is left in it when a step fails.`;

export const RELEASE_USAGE = `Usage: palette-apikeys terraform-release <dir> [--platforms <list>] [--signing-key <file>]

Writes the Terraform provider ${PROVIDER_SOURCE} ${SDK_VERSION} as release artifacts to <dir>:
terraform-provider-palette_${SDK_VERSION}_<os>_<arch>.zip per platform, _SHA256SUMS, its binary
detached signature _SHA256SUMS.sig, and _manifest.json: what a provider registry takes.

Options:
  --signing-key <file>   ASCII-armored OpenPGP private key to sign SHA256SUMS with
                         (RSA for HCP Terraform); without it the release is unsigned
${COMMON_OPTIONS}`;

export const REGISTRY_USAGE = `Usage: palette-apikeys terraform-registry <dir> --base-url <url> --signing-key <file> [--namespace <ns>] [--platforms <list>]

Lays out a static Terraform provider registry (protocol v1) in <dir> holding a signed release of
${SDK_VERSION}, for any static host serving <dir> at <url>, and prints the required_providers block.

Options:
  --base-url <url>       where <dir> will be served (http or https)
  --signing-key <file>   ASCII-armored OpenPGP private key (RSA for HCP Terraform)
  --namespace <ns>       the registry namespace                [default: palette-apikeys]
${COMMON_OPTIONS}`;

const built = (file: string): string => path.resolve(__dirname, "..", "terraform", file);

function parse(argv: readonly string[], registry: boolean) {
  try {
    return parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        platforms: { type: "string" },
        "signing-key": { type: "string" },
        help: { type: "boolean", short: "h" },
        ...(registry ? { "base-url": { type: "string" }, namespace: { type: "string" } } : {}),
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

const targetDir = (command: string, positionals: readonly string[]): string => {
  const [target, ...extra] = positionals;
  if (target === undefined) throw new UsageError(`${command} needs a directory`);
  if (extra.length > 0) throw new UsageError(`${command} takes one directory`);
  const dir = path.resolve(target);
  checkTarget(dir);
  return dir;
};

async function signer(file: string | undefined): Promise<Signer | undefined> {
  if (file === undefined) return undefined;
  let armored: string;
  try {
    armored = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`--signing-key ${file}: ${(e as NodeJS.ErrnoException).code ?? "unreadable"}`);
  }
  return loadSigner(armored, process.env[PASSPHRASE_ENV], file);
}

/** The executable's boot and the files it carries as assets, from the build. */
function seaInput(): SeaInput {
  const input = { main: built(SEA_BOOT_FILE), assets: SEA_ASSETS.map(built) };
  const missing = [input.main, ...input.assets].find((f) => !fs.existsSync(f));
  if (missing !== undefined) throw new Error(`no ${missing} (run \`npm run build\`)`);
  return input;
}

const describeRelease = (io: CliIo, dir: string, release: Release, key: Signer | undefined): void => {
  for (const name of [...release.zips.map((z) => z.filename), release.sums, ...(release.signature !== undefined ? [release.signature] : []), release.manifest]) {
    io.out(`  ${path.join(dir, name)}`);
  }
  if (key === undefined) io.out("UNSIGNED: no --signing-key, so no SHA256SUMS.sig. A registry needs the signature; pass --signing-key <armored private key>.");
  else {
    io.out(`Signed with key ID ${key.keyId} (${key.algorithm}).`);
    if (!key.hcpCompatible) io.out("Note: HCP Terraform's private registry accepts only RSA or DSA signing keys.");
  }
};

export async function terraformReleaseCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, false);
  if (values.help === true) {
    io.out(RELEASE_USAGE);
    return 0;
  }
  const dir = targetDir("terraform-release", positionals);
  const platforms = parsePlatforms(values.platforms);
  const key = await signer(values["signing-key"]);
  const sea = seaInput();
  const release = await writeStaged(dir, (staging) => writeRelease(staging, { version: SDK_VERSION, sea, platforms, signer: key, log: io.err }));
  io.out(`Wrote ${PROVIDER_SOURCE} ${SDK_VERSION} to ${dir}:`);
  describeRelease(io, dir, release, key);
  return 0;
}

export async function terraformRegistryCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, true);
  if (values.help === true) {
    io.out(REGISTRY_USAGE);
    return 0;
  }
  const dir = targetDir("terraform-registry", positionals);
  const baseText = values["base-url"];
  if (typeof baseText !== "string") throw new UsageError("terraform-registry needs --base-url <url>");
  const base = parseBaseUrl(baseText);
  const namespace = checkNamespace(typeof values.namespace === "string" ? values.namespace : "palette-apikeys");
  const platforms = parsePlatforms(values.platforms);
  if (values["signing-key"] === undefined) throw new UsageError("terraform-registry needs --signing-key <file>: terraform init accepts only signed packages from a registry");
  const key = await signer(values["signing-key"]);
  if (key === undefined) throw new UsageError("terraform-registry needs --signing-key <file>");
  const sea = seaInput();
  const { release, layout } = await writeStaged(dir, async (staging) => {
    const artifacts = path.join(staging, ...releasePath(SDK_VERSION).split("/"));
    fs.mkdirSync(artifacts, { recursive: true });
    const release = await writeRelease(artifacts, { version: SDK_VERSION, sea, platforms, signer: key, log: io.err });
    return { release, layout: writeRegistry(staging, base, namespace, release, key) };
  });
  io.out(`Laid out a provider registry for ${base.href} in ${dir}:`);
  describeRelease(io, path.join(dir, releasePath(SDK_VERSION)), release, key);
  io.out(`Serve ${dir} at ${base.href}; the documents without an extension are JSON (serve them as application/json).`);
  if (base.pathname !== "/") io.out(`Terraform reads discovery from the host's root: copy .well-known/terraform.json to ${base.origin}/.well-known/terraform.json.`);
  io.out("\nIn your configuration:\n");
  io.out(requiredProvidersBlock(layout.source, SDK_VERSION));
  return 0;
}
