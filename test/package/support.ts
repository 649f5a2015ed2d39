/**
 * A package-lock.json for a throwaway project that installs this package's tarball and @pulumi/pulumi,
 * pinned to exactly the versions in this repository's lockfile, so that `npm install --offline` needs
 * nothing but the tarballs `npm ci` has put into the machine's npm cache.
 *
 * Why not let npm resolve: offline, npm resolves version ranges from whatever packuments are cached.
 * After `npm ci` (which reads our lockfile) there may be none, or stale ones from an earlier install that
 * name newer versions whose tarballs were never downloaded (seen here: protobufjs' `@types/node >=13.7.0`
 * resolved to a release whose `undici-types` was not cached -> ENOTCACHED). Our lockfile also records no
 * `resolved` URLs, so each entry gets its registry tarball URL back; npm then reads the tarball from the
 * cache by its integrity, offline.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

interface Manifest {
  name: string;
  version: string;
  license?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
}

export interface OfflineLockOptions {
  /** This repository (its package-lock.json is the source of every version). */
  repo: string;
  /** The throwaway project: its package.json is read, its package-lock.json written. */
  project: string;
  /** The packed tarball of this package, and the manifest packed in it. */
  tarball: string;
  manifest: Manifest;
  /** Registry base URL for the `resolved` fields, e.g. "https://registry.npmjs.org/". */
  registry: string;
}

/** Writes `<project>/package-lock.json`; returns how many packages it pins. */
export function writeOfflineLockfile(o: OfflineLockOptions): number {
  const source = (JSON.parse(fs.readFileSync(path.join(o.repo, "package-lock.json"), "utf8")) as { packages: Record<string, LockEntry> }).packages;
  const root = JSON.parse(fs.readFileSync(path.join(o.project, "package.json"), "utf8")) as Manifest;
  const registry = o.registry.endsWith("/") ? o.registry : `${o.registry}/`;
  const packages: Record<string, LockEntry> = {};

  packages[`node_modules/${o.manifest.name}`] = {
    version: o.manifest.version,
    resolved: `file:${path.relative(o.project, o.tarball)}`,
    integrity: `sha512-${crypto.createHash("sha512").update(fs.readFileSync(o.tarball)).digest("base64")}`,
    ...(o.manifest.license ? { license: o.manifest.license } : {}),
    ...(o.manifest.dependencies ? { dependencies: o.manifest.dependencies } : {}),
    ...(o.manifest.peerDependencies ? { peerDependencies: o.manifest.peerDependencies } : {}),
    ...(o.manifest.bin ? { bin: o.manifest.bin } : {}),
    ...(o.manifest.engines ? { engines: o.manifest.engines } : {}),
  };

  // Node's lookup: <from>/node_modules/<name>, then each enclosing node_modules, up to the top.
  const locate = (from: string, name: string): string | undefined => {
    for (let dir = from; ; ) {
      const candidate = `${dir === "" ? "" : `${dir}/`}node_modules/${name}`;
      if (source[candidate]) return candidate;
      if (dir === "") return undefined;
      const cut = dir.lastIndexOf("/node_modules/");
      dir = cut < 0 ? "" : dir.slice(0, cut);
    }
  };
  const pending: [from: string, name: string][] = Object.keys({ ...root.dependencies, ...o.manifest.dependencies })
    .filter((name) => name !== o.manifest.name)
    .map((name) => ["", name]);
  // A bounded walk: each lockfile entry is added at most once.
  while (pending.length > 0) {
    const [from, name] = pending.shift() as [string, string];
    const at = locate(from, name);
    if (at === undefined) throw new Error(`${name} (needed by ${from || "the project"}) is not in ${o.repo}/package-lock.json`);
    if (packages[at]) continue;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = source[at] as LockEntry;
    const packageName = at.slice(at.lastIndexOf("node_modules/") + "node_modules/".length);
    entry.resolved ??= `${registry}${packageName}/-/${packageName.split("/").pop()}-${entry.version}.tgz`;
    packages[at] = entry;
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) pending.push([at, dep]);
    for (const dep of Object.keys(entry.peerDependencies ?? {})) {
      if (!entry.peerDependenciesMeta?.[dep]?.optional) pending.push([at, dep]);
    }
  }

  const sorted = Object.fromEntries(Object.keys(packages).sort().map((k) => [k, packages[k]]));
  const lock = {
    name: root.name,
    version: root.version,
    lockfileVersion: 3,
    requires: true,
    packages: { "": { name: root.name, version: root.version, dependencies: root.dependencies }, ...sorted },
  };
  fs.writeFileSync(path.join(o.project, "package-lock.json"), `${JSON.stringify(lock, null, 2)}\n`);
  return Object.keys(packages).length;
}
