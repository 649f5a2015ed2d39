/**
 * The compatibility contract of the serialized provider: the `__provider` text the BUILT package
 * (dist/, what the tarball ships) puts into every ApiKey's state is exactly the newest text pinned in
 * test/fixtures/serialized-provider/, and every pinned text, as old states hold it, still reaches the
 * current implementation when the provider host loads it. Needs `npm run build`.
 * (test/package/pack.test.ts checks the same text as an installed tarball produces it.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import requireFromString from "require-from-string";
import { currentText, expectPinned, pinnedTexts } from "../helpers/serialized-provider";

const REPO = path.resolve(__dirname, "../..");
const BUILT = path.join(REPO, "dist/provider/index.js");

let produced: unknown;
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      produced = args.inputs.__provider;
      return { id: `uid-${args.name}`, state: args.inputs };
    },
    call: () => ({}),
  },
  "serialized-provider",
  "dev",
  false,
);

beforeAll(() => {
  if (!fs.existsSync(BUILT)) throw new Error("dist/provider/index.js is missing: run `npm run build` first");
});

it("the built ApiKey serializes exactly the newest pinned text", async () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the BUILT package (dist/), loaded after setMocks and once beforeAll found it
  const { ApiKey } = require(BUILT) as typeof import("../../provider");
  const key = new ApiKey("pinned", { expiresIn: "7d" });
  await new Promise((resolve) => key.urn.apply(resolve));
  expect(typeof produced).toBe("string");
  expectPinned(String(produced), "dist/provider/index.js");
});

it("no text is pinned for a version later than package.json's", () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string };
  const newest = currentText().version;
  expect([newest, version].sort((a, b) => a.localeCompare(b, "en", { numeric: true }))[1]).toBe(version);
});

it("CHANGELOG.md records every pinned text", () => {
  const changelog = fs.readFileSync(path.join(REPO, "CHANGELOG.md"), "utf8");
  const unrecorded = pinnedTexts()
    .map((p) => path.relative(REPO, p.file))
    .filter((file) => !changelog.includes(file));
  expect(unrecorded).toEqual([]);
});

describe.each(pinnedTexts().map((p) => [p.version, p.text] as const))("the text pinned for %s", (_version, text) => {
  // As the dynamic-provider host loads it: from a string, with no file name, so by the loader's walk
  // up from the working directory (this checkout) to dist/provider/impl.js.
  const provider = () => (requireFromString(text) as { handler: () => Required<pulumi.dynamic.ResourceProvider> }).handler();

  it("still reaches the current implementation: check names the key, diff plans a re-description in place", async () => {
    const p = provider();
    const checked = await p.check({}, { __logicalName: "pinned", expiresIn: "7d", description: "compat" });
    expect(checked.failures ?? []).toEqual([]);
    expect(checked.inputs).toMatchObject({ name: expect.stringMatching(/^pinned-[a-z0-9]{7}$/), expiresIn: "7d", description: "compat" });
    const diff = await p.diff("uid", checked.inputs, { ...checked.inputs, description: "changed" });
    expect(diff).toMatchObject({ changes: true, replaces: [] });
  });

  it("offers every method the engine calls", () => {
    const p = provider();
    for (const method of ["configure", "check", "diff", "create", "read", "update", "delete"] as const) expect(typeof p[method]).toBe("function");
  });
});
