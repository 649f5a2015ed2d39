/**
 * `palette-apikeys terraform-release` and `terraform-registry` on bad input: exit 2 with the reason,
 * before anything is built, and nothing written (neither the directory nor a staging directory).
 * What they build is tested under the real terraform in test/engine/terraform/release.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as OpenPgp from "openpgp" with { "resolution-mode": "import" };
import { runCli } from "../../../cli/palette-apikeys";
import { writeStaged } from "../../../cli/release/staging";
import { PASSPHRASE_ENV } from "../../../cli/terraform-release";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- openpgp's types are an ES module's; its CommonJS build is what jest can load
const openpgp = require("openpgp") as typeof OpenPgp;

let root: string;
let keys: { protectedKey: string; publicKey: string };
beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "tf-release-cli-"));
  const key = await openpgp.generateKey({ type: "ecc", curve: "ed25519Legacy", userIDs: [{ name: "cli test" }], passphrase: "open sesame", format: "armored" });
  keys = { protectedKey: path.join(root, "key.asc"), publicKey: path.join(root, "pub.asc") };
  fs.writeFileSync(keys.protectedKey, key.privateKey);
  fs.writeFileSync(keys.publicKey, key.publicKey);
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
afterEach(() => delete process.env[PASSPHRASE_ENV]);

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** Everything under root but the keys. */
const written = (): string[] => fs.readdirSync(root).filter((f) => !f.endsWith(".asc"));

test.each([
  ["an unknown platform", ["terraform-release", "out", "--platforms", "linux_amd64,plan9_mips"], /unknown platform plan9_mips/],
  ["a public key", ["terraform-release", "out", "--signing-key", "pub.asc"], /pub\.asc is a public key/],
  ["a missing key file", ["terraform-release", "out", "--signing-key", "nope.asc"], /--signing-key nope\.asc: ENOENT/],
  ["a protected key without the passphrase", ["terraform-release", "out", "--signing-key", "key.asc"], /protected by a passphrase: set PALETTE_APIKEYS_SIGNING_PASSPHRASE/],
  ["no directory", ["terraform-release"], /needs a directory/],
  ["a non-http base URL", ["terraform-registry", "reg", "--base-url", "ftp://r.example/", "--signing-key", "key.asc"], /--base-url must be http\(s\), not ftp/],
  ["no base URL", ["terraform-registry", "reg", "--signing-key", "key.asc"], /needs --base-url/],
  ["no key for a registry", ["terraform-registry", "reg", "--base-url", "https://r.example/"], /needs --signing-key/],
  ["a bad namespace", ["terraform-registry", "reg", "--base-url", "https://r.example/", "--namespace", "Bad_NS", "--signing-key", "key.asc"], /lower-case letters/],
])("%s: exit 2 with the reason, nothing written", async (_, argv, reason) => {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(reason);
    expect(written()).toEqual([]);
  } finally {
    process.chdir(cwd);
  }
});

test("a wrong passphrase: exit 2 naming the variable and not the passphrase", async () => {
  process.env[PASSPHRASE_ENV] = "not the passphrase";
  const r = await run("terraform-registry", path.join(root, "reg"), "--base-url", "https://r.example/", "--signing-key", keys.protectedKey);
  expect(r).toMatchObject({ code: 2, err: expect.stringContaining(`${PASSPHRASE_ENV} does not open`) });
  expect(r.err).not.toContain("not the passphrase");
  expect(written()).toEqual([]);
});

test("a directory that is not empty: exit 2, and it is left as it was", async () => {
  const dir = path.join(root, "full");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "keep"), "x");
  const r = await run("terraform-release", dir);
  expect(r).toMatchObject({ code: 2, err: expect.stringContaining("is not empty") });
  expect(fs.readdirSync(dir)).toEqual(["keep"]);
  fs.rmSync(dir, { recursive: true });
});

test("a step failing half-way leaves neither the directory nor the staging directory", async () => {
  const dir = path.join(root, "half");
  await expect(
    writeStaged(dir, async (staging) => {
      fs.writeFileSync(path.join(staging, "first.zip"), "written");
      throw new Error("the second platform failed");
    }),
  ).rejects.toThrow("the second platform failed");
  expect(written()).toEqual([]);
  expect(await writeStaged(dir, async (staging) => fs.writeFileSync(path.join(staging, "a"), "1"))).toBeUndefined();
  expect(fs.readdirSync(dir)).toEqual(["a"]);
  expect(fs.statSync(dir).mode & 0o777).toBe(0o755);
  fs.rmSync(dir, { recursive: true });
});

test("--help of both commands names every option", async () => {
  expect((await run("terraform-release", "--help")).out).toMatch(/--platforms[\s\S]*--signing-key[\s\S]*PALETTE_APIKEYS_SIGNING_PASSPHRASE/);
  expect((await run("terraform-registry", "--help")).out).toMatch(/--base-url[\s\S]*--signing-key[\s\S]*--namespace[\s\S]*--platforms/);
});
