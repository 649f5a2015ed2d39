/**
 * The release artifacts of section "Releasing" (README): per platform a zip holding only the single
 * executable, then SHA256SUMS over the zips, its binary detached signature, and the
 * registry manifest (protocol 6.0). Names follow what registries and `terraform init` expect:
 * `terraform-provider-palette_<version>_<os>_<arch>.zip` and friends.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROVIDER_ADDRESS } from "../../provider/terraform/distribution";
import { stripElf } from "./elf-strip";
import { nodeBinary, type NodeDistOptions } from "./node-dist";
import { hostPlatform, NODE_VERSION, type ReleasePlatform } from "./platforms";
import { seaBlob, writeSea, type SeaInput } from "./sea";
import { verifyDetached, type Signer } from "./sign";
import { writeZip } from "./zip";

const PREFIX = `terraform-provider-${PROVIDER_ADDRESS.type}`;

export const artifactNames = (version: string) => ({
  zip: (p: ReleasePlatform) => `${PREFIX}_${version}_${p.os}_${p.arch}.zip`,
  executable: (p: ReleasePlatform) => `${PREFIX}_v${version}${p.suffix}`,
  sums: `${PREFIX}_${version}_SHA256SUMS`,
  signature: `${PREFIX}_${version}_SHA256SUMS.sig`,
  manifest: `${PREFIX}_${version}_manifest.json`,
});

/** The registry manifest: the provider speaks protocol 6 only. */
export const MANIFEST = `${JSON.stringify({ version: 1, metadata: { protocol_versions: ["6.0"] } }, null, 2)}\n`;

export interface ReleaseInput {
  version: string;
  /** The executable's main script and assets (dist/terraform/sea-boot.js; the bundle, the SDK chunk, OpenPGP). */
  sea: SeaInput;
  platforms: readonly ReleasePlatform[];
  signer?: Signer | undefined;
  nodeDist?: NodeDistOptions;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface ReleasedZip {
  platform: ReleasePlatform;
  filename: string;
  sha256: string;
}

export interface Release {
  version: string;
  zips: ReleasedZip[];
  sums: string;
  signature: string | undefined;
  manifest: string;
}

const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

/** `<sha256 hex>  <name>` lines sorted by name, as `sha256sum` writes them and Terraform reads them. */
export const sha256Sums = (files: ReadonlyMap<string, Buffer>): string =>
  [...files.keys()]
    .sort()
    .map((name) => `${sha256(files.get(name) ?? Buffer.alloc(0))}  ${name}\n`)
    .join("");

/** The node that makes the SEA blobs: the pinned version for this machine, so the blob matches the binaries whatever node runs this command. */
async function generator(workDir: string, nodeDist: NodeDistOptions | undefined): Promise<string> {
  const host = hostPlatform();
  if (host === undefined) {
    if (process.version === `v${NODE_VERSION}`) return process.execPath;
    throw new Error(`no Node.js ${NODE_VERSION} for ${process.platform}-${process.arch} to make the SEA blob with: run this command on linux (x64, arm64) or windows (x64), or under Node.js ${NODE_VERSION}`);
  }
  const file = path.join(workDir, `node-${NODE_VERSION}${host.suffix}`);
  fs.writeFileSync(file, await nodeBinary(host, NODE_VERSION, nodeDist), { mode: 0o755 });
  return file;
}

/** Writes the release into `dir` (which exists); returns what it wrote. */
export async function writeRelease(dir: string, input: ReleaseInput): Promise<Release> {
  const names = artifactNames(input.version);
  const log = input.log ?? (() => undefined);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "palette-sea-"));
  try {
    const blob = seaBlob(input.sea, await generator(work, input.nodeDist), path.join(work, "blob"));
    const files = new Map<string, Buffer>();
    const zips: ReleasedZip[] = [];
    for (const platform of input.platforms) {
      log(`${platform.name}: Node.js ${NODE_VERSION} from ${platform.npmPackage}, injecting the provider`);
      const exe = path.join(work, names.executable(platform));
      // Unloaded sections out (ELF only): Terraform hashes the whole executable before every command.
      await writeSea(stripElf(await nodeBinary(platform, NODE_VERSION, input.nodeDist)), blob, exe);
      const zip = writeZip([{ name: names.executable(platform), data: fs.readFileSync(exe), mode: 0o755 }]);
      fs.rmSync(exe);
      const filename = names.zip(platform);
      fs.writeFileSync(path.join(dir, filename), zip);
      files.set(filename, zip);
      zips.push({ platform, filename, sha256: sha256(zip) });
      log(`${platform.name}: ${filename} (${(zip.length / 1e6).toFixed(1)} MB)`);
    }
    // The manifest stays out of SHA256SUMS: Terraform records a lock-file zh: hash for every line of it.
    fs.writeFileSync(path.join(dir, names.manifest), MANIFEST);
    const sums = Buffer.from(sha256Sums(files));
    fs.writeFileSync(path.join(dir, names.sums), sums);
    let signature: string | undefined;
    if (input.signer !== undefined) {
      const sig = await input.signer.sign(sums);
      // Checked as a registry will check it, so a release never ships a signature its own key rejects.
      await verifyDetached(sums, sig, input.signer.publicKeyArmored);
      fs.writeFileSync(path.join(dir, names.signature), sig);
      signature = names.signature;
    }
    return { version: input.version, zips, sums: names.sums, signature, manifest: names.manifest };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
