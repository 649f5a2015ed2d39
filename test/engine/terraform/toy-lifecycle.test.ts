/**
 * The tfplugin6 layer under the real `terraform` CLI: a toy provider (test/engine/terraform/fixtures)
 * that imports nothing but the layer's facade (and its boot script the layer's boot module),
 * bundled and laid out in a filesystem mirror by the same code as the Palette provider, through
 * init, apply, a clean plan, an in-place update, import, a replacement, drift, a diagnostic with
 * its config location, and destroy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { cliConfig, layOutMirror } from "../../../cli/terraform-mirror";
import { bundle, tempDir, terraformSuite, terraformWorkspace, type TerraformWorkspace } from "../../helpers/terraform";

const { suite, version } = terraformSuite(__filename);

const MAIN_TF = `
terraform {
  required_providers {
    toy = { source = "terraform.local/palette-apikeys/palette" }
  }
}
variable "name" {
  type    = string
  default = "one"
}
variable "kind" {
  type    = string
  default = "a"
}
provider "toy" {
  store = "\${path.module}/store.json"
}
resource "toy_thing" "a" {
  name = var.name
  kind = var.kind
  tags = { team = "platform" }
}
data "toy_echo" "e" {
  text = toy_thing.a.name
}
output "id"    { value = toy_thing.a.id }
output "upper" { value = data.toy_echo.e.upper }
`;

suite(`toy provider under terraform ${version ?? "absent"}`, () => {
  jest.setTimeout(60_000);
  let root: string;
  let tf: TerraformWorkspace;
  type Stored = Record<string, { name: string; kind: string | null; tags: Record<string, string> | null }>;
  const store = (): Stored => JSON.parse(fs.readFileSync(path.join(tf.dir, "store.json"), "utf8")) as Stored;
  const outputs = async (): Promise<Record<string, { value: unknown }>> => JSON.parse((await tf.run("output", "-json")).stdout) as Record<string, { value: unknown }>;
  const expectOk = (r: { code: number; stdout: string; stderr: string }): void => {
    if (r.code !== 0) throw new Error(`terraform exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  };

  beforeAll(() => {
    root = tempDir("tf-toy-");
    const mirror = path.join(root, "mirror");
    layOutMirror({
      dir: mirror,
      bundle: bundle("test/engine/terraform/fixtures/toy-main.ts", path.join(root, "toy.js")),
      boot: bundle("test/engine/terraform/fixtures/toy-boot.ts", path.join(root, "boot.js")),
      version: "0.0.1",
    });
    tf = terraformWorkspace(root, MAIN_TF, cliConfig(mirror));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  test("init installs the provider from the mirror and locks it with an h1: hash", async () => {
    expectOk(await tf.run("init", "-input=false"));
    expect(fs.readFileSync(path.join(tf.dir, ".terraform.lock.hcl"), "utf8")).toMatch(/provider "terraform\.local\/palette-apikeys\/palette"[\s\S]*version = "0\.0\.1"[\s\S]*"h1:[A-Za-z0-9+/=]{44}"/);
  });

  test("apply creates the thing (id unknown until apply) and reads the data source", async () => {
    const r = await tf.run("apply", "-auto-approve", "-input=false");
    expectOk(r);
    expect(r.stdout).toMatch(/id\s+= \(known after apply\)/);
    expect(r.stdout).toContain("Apply complete! Resources: 1 added, 0 changed, 0 destroyed.");
    const out = await outputs();
    expect(out.upper?.value).toBe("ONE");
    expect(store()[String(out.id?.value)]).toEqual({ name: "one", kind: "a", tags: { team: "platform" } });
    // The launcher's boot script left its compile cache for the next starts.
    expect(fs.readdirSync(path.join(root, "cache/toy/v8")).length).toBeGreaterThan(0);
  });

  test("a plan right after apply is clean (exit 0)", async () => {
    expect((await tf.run("plan", "-detailed-exitcode", "-input=false")).code).toBe(0);
  });

  test("changing the name updates in place, keeping the id", async () => {
    const before = (await outputs()).id?.value;
    const r = await tf.run("apply", "-auto-approve", "-input=false", "-var", "name=two");
    expectOk(r);
    expect(r.stdout).toMatch(/~ update in-place/);
    expect(r.stdout).toContain("Resources: 0 added, 1 changed, 0 destroyed.");
    expect((await outputs()).id?.value).toBe(before);
    expect(store()[String(before)]?.name).toBe("two");
  });

  test("import adopts an existing object by id; the plan after it is clean", async () => {
    const id = String((await outputs()).id?.value);
    expectOk(await tf.run("state", "rm", "toy_thing.a"));
    const r = await tf.run("import", "-input=false", "-var", "name=two", "toy_thing.a", id);
    expectOk(r);
    expect(r.stdout).toContain("Import successful!");
    expect((await tf.run("plan", "-detailed-exitcode", "-input=false", "-var", "name=two")).code).toBe(0);
  });

  test("changing a replace-only attribute replaces the object", async () => {
    const before = String((await outputs()).id?.value);
    const r = await tf.run("apply", "-auto-approve", "-input=false", "-var", "name=two", "-var", "kind=b");
    expectOk(r);
    expect(r.stdout).toMatch(/-\/\+ resource "toy_thing" "a"[\s\S]*# forces replacement/);
    expect(r.stdout).toContain("Resources: 1 added, 0 changed, 1 destroyed.");
    const after = String((await outputs()).id?.value);
    expect(after).not.toBe(before);
    expect(Object.keys(store())).toEqual([after]);
  });

  test("an object deleted behind Terraform's back is read as gone and planned again", async () => {
    const saved = fs.readFileSync(path.join(tf.dir, "store.json"), "utf8");
    fs.writeFileSync(path.join(tf.dir, "store.json"), "{}");
    const r = await tf.run("plan", "-detailed-exitcode", "-input=false", "-var", "name=two", "-var", "kind=b");
    fs.writeFileSync(path.join(tf.dir, "store.json"), saved);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/has been deleted[\s\S]*will be created/);
  });

  test("a diagnostic with an attribute path is shown at its place in the configuration", async () => {
    const r = await tf.run("plan", "-input=false", "-var", "name=");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Error: name must not be empty[\s\S]*on main\.tf line 19, in resource "toy_thing" "a":/);
  });

  test("destroy deletes it", async () => {
    const r = await tf.run("destroy", "-auto-approve", "-input=false", "-var", "name=two", "-var", "kind=b");
    expectOk(r);
    expect(r.stdout).toContain("Destroy complete! Resources: 1 destroyed.");
    expect(store()).toEqual({});
  });
});
