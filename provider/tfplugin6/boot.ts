/**
 * What a provider's launcher runs: `node boot.js <provider bundle>`, a small script of the provider's
 * own that calls `bootWithCodeCache`. It runs the bundle through a V8 code cache kept per user,
 * because Terraform starts a provider process 2-5 times per command and compiling the bundle (400 KB
 * and more) is most of each start. The first start compiles as usual and saves the cache on exit;
 * later starts skip the compiling.
 *
 * Node 22.1+ does this itself (`module.enableCompileCache`); Node 20 needs vm.Script's cachedData.
 * The cache is keyed by a hash of the bundle's content: V8 checks only the source's length, and a
 * stale cache must never run with a changed bundle. It lives outside the package directory, whose
 * hash Terraform's lock file checks.
 *
 * A module of its own, beside the facade (index.ts) rather than behind it: the facade brings the
 * gRPC server, and the boot script must stay small to start fast.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import Module, { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { Script } from "node:vm";
import { applyPluginV8Flags } from "./plugin/v8-flags";

/** `<XDG_CACHE_HOME or ~/.cache>/<name>/v8`: where a provider named `name` keeps its compiled bundle. */
export function codeCacheDir(name: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), name, "v8");
}

/**
 * Runs the CommonJS bundle at `bundlePath` as `require` would, through a code cache in `cacheDir`.
 * A chunk the bundle requires from its own directory (`require("./chunk.cjs")`, see
 * scripts/bundle-terraform.mjs) goes through the same cache when it is first required.
 */
export function bootWithCodeCache(bundlePath: string, cacheDir: string): void {
  applyPluginV8Flags();
  const bundle = path.resolve(bundlePath);
  const enableCompileCache = (Module as { enableCompileCache?: (directory?: string) => unknown }).enableCompileCache;
  if (typeof enableCompileCache === "function") {
    // Without a directory Node would cache under os.tmpdir() (or $NODE_COMPILE_CACHE), which a reboot or
    // a tmp cleaner empties; the per-user cache directory is where the Node 20 path keeps it too.
    enableCompileCache(cacheDir);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is loaded after the compile cache is enabled, so it is cached (its chunks too: they are required)
    require(bundle);
    return;
  }
  runCached(fileChunks(path.dirname(bundle)), path.basename(bundle), cacheDir, new Map());
}

/**
 * Where a bundle and the chunks it requires as `./<name>.cjs` come from: files side by side (the
 * mirror's launcher), or a single executable's assets (`node:sea`, provider/terraform/sea-main.ts).
 */
export interface ChunkSource {
  /** The source text of a chunk by its name (the bundle's own file name, or `x.cjs` of `require("./x.cjs")`). */
  read(name: string): string;
  /** The `__filename` a chunk sees (`__dirname` is its directory). */
  filename(name: string): string;
  /** `require(id)` of anything but a sibling chunk, from the chunk `name`. */
  requireOther(name: string, id: string): unknown;
}

/** Chunks as files in one directory. */
export function fileChunks(dir: string): ChunkSource {
  return {
    read: (name) => fs.readFileSync(path.join(dir, name), "utf8"),
    filename: (name) => path.join(dir, name),
    requireOther: (name, id) => createRequire(path.join(dir, name))(id),
  };
}

/**
 * Runs the chunk `main` of `source` through the code cache in `cacheDir`, as boot.ts runs a file
 * (what a single executable's boot does: its require() reaches only built-ins, and a code cache
 * made with the release would differ from build to build). Returns its module.
 */
export function bootChunks(source: ChunkSource, main: string, cacheDir: string): Module {
  applyPluginV8Flags();
  return runCached(source, main, cacheDir, new Map());
}

/** Runs one CommonJS chunk through the cache; `loaded` holds the modules already run. */
function runCached(chunks: ChunkSource, name: string, cacheDir: string, loaded: Map<string, Module>): Module {
  const file = chunks.filename(name);
  const mod = new Module(file, module);
  mod.filename = file;
  loaded.set(name, mod);
  const source = chunks.read(name);
  const key = createHash("sha256").update(`${process.version} ${process.arch}\n`).update(source).digest("hex").slice(0, 32);
  const cacheFile = path.join(cacheDir, `${key}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
  // Module.wrap's wrapper, so the bundle sees the CommonJS scope it was built for.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, {
    filename: file,
    ...(cachedData !== undefined ? { cachedData } : {}),
  });
  if (cachedData === undefined || script.cachedDataRejected === true) {
    // On exit the cache also holds the functions this run compiled lazily, so the next start skips those too.
    process.once("exit", () => {
      try {
        fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
        const tmp = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        // No cache this time (read-only home, full disk): the next start compiles again.
      }
    });
  }
  const sibling = (id: string): string | undefined => /^\.\/[^/]+\.cjs$/.exec(id)?.[0].slice(2);
  const required = (id: string): unknown => {
    const chunk = sibling(id);
    if (chunk === undefined) return chunks.requireOther(name, id);
    return (loaded.get(chunk) ?? runCached(chunks, chunk, cacheDir, loaded)).exports;
  };
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  run.call(mod.exports, mod.exports, required, mod, file, path.dirname(file));
  mod.loaded = true;
  return mod;
}
