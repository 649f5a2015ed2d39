/**
 * The package as a user gets it: `npm pack` in a copy of this checkout's files that has no dist/ (the
 * tracked and the new, unignored files, with node_modules linked), so the tarball holds what the
 * `prepare` build makes from sources alone, as for a clean clone or a git install. Then a throwaway
 * project installs the tarball, @pulumi/pulumi and @types/node offline from the machine's npm cache;
 * a consumer program is type-checked there under three module resolutions, and an ApiKey lifecycle
 * runs through the real dynamic-provider host with that project as working directory: exactly what a
 * user's `pulumi up` does, so the serialized provider must find the INSTALLED implementation. The
 * project lives under the OS temp directory, where neither Node's lookup nor the loader's walk up to a
 * checkout can reach this repository's dist/.
 */
import { execFile, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { ProviderClient, secretConfig } from "../../runner/provider-client";
import { urnOf } from "../helpers/urn";
import type { PropertyMap } from "../../runner/wire-values";
import { NO_ENV_CREDENTIALS } from "../helpers/env-credentials";
import { expectPinned } from "../helpers/serialized-provider";
import { INTERNAL_PATHS, PUBLIC_ENTRIES, probeSource, type ProbeReport } from "./fixtures/probe-program";
import { writeOfflineLockfile } from "./support";

const run = promisify(execFile);
const REPO = path.resolve(__dirname, "../..");
const manifest = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as {
  name: string;
  version: string;
  license?: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  bin?: Record<string, string>;
  engines?: Record<string, string>;
};
const PKG = manifest.name;
const TYPE = "pulumi-nodejs:dynamic/palette:ApiKey";
const TSC = path.join(REPO, "node_modules/typescript/bin/tsc");

/** The version of `name` this repository's lockfile installs at the top level. */
function lockedVersion(name: string): string {
  const lock = JSON.parse(fs.readFileSync(path.join(REPO, "package-lock.json"), "utf8")) as { packages: Record<string, { version?: string }> };
  const version = lock.packages[`node_modules/${name}`]?.version;
  if (version === undefined) throw new Error(`${name} is not in package-lock.json`);
  return version;
}

let tmp: string;
let checkout: string;
let project: string;
let installed: string;
let packedFiles: string[];
let report: ProbeReport;
let emu: RunningEmulator;
let host: ProviderClient | undefined;

/** The files of this checkout as git sees them (tracked, or new and not ignored), without dist/ or node_modules. */
async function copyCheckout(to: string): Promise<void> {
  const { stdout } = await run("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO, maxBuffer: 16 << 20 });
  for (const file of new Set(stdout.split("\0").filter((f) => f !== ""))) {
    const from = path.join(REPO, file);
    // A tracked file deleted in the working tree is not part of the checkout any more.
    if (!fs.existsSync(from)) continue;
    fs.mkdirSync(path.dirname(path.join(to, file)), { recursive: true });
    fs.copyFileSync(from, path.join(to, file));
  }
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(to, "node_modules"), "dir");
}

beforeAll(async () => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "pack-test-")));
  checkout = path.join(tmp, "checkout");
  await copyCheckout(checkout);
  if (fs.existsSync(path.join(checkout, "dist"))) throw new Error("the copy of the checkout must start without dist/");

  // `npm pack` runs the `prepare` script, which builds dist/ in the copy.
  const packed = await run("npm", ["pack", "--json", "--pack-destination", tmp], { cwd: checkout, maxBuffer: 16 << 20 });
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error(`npm pack printed no result: ${packed.stderr}`);
  packedFiles = info.files.map((f) => f.path).sort();
  const tarball = path.join(tmp, info.filename);

  project = path.join(tmp, "project");
  installed = path.join(project, "node_modules", PKG);
  fs.mkdirSync(project);
  // A TypeScript project's usual dependencies, at the versions of this repository's lockfile.
  const dependencies = {
    [PKG]: `file:${path.relative(project, tarball)}`,
    "@pulumi/pulumi": lockedVersion("@pulumi/pulumi"),
    "@types/node": lockedVersion("@types/node"),
  };
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "pack-test-project", version: "1.0.0", private: true, dependencies }, null, 2));
  const registry = (await run("npm", ["config", "get", "registry"], { cwd: project })).stdout.trim();
  writeOfflineLockfile({ repo: REPO, project, tarball, manifest, registry });
  await run("npm", ["install", "--offline", "--no-audit", "--no-fund"], { cwd: project, maxBuffer: 16 << 20 });

  fs.writeFileSync(path.join(project, "probe.js"), probeSource(PKG));
  const reportFile = path.join(project, "probe.json");
  await run(process.execPath, ["probe.js", reportFile], { cwd: project });
  report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as ProbeReport;

  emu = await startEmulator({ port: 0 });
}, 300_000);

afterAll(async () => {
  await host?.close();
  await emu?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe("the tarball", () => {
  it("holds dist/, package.json, README.md, CHANGELOG.md and LICENSE only", () => {
    const docs = ["CHANGELOG.md", "LICENSE", "README.md", "package.json"];
    expect(packedFiles.filter((f) => !f.startsWith("dist/"))).toEqual(docs);
    expect(packedFiles).toContain("dist/provider/impl.js");
    expect(packedFiles).toContain("dist/emulator/cli.js");
    // The emulator's API-keys page is read from beside the compiled route at run time.
    for (const f of ["index.html", "app.js", "app.css"]) expect(packedFiles).toContain(`dist/emulator/page/${f}`);
  });

  it("carries the licence package.json declares: the Apache License 2.0 text, with the copyright line", () => {
    expect(manifest.license).toBe("Apache-2.0");
    const licence = fs.readFileSync(path.join(installed, "LICENSE"), "utf8");
    expect(licence.startsWith("Copyright 2026 the pulumi-palette-apikeys authors\n")).toBe(true);
    expect(licence).toContain("Apache License\n                           Version 2.0, January 2004");
    expect(licence).toContain("END OF TERMS AND CONDITIONS");
    expect(fs.readFileSync(path.join(installed, "CHANGELOG.md"), "utf8")).toContain(`## [${manifest.version}]`);
  });

  it("ships the build of the product folders only, with no stale output: no tests, examples, demo or its state, no secrets", () => {
    const stray = packedFiles.filter((f) => {
      if (!f.startsWith("dist/")) return false;
      // The Terraform provider's bundles are built from their entries (sea-boot.js: a single executable's
      // main script), the SDK chunk from the SDK, OpenPGP copied beside them for the module that loads it;
      // everything else by tsc from its own source.
      const bundled: Record<string, string> = {
        "dist/terraform/terraform-provider-palette.js": "provider/terraform/main.ts",
        "dist/terraform/sea-boot.js": "provider/terraform/sea-main.ts",
        "dist/terraform/palette-sdk.cjs": "sdk/index.ts",
        "dist/terraform/boot.js": "provider/terraform/boot-main.ts",
        "dist/terraform/palette-openpgp.cjs": "provider/core/encryption.ts",
      };
      // The emulator's page is copied as it is (scripts/copy-emulator-page.mjs).
      const copied = f.startsWith("dist/emulator/page/") ? f.slice("dist/".length) : undefined;
      const source = bundled[f] ?? copied ?? f.slice("dist/".length).replace(/(\.d\.ts|\.js\.map|\.js)$/, ".ts");
      // A build output without its source is left over from a deleted module (fix: rm -rf dist && npm run build).
      return !/^(sdk|provider|emulator|runner|cli)\//.test(source) || !fs.existsSync(path.join(checkout, source));
    });
    expect(stray).toEqual([]);
    // demo/ runs the repository's examples, which the package does not carry: it stays in the checkout.
    expect(packedFiles.filter((f) => /(^|\/)(test|tests|__tests__|examples|bench|demo|\.demo)\/|\.test\.|\.spec\./.test(f))).toEqual([]);
    expect(packedFiles.filter((f) => /(^|\/)\.(env|npmrc)|\.(pem|key|p12)$|state\.json$/.test(f))).toEqual([]);
  });
});

/**
 * The module resolutions a user's tsconfig may name, each with a `module` setting it allows. node10
 * ignores `exports`, so it sees the subpath entries only through `typesVersions`.
 */
const RESOLUTIONS = {
  node10: { module: "commonjs", moduleResolution: "node" },
  node16: { module: "node16", moduleResolution: "node16" },
  bundler: { module: "esnext", moduleResolution: "bundler" },
} as const;

describe("a consumer program type-checks against the installed declarations", () => {
  it.each(Object.keys(RESOLUTIONS) as (keyof typeof RESOLUTIONS)[])("under moduleResolution %s", async (resolution) => {
    expect(await typeCheck(`project/tsconfig.${resolution}.json`)).toBe("no errors");
  }, 120_000);
});

/**
 * The tsconfig.json `pulumi new typescript` writes (pulumi/templates, typescript/): es2020 (so lib
 * es2020), nodenext, strict, and no skipLibCheck, so every declaration file a program reaches is
 * checked. With interop off as well (as a user of that template reported it: 64 errors, ErrorOptions
 * and zod's locales), the declarations reached from the Pulumi entry and the SDK must not need zod.
 */
const PULUMI_TEMPLATE_TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ["index.ts"],
};

const TEMPLATE_PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { ApiKey } from "${PKG}";
import { isPaletteError, PaletteClient } from "${PKG}/sdk";

const key = new ApiKey("deployer", { expiresIn: "30d" });
export const keyName: pulumi.Output<string> = key.name;
export const client = (host: string, apiKey: string): PaletteClient => new PaletteClient({ host, auth: { apiKey } });
export const palette = (e: unknown): boolean => isPaletteError(e);
`;

const TEMPLATE_VARIANTS = [
  ["as the template writes it", {}],
  ["with interop off", { esModuleInterop: false, allowSyntheticDefaultImports: false }],
] as const;

describe("the stock `pulumi new typescript` project compiles against the installed declarations", () => {
  it.each(TEMPLATE_VARIANTS.map(([label], i) => [label, i] as const))("%s", async (_label, i) => {
    expect(await typeCheck(`pulumi-template-${i}/tsconfig.json`)).toBe("no errors");
  }, 120_000);
});

/**
 * The projects the two describes above check, written into tmp: a consumer project's tsconfig per
 * resolution (the options `tsc --init` writes: strict, skipLibCheck; each with a file of its own name,
 * the fixture's copy), and a `pulumi new typescript` project per variant. Paths relative to tmp.
 */
function writeTypeCheckProjects(): string[] {
  const consumers = (Object.keys(RESOLUTIONS) as (keyof typeof RESOLUTIONS)[]).map((resolution) => {
    const compilerOptions = { target: "es2022", strict: true, skipLibCheck: true, esModuleInterop: true, noEmit: true, types: ["node"], ...RESOLUTIONS[resolution] };
    const file = `consumer.${resolution}.ts`;
    fs.copyFileSync(path.join(__dirname, "fixtures/consumer.ts"), path.join(project, file));
    fs.writeFileSync(path.join(project, `tsconfig.${resolution}.json`), JSON.stringify({ compilerOptions, files: [file] }, null, 2));
    return `project/tsconfig.${resolution}.json`;
  });
  const templates = TEMPLATE_VARIANTS.map(([, extra], i) => {
    const dir = path.join(tmp, `pulumi-template-${i}`);
    fs.mkdirSync(dir);
    fs.symlinkSync(path.join(project, "node_modules"), path.join(dir, "node_modules"), "dir");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "template-project", main: "index.ts" }));
    const tsconfig = { ...PULUMI_TEMPLATE_TSCONFIG, compilerOptions: { ...PULUMI_TEMPLATE_TSCONFIG.compilerOptions, ...extra } };
    fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
    fs.writeFileSync(path.join(dir, "index.ts"), TEMPLATE_PROGRAM);
    return `pulumi-template-${i}/tsconfig.json`;
  });
  return [...consumers, ...templates];
}

/**
 * The five projects are type-checked by ONE `tsc -b --noEmit --force` (started by the first test that
 * asks): build mode checks each project with its own options as `tsc -p` does, but parses a
 * declaration file once for all of them, where five `tsc -p` runs parsed @pulumi/pulumi's and Node's
 * declarations five times (about two thirds of their time). `--verbose` announces each project
 * ("Building project '<tsconfig>'...") before its diagnostics, so each test reads its own project's.
 */
let typeCheckRun: Promise<{ projects: string[]; code: number; output: string }> | undefined;
async function typeCheck(tsconfig: string): Promise<string> {
  typeCheckRun ??= (async () => {
    const projects = writeTypeCheckProjects();
    const args = [TSC, "-b", ...projects, "--noEmit", "--force", "--verbose", "--pretty", "false"];
    return run(process.execPath, args, { cwd: tmp, maxBuffer: 16 << 20 }).then(
      (r) => ({ projects, code: 0, output: r.stdout }),
      (e: { code?: number; stdout?: string }) => ({ projects, code: typeof e.code === "number" ? e.code : -1, output: e.stdout ?? String(e) }),
    );
  })();
  const { projects, code, output } = await typeCheckRun;
  if (!projects.includes(tsconfig)) throw new Error(`${tsconfig} is not one of the type-checked projects`);
  const sections = diagnosticsByProject(output, projects.map((p) => path.join(tmp, p)));
  const own = sections.get(path.join(tmp, tsconfig));
  // Not built at all (tsc stopped before it, or skipped it): its check did not happen.
  if (own === undefined) return `tsc -b did not build ${tsconfig} (exit ${code}):\n${output}`;
  if (own.length > 0) return own.join("\n");
  // A failed run must have named the project it failed for; if none, every project fails.
  if (code !== 0 && [...sections.values()].every((lines) => lines.length === 0)) return `tsc exited ${code}:\n${output}`;
  return "no errors";
}

/**
 * What `tsc -b --verbose` printed for each project: the lines after its progress line
 * "<time> - Building project '<tsconfig>'..." up to the next progress line. A project it never
 * started building has no entry.
 */
function diagnosticsByProject(output: string, tsconfigs: string[]): Map<string, string[]> {
  const progress = /^.{1,40}? - (Projects in this build:|Project '|Building project ')/;
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of output.split("\n")) {
    if (progress.test(line)) {
      const building = tsconfigs.find((t) => line.includes(`Building project '${t}'...`));
      current = undefined;
      if (building !== undefined) sections.set(building, (current = []));
    } else if (current !== undefined && line.trim() !== "") {
      current.push(line);
    }
  }
  return sections;
}

describe("installed into a fresh project, offline", () => {
  it("every public entry loads from the project's node_modules", () => {
    expect(Object.keys(report.entries)).toEqual(PUBLIC_ENTRIES.map((e) => PKG + e));
    for (const { file } of Object.values(report.entries)) expect(file.startsWith(`${installed}${path.sep}`)).toBe(true);
    expect(report.entries[`${PKG}/provider/impl`]?.file).toBe(path.join(installed, "dist/provider/impl.js"));
    expect(report.entries[PKG]?.exports).toContain("ApiKey");
    expect(report.entries[`${PKG}/sdk`]?.exports).toEqual(expect.arrayContaining(["PaletteClient", "isPaletteError"]));
    expect(report.entries[`${PKG}/emulator`]?.exports).toContain("startEmulator");
    expect(report.entries[`${PKG}/provider/impl`]?.exports).toEqual(expect.arrayContaining(["configure", "check", "diff", "create", "read", "update", "delete"]));
    expect(report.pulumi.startsWith(path.join(project, "node_modules", "@pulumi", "pulumi") + path.sep)).toBe(true);
  });

  it("internal modules are not reachable", () => {
    expect(report.internal).toEqual(Object.fromEntries(INTERNAL_PATHS.map((p) => [PKG + p, "ERR_PACKAGE_PATH_NOT_EXPORTED"])));
  });

  it("the installed palette-emulator bin prints its help", async () => {
    const { stdout } = await run(path.join(project, "node_modules", ".bin", "palette-emulator"), ["--help"], { cwd: project });
    expect(stdout).toContain("Usage: palette-emulator [options]");
    expect(stdout).toContain("--port <port>");
  });

  it("the installed pulumi-resource-palette bin starts as the Pulumi engine starts it: its port the first line on stdout", async () => {
    const child = spawn(path.join(project, "node_modules", ".bin", "pulumi-resource-palette"), ["127.0.0.1:1"], { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()).includes("\n") && resolve(out));
        child.once("exit", (code) => reject(new Error(`exited ${code} before printing its port`)));
      });
      expect(first).toMatch(/^\d+\n$/);
    } finally {
      child.kill();
    }
    expect(report.entries[`${PKG}/native`]?.exports).toEqual(expect.arrayContaining(["ApiKey", "Provider", "getUser", "getApiKeys"]));
  });

  it("the installed palette-apikeys bin lays out the Terraform provider mirror from the installed bundle", async () => {
    const mirror = path.join(tmp, "tf-mirror");
    const { stdout } = await run(path.join(project, "node_modules", ".bin", "palette-apikeys"), ["terraform-mirror", mirror], { cwd: project });
    expect(stdout).toContain("provider_installation {");
    const pkg = path.join(mirror, "terraform.local/palette-apikeys/palette", manifest.version);
    const [platform] = fs.readdirSync(pkg);
    const files = fs.readdirSync(path.join(pkg, platform ?? "")).sort();
    expect(files).toEqual(["palette-boot.cjs", "palette-openpgp.cjs", "palette-provider.cjs", "palette-sdk.cjs", `terraform-provider-palette_v${manifest.version}`]);
    for (const [shipped, built] of [["palette-provider.cjs", "terraform-provider-palette.js"], ["palette-openpgp.cjs", "palette-openpgp.cjs"], ["palette-sdk.cjs", "palette-sdk.cjs"]]) {
      expect(fs.readFileSync(path.join(pkg, platform ?? "", shipped ?? ""))).toEqual(fs.readFileSync(path.join(installed, "dist/terraform", built ?? "")));
    }
    // The launcher's Node.js floor is the installed package.json's engines.node, found by the package's own name.
    const floor = manifest.engines?.node?.replace(/^>=\s*/, "") ?? "no engines.node";
    expect(fs.readFileSync(path.join(pkg, platform ?? "", files[4] ?? ""), "utf8")).toContain(`This provider runs on Node.js >= ${floor}:`);
  });
});

describe("without @pulumi/pulumi (a Terraform-only install)", () => {
  /** The installed package with its dependencies and nothing else: no @pulumi/pulumi anywhere up the tree. */
  let bare: string;
  const node = (dir: string, source: string) =>
    run(process.execPath, ["-e", source], { cwd: dir }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" }),
    );
  beforeAll(() => {
    bare = path.join(tmp, "terraform-only");
    const modules = path.join(bare, "node_modules");
    fs.cpSync(installed, path.join(modules, PKG), { recursive: true });
    // Symlinks resolve to their real paths, so each dependency finds its own dependencies in the project.
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      fs.mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
      fs.symlinkSync(path.join(project, "node_modules", dep), path.join(modules, dep), "dir");
    }
  });

  it("the peer is optional, so npm does not install it for Terraform users", () => {
    const packed = JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8")) as typeof manifest;
    expect(packed.peerDependencies).toHaveProperty("@pulumi/pulumi");
    expect(packed.peerDependenciesMeta).toEqual({ "@pulumi/pulumi": { optional: true } });
  });

  it("the Pulumi entry names the missing package and the install command", async () => {
    const r = await node(bare, `require(${JSON.stringify(PKG)})`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("the Pulumi resource (ApiKey) needs @pulumi/pulumi, which is not installed");
    expect(r.stderr).toContain("npm install @pulumi/pulumi");
  });

  it("the SDK and the palette-apikeys bin work", async () => {
    const sdk = await node(bare, `console.log(typeof require(${JSON.stringify(`${PKG}/sdk`)}).PaletteClient)`);
    expect(sdk).toMatchObject({ code: 0, stdout: "function\n" });
    const bin = path.join(bare, "node_modules", PKG, "dist/cli/palette-apikeys.js");
    const { stdout } = await run(process.execPath, [bin, "terraform-mirror", path.join(bare, "mirror")], { cwd: bare });
    expect(stdout).toContain("provider_installation {");
  });
});

describe("an ApiKey lifecycle through the provider host, working directory = the project", () => {
  it("configure, check, create, read, update, delete; the serialized provider ran the installed implementation", async () => {
    const inputs = report.inputs as PropertyMap;
    const serialized = String(inputs.__provider);
    // What every user's state holds: the pinned text (see test/package/serialized-provider.test.ts).
    expectPinned(serialized, "the installed package");
    // No path of this machine is frozen into state.
    expect(serialized).not.toContain(REPO);
    expect(serialized).not.toContain(tmp);

    // NODE_DEBUG=module makes the host log every file it loads: the proof of which copy ran.
    host = await ProviderClient.start({ cwd: project, env: { ...NO_ENV_CREDENTIALS, NODE_DEBUG: "module" }, project: "pack-probe" });
    await host.configure({ "palette:host": emu.url, "palette:apiKey": secretConfig(emu.accounts.admin.apiKey) });
    const urn = urnOf({ project: "pack-probe", stack: "dev", type: TYPE, name: "packaged" });

    const checked = await host.check(urn, {}, inputs);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs).toMatchObject({ description: "made by the installed package", expiresIn: "7d", name: expect.stringMatching(/^packaged-[a-z0-9]{7}$/) });

    const created = await host.create(urn, checked.inputs);
    const value = String(created.properties.key);
    expect(value).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(emu.keys().filter((k) => !k.seeded)).toEqual([expect.objectContaining({ uid: created.id, name: checked.inputs.name, active: true })]);

    const read = await host.read(created.id, urn, created.properties, checked.inputs);
    expect(read.id).toBe(created.id);
    expect(read.properties).toMatchObject({ uid: created.id, description: "made by the installed package", status: "active", key: value });

    const edited = { ...checked.inputs, description: "edited in place" };
    expect(await host.diff(created.id, urn, read.properties, edited, checked.inputs)).toEqual({ changes: "some", replaces: [], deleteBeforeReplace: false, diffs: [] });
    const updated = await host.update(created.id, urn, read.properties, edited, checked.inputs);
    expect(updated.properties).toMatchObject({ uid: created.id, description: "edited in place", key: value });
    expect(emu.keys().find((k) => k.uid === created.id)?.description).toBe("edited in place");

    await host.delete(created.id, urn, updated.properties);
    expect(emu.keys().filter((k) => !k.seeded)).toEqual([]);

    const loaded = [...host.output.stderr.matchAll(/load "([^"]+)" for module/g)].map((m) => m[1] as string);
    // (The host program itself is this repository's @pulumi/pulumi, as runner/provider-client.ts starts it.)
    const fromInstalled = loaded.filter((f) => f.startsWith(`${installed}${path.sep}`));
    expect(fromInstalled).toContain(path.join(installed, "dist/provider/impl.js"));
    expect(fromInstalled).toContain(path.join(installed, "dist/sdk/index.js"));
    expect(loaded.filter((f) => f.startsWith(path.join(REPO, "dist") + path.sep))).toEqual([]);
    expect(host.output.stdout + host.output.stderr).not.toContain(value);
  });
});
