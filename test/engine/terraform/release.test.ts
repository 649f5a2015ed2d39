/**
 * The released provider end to end: the built `palette-apikeys terraform-registry` lays out a signed
 * registry with the linux_amd64 single executable (built once for this file: about 15-40 s, most of
 * it deflating 128 MB); a static server serves it over loopback HTTP (through the CLI
 * configuration's `host` block) and HTTPS (a test CA through SSL_CERT_FILE, and the printed
 * `required_providers` source); `terraform init` installs and authenticates it; a tampered zip or a
 * signature by another key fails init; apply, plan, import and destroy run with no node on PATH and
 * a NODE_OPTIONS that node itself refuses; the executable runs its files through a per-user code
 * cache, and its blob is the same bytes when made twice.
 * Needs `npm run build`, `openssl`, and the npm registry once (the node tarball is cached in the
 * temporary directory across runs).
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type * as OpenPgp from "openpgp" with { "resolution-mode": "import" };
import { elfSections } from "../../../cli/release/elf-strip";
import { nodeBinary } from "../../../cli/release/node-dist";
import { hostPlatform, NODE_VERSION } from "../../../cli/release/platforms";
import { seaBlob } from "../../../cli/release/sea";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { SEA_ASSETS, SEA_BOOT_FILE } from "../../../provider/terraform/distribution";
import { credentialsEnv, CLI, tempRoot, terraformSuite, Workspace } from "../../helpers/terraform-palette";

// eslint-disable-next-line @typescript-eslint/no-require-imports -- openpgp's types are an ES module's; its CommonJS build is what jest can load
const openpgp = require("openpgp") as typeof OpenPgp;

const { suite } = terraformSuite(__filename);
// The node tarballs, kept across runs.
const NODE_CACHE = path.join(os.tmpdir(), "palette-apikeys-release-test-cache");
const VERSION = (JSON.parse(fs.readFileSync(path.join(__dirname, "../../../package.json"), "utf8")) as { version: string }).version;
const ZIP = `terraform-provider-palette_${VERSION}_linux_amd64.zip`;
const SUMS = `terraform-provider-palette_${VERSION}_SHA256SUMS`;

/** Serves `dir` read-only; documents without an extension as JSON, like a static host configured for a registry. `overrides` replaces a path's bytes. */
function staticServer(dir: string, overrides: Map<string, Buffer>): http.RequestListener {
  return (req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const file = path.join(dir, ...urlPath.split("/").filter((s) => s !== "" && s !== ".."));
    const body = overrides.get(urlPath) ?? (fs.existsSync(file) && fs.statSync(file).isFile() ? fs.readFileSync(file) : undefined);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const ext = path.extname(file);
    res.writeHead(200, { "content-type": ext === "" || ext === ".json" ? "application/json" : "application/octet-stream", "content-length": body.length });
    res.end(body);
  };
}

const listen = (server: http.Server): Promise<number> =>
  new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));

/** A CA and a `localhost` server certificate signed by it, by the openssl CLI. */
function testCa(dir: string): { ca: string; key: string; cert: string } {
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  ssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=palette test CA",
    "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
  ssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", f("srv.key"), "-out", f("srv.csr"), "-subj", "/CN=localhost");
  fs.writeFileSync(f("ext.cnf"), "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  ssl("x509", "-req", "-in", f("srv.csr"), "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-CAcreateserial", "-out", f("srv.pem"), "-days", "2", "-extfile", f("ext.cnf"));
  return { ca: f("ca.pem"), key: f("srv.key"), cert: f("srv.pem") };
}

/** A directory for PATH holding only `terraform`: no node. */
function binWithoutNode(root: string): string {
  const bin = path.join(root, "bin-no-node");
  fs.mkdirSync(bin);
  fs.symlinkSync(execFileSync("sh", ["-c", "command -v terraform"], { encoding: "utf8" }).trim(), path.join(bin, "terraform"));
  return bin;
}

suite("a signed registry from terraform-registry, installed by terraform init", () => {
  jest.setTimeout(240_000);
  let root: string;
  let registry: string;
  let emu: RunningEmulator;
  let keyId: string;
  let otherKey: OpenPgp.PrivateKey;
  let printed: string;
  let httpPort: number;
  let httpsPort: number;
  let ca: string;
  let noNode: string;
  const overrides = new Map<string, Buffer>();
  const servers: http.Server[] = [];

  beforeAll(async () => {
    if (!fs.existsSync(CLI)) throw new Error("run `npm run build` first");
    root = tempRoot("tf-release-");
    registry = path.join(root, "registry");
    noNode = binWithoutNode(root);
    const [rsa, other] = await Promise.all([
      openpgp.generateKey({ type: "rsa", rsaBits: 2048, userIDs: [{ name: "Palette release test" }], passphrase: "test passphrase", format: "armored" }),
      openpgp.generateKey({ type: "ecc", curve: "ed25519Legacy", userIDs: [{ name: "Someone else" }], format: "object" }),
    ]);
    otherKey = other.privateKey;
    keyId = (await openpgp.readKey({ armoredKey: rsa.publicKey })).getKeyID().toHex().toUpperCase();
    fs.writeFileSync(path.join(root, "signing.asc"), rsa.privateKey);

    const tls = testCa(root);
    ca = tls.ca;
    const plain = http.createServer(staticServer(registry, overrides));
    const secure = https.createServer({ key: fs.readFileSync(tls.key), cert: fs.readFileSync(tls.cert) }, staticServer(registry, overrides));
    servers.push(plain, secure);
    [httpPort, httpsPort] = await Promise.all([listen(plain), listen(secure)]);

    printed = execFileSync(process.execPath, [CLI, "terraform-registry", registry, "--base-url", `https://localhost:${httpsPort}/`, "--platforms", "linux_amd64", "--signing-key", path.join(root, "signing.asc")], {
      encoding: "utf8",
      env: { ...process.env, PALETTE_APIKEYS_SIGNING_PASSPHRASE: "test passphrase", XDG_CACHE_HOME: NODE_CACHE },
      stdio: ["ignore", "pipe", "pipe"],
    });
    emu = await startEmulator({ port: 0, rateLimit: false });
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await emu?.close();
    if (root !== undefined) fs.rmSync(root, { recursive: true, force: true });
  });

  const HOSTED = "registry.example.test/palette-apikeys/palette";
  const hostBlock = () => `host "registry.example.test" {\n  services = { "providers.v1" = "http://127.0.0.1:${httpPort}/v1/providers/" }\n}\n`;
  const mainTf = (source: string, body = "") => `terraform {\n  required_providers {\n    palette = { source = "${source}", version = "${VERSION}" }\n  }\n}\nprovider "palette" {}\n${body}`;
  const workspace = (name: string, cliConfig: string, env: Record<string, string> = {}): Workspace => {
    const file = path.join(root, `${name}.tfrc`);
    fs.writeFileSync(file, cliConfig);
    return new Workspace(root, name, file, { ...credentialsEnv(emu, emu.accounts.admin), PATH: noNode, XDG_CACHE_HOME: path.join(root, `${name}-cache`), ...env });
  };
  const zipSha = () => createHash("sha256").update(fs.readFileSync(path.join(registry, "releases", VERSION, ZIP))).digest("hex");

  test("prints the required_providers block of the base URL's host", () => {
    expect(printed).toContain(`source  = "localhost:${httpsPort}/palette-apikeys/palette"`);
    expect(printed).toContain(`version = "${VERSION}"`);
    expect(printed).toContain(`Signed with key ID ${keyId} (rsaEncryptSign)`);
  });

  test("over HTTP through a host block: init installs it signed by the key, locks zh: and h1:, and apply, plan, import and destroy run without node, under a NODE_OPTIONS node refuses", async () => {
    // Terraform hands the provider its environment: a NODE_OPTIONS that would stop node must not stop the executable.
    const badNodeOptions = "--no-such-node-option";
    expect(() => execFileSync(process.execPath, ["-e", "0"], { env: { ...process.env, NODE_OPTIONS: badNodeOptions }, stdio: "pipe" })).toThrow(/--no-such-node-option is not allowed in NODE_OPTIONS/);
    const ws = workspace("http", hostBlock(), { NODE_OPTIONS: badNodeOptions });
    // encrypt_for too: OpenPGP is a file beside the mirror's bundle, and must be inside the executable.
    const { publicKey } = await openpgp.generateKey({ type: "curve25519", userIDs: [{ name: "release test" }], format: "armored" });
    fs.writeFileSync(path.join(ws.dir, "recipient.asc"), publicKey);
    const sealed = `resource "palette_api_key" "sealed" {\n  name = "released-sealed"\n  expires_in = "30d"\n  encrypt_for = file("recipient.asc")\n}\n`;
    ws.write({ "main.tf": mainTf(HOSTED, `resource "palette_api_key" "ci" {\n  name = "released"\n  expires_in = "30d"\n}\n${sealed}`) });
    const init = await ws.expect(["init", "-input=false", "-no-color"]);
    expect(init.stdout).toContain(`Installed ${HOSTED} v${VERSION} (self-signed, key ID ${keyId})`);
    const lock = fs.readFileSync(path.join(ws.dir, ".terraform.lock.hcl"), "utf8");
    expect([...lock.matchAll(/"zh:([0-9a-f]{64})"/g)].map((m) => m[1])).toEqual([zipSha()]);
    expect(lock.match(/"h1:[A-Za-z0-9+/]{43}="/g)).toHaveLength(1);

    await ws.expect(["apply", "-auto-approve", "-no-color"]);
    const uid = ws.attributes("palette_api_key", "ci").id as string;
    expect(ws.attributes("palette_api_key", "sealed")).toMatchObject({ key: null, encrypted_key: expect.stringMatching(/^-----BEGIN PGP MESSAGE-----/) });
    expect(emu.keys().some((k) => k.uid === uid && k.name === "released")).toBe(true);
    // The executable's boot keeps a code cache per file it ran (the bundle, the SDK, OpenPGP), and a
    // later process takes it as it is (a rejected cache would be written again).
    const codeCache = path.join(root, "http-cache/palette-apikeys/v8");
    const cached = () => new Map(fs.readdirSync(codeCache).map((f) => [f, fs.statSync(path.join(codeCache, f)).mtimeMs]));
    const afterApply = cached();
    expect([...afterApply.keys()].filter((f) => f.endsWith(".bin"))).toHaveLength(3);
    // Stripped of what no run reads (symbols, debug information), and it ran all of the above.
    const installed = path.join(ws.dir, ".terraform/providers", HOSTED, VERSION, "linux_amd64", `terraform-provider-palette_v${VERSION}`);
    const sections = elfSections(fs.readFileSync(installed))?.map((s) => s.name) ?? [];
    expect(sections).toEqual(expect.arrayContaining([".text", ".rodata", ".dynsym"]));
    expect(sections.filter((n) => n === ".symtab" || n.startsWith(".debug"))).toEqual([]);
    await ws.expect(["plan", "-no-color", "-detailed-exitcode"], 0);
    expect(cached()).toEqual(afterApply);
    await ws.expect(["state", "rm", "-no-color", "palette_api_key.ci"]);
    await ws.expect(["import", "-no-color", "palette_api_key.ci", uid]);
    expect(ws.attributes("palette_api_key", "ci")).toMatchObject({ id: uid, name: "released" });
    await ws.expect(["destroy", "-auto-approve", "-no-color"]);
    expect(emu.keys().some((k) => k.uid === uid)).toBe(false);
  });

  test("the executable's blob (boot, bundle, SDK, OpenPGP) is the same bytes when made twice", async () => {
    const host = hostPlatform();
    if (host === undefined) throw new Error(`no Node.js ${NODE_VERSION} for ${process.platform}-${process.arch}`);
    const generator = path.join(root, `node-${NODE_VERSION}`);
    fs.writeFileSync(generator, await nodeBinary(host, NODE_VERSION, { env: { ...process.env, XDG_CACHE_HOME: NODE_CACHE } }), { mode: 0o755 });
    const built = (f: string) => path.join(path.dirname(CLI), "../terraform", f);
    const input = { main: built(SEA_BOOT_FILE), assets: SEA_ASSETS.map(built) };
    const [a, b] = [seaBlob(input, generator, path.join(root, "blob-a")), seaBlob(input, generator, path.join(root, "blob-b"))];
    expect(a.length).toBeGreaterThan(fs.statSync(input.assets[0] ?? "").size);
    expect(a.equals(b)).toBe(true);
  });

  test("over HTTPS with a test CA, at the printed source: init installs the same package", async () => {
    const ws = workspace("https", "", { SSL_CERT_FILE: ca });
    ws.write({ "main.tf": mainTf(`localhost:${httpsPort}/palette-apikeys/palette`) });
    const init = await ws.expect(["init", "-input=false", "-no-color"]);
    expect(init.stdout).toContain(`(self-signed, key ID ${keyId})`);
    const lock = fs.readFileSync(path.join(ws.dir, ".terraform.lock.hcl"), "utf8");
    expect(lock).toContain(`"zh:${zipSha()}"`);
    await ws.expect(["validate", "-no-color"]);
  });

  test("a tampered zip, or SHA256SUMS signed by another key, fails init", async () => {
    const release = `/releases/${VERSION}`;
    const zip = fs.readFileSync(path.join(registry, "releases", VERSION, ZIP));
    const tampered = Buffer.from(zip);
    const middle = tampered.length >> 1;
    tampered[middle] = (tampered[middle] ?? 0) ^ 0xff;
    overrides.set(`${release}/${ZIP}`, tampered);
    try {
      const ws = workspace("tampered", hostBlock());
      ws.write({ "main.tf": mainTf(HOSTED) });
      const r = await ws.expect(["init", "-input=false", "-no-color"], 1);
      expect(r.stderr.replace(/\s+/g, " ")).toContain(`archive has incorrect checksum zh:${createHash("sha256").update(tampered).digest("hex")} (expected zh:${zipSha()})`);
    } finally {
      overrides.clear();
    }
    const sums = fs.readFileSync(path.join(registry, "releases", VERSION, SUMS));
    const foreign = await openpgp.sign({ message: await openpgp.createMessage({ binary: sums }), signingKeys: otherKey, detached: true, format: "binary" });
    overrides.set(`${release}/${SUMS}.sig`, Buffer.from(foreign));
    try {
      const ws = workspace("foreign", hostBlock());
      ws.write({ "main.tf": mainTf(HOSTED) });
      const r = await ws.expect(["init", "-input=false", "-no-color"], 1);
      expect(r.stderr.replace(/\s+/g, " ")).toContain("authentication signature from unknown issuer");
      expect(fs.existsSync(path.join(ws.dir, ".terraform.lock.hcl"))).toBe(false);
    } finally {
      overrides.clear();
    }
  });
});
