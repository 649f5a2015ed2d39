/**
 * The shipped path end to end: the built `palette-apikeys terraform-mirror` lays out the built
 * provider bundle; `terraform init` installs it from there and locks it; `terraform validate`
 * runs it; without node on PATH, or with one older than the package's engines.node, the launcher says
 * so, and Terraform shows it; `providers schema -json` declares the markdown descriptions as markdown.
 * Needs `npm run build` (npm test builds first).
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { noNodeMessage, oldNodeMessage, terraformPlatform } from "../../../cli/terraform-mirror";
import { REPO, tempDir, terraformSuite, terraformWorkspace } from "../../helpers/terraform";

const { suite, version } = terraformSuite(__filename);
const CLI = path.join(REPO, "dist/cli/palette-apikeys.js");

const MAIN_TF = `
terraform {
  required_providers {
    palette = { source = "terraform.local/palette-apikeys/palette" }
  }
}
provider "palette" {}
`;

const PACKAGE = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string; engines: { node: string } };
const PACKAGE_VERSION = PACKAGE.version;
/** engines.node's floor, [major, minor, patch]. */
const FLOOR = PACKAGE.engines.node.replace(/^>=\s*/, "").split(".").map(Number) as [number, number, number];

suite(`palette-apikeys terraform-mirror under terraform ${version ?? "absent"}`, () => {
  jest.setTimeout(60_000);
  let root: string;

  beforeAll(() => {
    if (!fs.existsSync(CLI) || !fs.existsSync(path.join(REPO, "dist/terraform/terraform-provider-palette.js"))) throw new Error("run `npm run build` first");
    root = tempDir("tf-mirror-");
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  /** Lays out a mirror in `<root>/<name>` with the built CLI; returns its CLI configuration file and output. */
  const mirror = (name: string): { config: string; stdout: string } => {
    const config = path.join(root, `${name}.tfrc`);
    const stdout = execFileSync(process.execPath, [CLI, "terraform-mirror", path.join(root, name), "--cli-config", config], { encoding: "utf8" });
    return { config, stdout };
  };

  const initAndHash = async (name: string): Promise<string> => {
    const tf = terraformWorkspace(path.join(root, `${name}-ws`), MAIN_TF, fs.readFileSync(mirror(name).config, "utf8"));
    const init = await tf.run("init", "-input=false");
    if (init.code !== 0) throw new Error(`${init.stdout}\n${init.stderr}`);
    const validate = await tf.run("validate");
    expect(validate).toMatchObject({ code: 0, stdout: expect.stringContaining("The configuration is valid") });
    const lock = fs.readFileSync(path.join(tf.dir, ".terraform.lock.hcl"), "utf8");
    expect(lock).toContain(`version = "${PACKAGE_VERSION}"`);
    return /"(h1:[A-Za-z0-9+/=]{44})"/.exec(lock)?.[1] ?? "no h1 hash";
  };

  test("lays out the package directory with an executable launcher, the bundle, its SDK chunk and OpenPGP, and prints the CLI configuration", () => {
    const { stdout, config } = mirror("m0");
    const pkg = path.join(root, "m0", "terraform.local/palette-apikeys/palette", PACKAGE_VERSION, terraformPlatform() ?? "unsupported");
    expect(fs.readdirSync(pkg).sort()).toEqual(["palette-boot.cjs", "palette-openpgp.cjs", "palette-provider.cjs", "palette-sdk.cjs", `terraform-provider-palette_v${PACKAGE_VERSION}`]);
    expect(fs.statSync(path.join(pkg, `terraform-provider-palette_v${PACKAGE_VERSION}`)).mode & 0o111).toBe(0o111);
    expect(stdout).toContain(`path    = "${path.join(root, "m0")}"`);
    expect(stdout).toContain(`export TF_CLI_CONFIG_FILE=${config}`);
    expect(fs.readFileSync(config, "utf8")).toMatch(/^provider_installation \{/);
  });

  test("terraform init installs it with an h1: hash and validate runs it; a second mirror hashes the same", async () => {
    const first = await initAndHash("m1");
    expect(first).toMatch(/^h1:/);
    expect(await initAndHash("m2")).toBe(first);
  });

  /** Runs `file` with `args` in `cwd` under exactly `env`; never throws on a non-zero exit. */
  const exec = (file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      execFile(file, args, { cwd, env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        resolve({ code: err === null ? 0 : typeof err.code === "number" ? err.code : -1, stdout, stderr });
      });
    });

  /** The launcher of the package laid out in mirror `name`. */
  const launcherIn = (name: string): string =>
    path.join(root, name, "terraform.local/palette-apikeys/palette", PACKAGE_VERSION, terraformPlatform() ?? "unsupported", `terraform-provider-palette_v${PACKAGE_VERSION}`);

  /** A directory for PATH with what the launcher and terraform need (and no node): `dirname` and `terraform`. */
  const binWithout = (name: string): string => {
    const bin = path.join(root, name);
    fs.mkdirSync(bin);
    for (const tool of ["dirname", "terraform"]) {
      const found = execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim();
      fs.symlinkSync(found, path.join(bin, tool));
    }
    return bin;
  };

  /** `terraform validate` in a new workspace of mirror `config` under PATH `bin`, after an init that has this run's node. */
  const validateWith = async (name: string, config: string, bin: string): Promise<{ code: number; stderr: string }> => {
    const ws = path.join(root, `${name}-ws`);
    fs.mkdirSync(ws);
    fs.writeFileSync(path.join(ws, "main.tf"), MAIN_TF);
    const tfEnv = { PATH: bin, HOME: root, TF_CLI_CONFIG_FILE: config, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
    expect((await exec("terraform", ["init", "-input=false", "-no-color"], ws, { ...tfEnv, PATH: `${path.dirname(process.execPath)}${path.delimiter}${bin}` })).code).toBe(0);
    return exec("terraform", ["validate", "-no-color"], ws, tfEnv);
  };

  test("without node on PATH the launcher says what is missing, and terraform shows it", async () => {
    const { config } = mirror("m3");
    const bin = binWithout("no-node-bin");
    expect(noNodeMessage()).toBe(
      `terraform.local/palette-apikeys/palette: no \`node\` on PATH. This provider runs on Node.js >= ${FLOOR.join(".")}: install it and put \`node\` on the PATH terraform runs with.`,
    );
    const direct = await exec(launcherIn("m3"), [], root, { PATH: bin, HOME: root });
    expect(direct).toEqual({ code: 1, stdout: `${noNodeMessage()}\n`, stderr: `${noNodeMessage()}\n` });

    const validate = await validateWith("m3", config, bin);
    expect(validate.code).toBe(1);
    // Terraform wraps long lines.
    expect(validate.stderr.replace(/\s+/g, " ")).toContain(`Unrecognized remote plugin message: ${noNodeMessage()}`);
  });

  test("a node older than engines.node: the launcher names it and the version needed, and terraform shows it", async () => {
    const { config } = mirror("m5");
    const bin = binWithout("old-node-bin");
    const fakeNode = path.join(bin, "node");
    /** Makes `node` on `bin` a stand-in that reports `version`, and otherwise says it ran. */
    const reporting = (version: string): void =>
      fs.writeFileSync(fakeNode, `#!/bin/sh\nif [ "$1" = --version ]; then echo ${version}; exit 0; fi\necho "stand-in node ran"\n`, { mode: 0o755 });
    const launch = () => exec(launcherIn("m5"), [], root, { PATH: bin, HOME: root });

    const [major, minor, patch] = FLOOR;
    const below = patch > 0 ? [major, minor, patch - 1] : minor > 0 ? [major, minor - 1, 99] : [major - 1, 99, 99];
    // Just below the floor, a major below, what Ubuntu 22.04's apt installs, and an ancient one.
    for (const version of [`v${below.join(".")}`, `v${major - 1}.99.99`, "v12.22.9", "v0.10.48"]) {
      reporting(version);
      const message = oldNodeMessage(version, fakeNode);
      expect(await launch()).toEqual({ code: 1, stdout: `${message}\n`, stderr: `${message}\n` });
    }
    expect(oldNodeMessage("v18.19.0", "/usr/bin/node")).toBe(
      `terraform.local/palette-apikeys/palette: the \`node\` on PATH (/usr/bin/node) is v18.19.0. This provider runs on Node.js >= ${FLOOR.join(".")}: install it and put it first on the PATH terraform runs with.`,
    );
    // The floor itself, anything newer, and a version the launcher cannot read run node.
    for (const version of [`v${FLOOR.join(".")}`, `v${major}.${minor + 1}.0`, `v${major + 1}.0.0`, `v${major + 1}.0.0-nightly20250101`, "not-a-version"]) {
      reporting(version);
      expect(await launch()).toEqual({ code: 0, stdout: "stand-in node ran\n", stderr: "" });
    }

    reporting(`v${below.join(".")}`);
    const validate = await validateWith("m5", config, bin);
    expect(validate.code).toBe(1);
    expect(validate.stderr.replace(/\s+/g, " ")).toContain(`Unrecognized remote plugin message: ${oldNodeMessage(`v${below.join(".")}`, fakeNode)}`);
  });

  test("providers schema -json declares the descriptions markdown", async () => {
    const { config } = mirror("m4");
    const ws = path.join(root, "m4-ws");
    fs.mkdirSync(ws);
    fs.writeFileSync(path.join(ws, "main.tf"), MAIN_TF);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`, TF_CLI_CONFIG_FILE: config, CHECKPOINT_DISABLE: "1", XDG_CACHE_HOME: path.join(root, "cache") };
    for (const name of ["TF_LOG", "TF_LOG_PATH", "TF_CLI_ARGS", "TF_DATA_DIR"]) delete env[name];
    expect((await exec("terraform", ["init", "-input=false", "-no-color"], ws, env)).code).toBe(0);
    const r = await exec("terraform", ["providers", "schema", "-json"], ws, env);
    expect(r.code).toBe(0);
    interface Block {
      description?: string;
      description_kind?: string;
      attributes?: Record<string, { description?: string; description_kind?: string }>;
    }
    const doc = JSON.parse(r.stdout) as { provider_schemas: Record<string, { resource_schemas: Record<string, { block: Block }> }> };
    const resource = Object.values(doc.provider_schemas)[0]?.resource_schemas.palette_api_key?.block;
    expect(resource?.description_kind).toBe("markdown");
    const attributes = Object.entries(resource?.attributes ?? {});
    // Backticks: what made the plain kind wrong.
    expect(attributes.filter(([, a]) => a.description?.includes("`"))).not.toEqual([]);
    expect(attributes.filter(([, a]) => a.description_kind !== "markdown").map(([name]) => name)).toEqual([]);
  });
});
