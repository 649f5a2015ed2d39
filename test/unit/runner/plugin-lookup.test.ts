import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findProviderPlugin } from "../../../runner/plugin-lookup";

describe("findProviderPlugin: the engine's order (Pulumi.yaml plugins.providers, PATH), then node_modules/.bin", () => {
  let root: string;
  const executable = (file: string): string => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "#!/bin/sh\n", { mode: 0o755 });
    return file;
  };
  const project = (yaml?: string): string => {
    const dir = fs.mkdtempSync(path.join(root, "project-"));
    if (yaml !== undefined) fs.writeFileSync(path.join(dir, "Pulumi.yaml"), yaml);
    return dir;
  };

  beforeAll(() => (root = fs.mkdtempSync(path.join(os.tmpdir(), "plugin-lookup-"))));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it("takes the project plugin first, its path relative to the project, before PATH and node_modules/.bin", () => {
    const dir = project("name: p\nruntime: nodejs\nplugins:\n  providers:\n    - name: palette\n      path: ./plugins\n");
    const own = executable(path.join(dir, "plugins", "pulumi-resource-palette"));
    const onPath = executable(path.join(root, "path-a", "pulumi-resource-palette"));
    executable(path.join(dir, "node_modules", ".bin", "pulumi-resource-palette"));
    expect(findProviderPlugin("palette", dir, path.dirname(onPath))).toEqual({ path: own, source: "Pulumi.yaml plugins.providers" });
  });

  it("then the first PATH entry that holds an executable pulumi-resource-<name>, then node_modules/.bin", () => {
    const dir = project("name: p\nruntime: nodejs\n");
    const notExecutable = path.join(root, "path-b", "pulumi-resource-toy");
    fs.mkdirSync(path.dirname(notExecutable), { recursive: true });
    fs.writeFileSync(notExecutable, "", { mode: 0o644 });
    const second = executable(path.join(root, "path-c", "pulumi-resource-toy"));
    const envPath = [path.dirname(notExecutable), path.dirname(second)].join(path.delimiter);
    expect(findProviderPlugin("toy", dir, envPath)).toEqual({ path: second, source: "PATH" });
    const bin = executable(path.join(dir, "node_modules", ".bin", "pulumi-resource-other"));
    expect(findProviderPlugin("other", dir, envPath)).toEqual({ path: bin, source: "node_modules/.bin" });
  });

  it("says where it looked and how to provide the plugin; a project plugin without the binary is an error of its own", () => {
    const dir = project();
    expect(() => findProviderPlugin("missing", dir, "")).toThrow(/no plugin for package "missing": pulumi-resource-missing is neither .* nor on PATH, nor in .*node_modules\/\.bin\. Install/);
    const named = project("name: p\nplugins:\n  providers:\n    - name: gone\n      path: ./nowhere\n");
    expect(() => findProviderPlugin("gone", named, "")).toThrow(/plugins\.providers names gone at .*nowhere, but .*pulumi-resource-gone is not an executable file/);
  });
});
