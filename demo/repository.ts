/**
 * Where the demos find the repository they show (its examples, Pulumi.yaml, the `.demo` folders):
 * they run from its build, not from a working directory the user chose.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** This package's root: the demos run from dist/demo/ (or demo/ under ts-node). */
export function findRepository(from: string): string {
  for (let dir = from, up = ""; dir !== up; up = dir, dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest) && (JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: unknown }).name === "pulumi-palette-apikeys") return dir;
  }
  throw new Error(`cannot find the pulumi-palette-apikeys repository above ${from}`);
}
