/**
 * Running the real `terraform` CLI against providers laid out by the tests: detection (suites skip,
 * saying so, when there is no CLI), bundling an entry with the project's bundle script, and a
 * workspace isolated by TF_CLI_CONFIG_FILE and TF_DATA_DIR in a temporary directory.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { credentials, Client, type ChannelCredentials, type MethodDefinition } from "@grpc/grpc-js";
import type { Handshake } from "../../bench/harness/terraform";
import { certificatePem, type SelfSignedCertificate } from "../../provider/tfplugin6/plugin/certificate";

export const REPO = path.resolve(__dirname, "../..");

function terraformOnPath(): string | undefined {
  try {
    const out = execFileSync("terraform", ["version", "-json"], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" }, stdio: ["ignore", "pipe", "ignore"] });
    return (JSON.parse(out) as { terraform_version: string }).terraform_version;
  } catch {
    return undefined;
  }
}

/** `describe` when a `terraform` CLI is on PATH, else `describe.skip` plus a warning naming the file. */
export function terraformSuite(file: string): { suite: jest.Describe; version: string | undefined } {
  const version = terraformOnPath();
  if (version === undefined) {
    console.warn(`${path.relative(REPO, file)} skipped: no \`terraform\` CLI on PATH.`);
    test.skip("skipped: no terraform CLI on PATH", () => undefined);
  }
  return { suite: version !== undefined ? describe : describe.skip, version };
}

/** Bundles `entry` (relative to the repository) into `outfile` with scripts/bundle-terraform.mjs. */
export function bundle(entry: string, outfile: string): string {
  execFileSync(process.execPath, [path.join(REPO, "scripts/bundle-terraform.mjs"), entry, outfile], { cwd: REPO, stdio: "pipe" });
  return outfile;
}

export const tempDir = (prefix: string): string => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

export interface TerraformResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TerraformWorkspace {
  /** Holds main.tf; terraform runs here. */
  dir: string;
  env: NodeJS.ProcessEnv;
  run(...args: string[]): Promise<TerraformResult>;
}

/**
 * A configuration directory with its own CLI configuration (`cliConfig`, e.g. a filesystem mirror)
 * and data directory. `node` from this test run comes first on PATH, for the providers' launchers.
 */
export function terraformWorkspace(root: string, mainTf: string, cliConfig: string): TerraformWorkspace {
  const dir = path.join(root, "config");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "main.tf"), mainTf);
  const cliConfigFile = path.join(root, "terraformrc");
  fs.writeFileSync(cliConfigFile, cliConfig);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    TF_CLI_CONFIG_FILE: cliConfigFile,
    TF_DATA_DIR: path.join(root, "tf-data"),
    TF_PLUGIN_CACHE_DIR: "",
    // The providers' boot script keeps its compile cache here rather than in the user's ~/.cache.
    XDG_CACHE_HOME: path.join(root, "cache"),
    PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ""}`,
  };
  for (const name of ["TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_CLI_ARGS", "TF_REATTACH_PROVIDERS"]) delete env[name];
  const run = (...args: string[]): Promise<TerraformResult> =>
    new Promise((resolve) => {
      execFile("terraform", [...args, "-no-color"], { cwd: dir, env, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : -1;
        resolve({ code, stdout, stderr });
      });
    });
  return { dir, env, run };
}

/** A gRPC client to a launched provider, over mutual TLS with `client` or, without it, plaintext. */
export function providerClient(handshake: Handshake, client?: SelfSignedCertificate): Client {
  const creds: ChannelCredentials =
    client === undefined
      ? credentials.createInsecure()
      : credentials.createSsl(Buffer.from(certificatePem(handshake.serverCert)), Buffer.from(client.keyPem), Buffer.from(client.certPem));
  return new Client(`unix://${handshake.address}`, creds, { "grpc.ssl_target_name_override": "localhost", "grpc.default_authority": "localhost" });
}

export function unaryCall<Res>(client: Client, method: MethodDefinition<object, object> | undefined, request: object): Promise<Res> {
  if (method === undefined) throw new Error("no such method");
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(method.path, method.requestSerialize, method.responseDeserialize, request, (err, res) => (err ? reject(err) : resolve(res as Res))),
  );
}
