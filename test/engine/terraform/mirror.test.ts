/**
 * The shipped path end to end: the built `palette-apikeys terraform-mirror` lays out the built
 * provider bundle; `terraform init` installs it from there and locks it; `terraform validate`
 * runs it. Needs `npm run build` (npm test builds first).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { terraformPlatform } from "../../../cli/terraform-mirror";
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

const PACKAGE_VERSION = (JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string }).version;

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

  test("lays out the package directory with an executable launcher and the bundle, and prints the CLI configuration", () => {
    const { stdout, config } = mirror("m0");
    const pkg = path.join(root, "m0", "terraform.local/palette-apikeys/palette", PACKAGE_VERSION, terraformPlatform() ?? "unsupported");
    expect(fs.readdirSync(pkg).sort()).toEqual(["palette-boot.cjs", "palette-provider.cjs", `terraform-provider-palette_v${PACKAGE_VERSION}`]);
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
});
