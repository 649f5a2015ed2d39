/**
 * The bundled provider process as Terraform's go-plugin client sees it: launch environment,
 * handshake line, mutual TLS, the go-plugin services, and how the process ends. No terraform CLI
 * needed: the client side is grpc-js with a certificate of our own.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { status, type Client, type ServiceError } from "@grpc/grpc-js";
import { launchProvider, terraformPluginEnv, type LaunchedProvider } from "../../../bench/harness/terraform";
import { startEmulator } from "../../../emulator";
import { createPaletteProvider } from "../../../provider/terraform/palette-provider";
import { decodeBlockValue, encodeBlockValue } from "../../../provider/tfplugin6/cty-msgpack";
import { selfSignedCertificate } from "../../../provider/tfplugin6/plugin/certificate";
import { pluginServices } from "../../../provider/tfplugin6/protocol/services";
import type { RpcResponse } from "../../../provider/tfplugin6/protocol/tfplugin6";
import { PaletteClient } from "../../../sdk";
import { bundle, providerClient, tempDir, unaryCall } from "../../helpers/terraform";

const services = pluginServices();
let tmp: string;
let provider: string;
let boot: string;
const running: LaunchedProvider[] = [];
const clients: Client[] = [];

beforeAll(() => {
  tmp = tempDir("tf-protocol-");
  provider = bundle("provider/terraform/main.ts", path.join(tmp, "terraform-provider-palette.js"));
  boot = bundle("provider/terraform/boot-main.ts", path.join(tmp, "boot.js"));
});

// SIGTERM, not SIGKILL: a provider removes its socket directory only when it gets to exit.
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(
    running.splice(0).map((p) => {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
      return p.exited;
    }),
  );
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function start(env: Record<string, string>, args = [provider]): Promise<LaunchedProvider> {
  const p = await launchProvider(args, env);
  running.push(p);
  return p;
}

const connect = (...args: Parameters<typeof providerClient>): Client => {
  const c = providerClient(...args);
  clients.push(c);
  return c;
};

/** Polls `check` until it holds or `withinMs` pass; returns its last answer. */
const eventually = async (check: () => boolean, withinMs = 3_000): Promise<boolean> => {
  for (const until = Date.now() + withinMs; Date.now() < until; await new Promise((r) => setTimeout(r, 50))) if (check()) return true;
  return check();
};

/** True once `pid` has exited: no such process, or a zombie nobody reaps (pid 1 in a container may not). */
function isDead(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  const stat = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, "utf8") : "";
  return / Z /.test(stat.slice(stat.lastIndexOf(")")));
}

describe("provider process over go-plugin's protocol", () => {
  const client = selfSignedCertificate();

  test("prints one handshake line and serves GetProviderSchema over mutual TLS", async () => {
    const p = await start(terraformPluginEnv(client.certPem));
    expect(p.handshake).toMatchObject({ network: "unix", protocol: "grpc" });
    expect(p.handshake.serverCert.length).toBeGreaterThan(300);
    expect(fs.statSync(p.handshake.address).isSocket()).toBe(true);
    const res = await unaryCall<RpcResponse<"GetProviderSchema">>(connect(p.handshake, client), services.provider.GetProviderSchema, {});
    const attrs = res.provider?.block?.attributes ?? [];
    expect(attrs.map((a) => a.name)).toEqual(["host", "api_key", "username", "password", "project_uid"]);
    expect(attrs.filter((a) => a.sensitive === true).map((a) => a.name)).toEqual(["api_key", "password"]);
    expect(attrs.every((a) => a.optional === true && a.type?.toString() === '"string"')).toBe(true);
  });

  test("refuses a client whose certificate is not the one Terraform passed", async () => {
    const p = await start(terraformPluginEnv(client.certPem));
    const stranger = connect(p.handshake, selfSignedCertificate());
    await expect(unaryCall(stranger, services.provider.GetProviderSchema, {})).rejects.toMatchObject({ code: status.UNAVAILABLE });
  });

  test("answers health, StopProvider and StreamStdio; unserved methods are UNIMPLEMENTED", async () => {
    const p = await start(terraformPluginEnv(client.certPem));
    const c = connect(p.handshake, client);
    expect(await unaryCall(c, services.health.Check, { service: "plugin" })).toEqual({ status: 1 });
    expect(await unaryCall(c, services.provider.StopProvider, {})).toEqual({});
    const stdio = services.stdio.StreamStdio;
    if (stdio === undefined) throw new Error("no StreamStdio");
    const stream = c.makeServerStreamRequest(stdio.path, stdio.requestSerialize, stdio.responseDeserialize, {});
    await new Promise((resolve, reject) => {
      stream.on("data", () => undefined);
      stream.on("end", resolve);
      stream.on("error", reject);
    });
    const missing = { ...services.provider.GetProviderSchema!, path: "/tfplugin6.Provider/GetFunctions" };
    await expect(unaryCall(c, missing, {})).rejects.toMatchObject({ code: status.UNIMPLEMENTED } satisfies Partial<ServiceError>);
    expect(p.child.exitCode).toBeNull();
  });

  test("Shutdown is answered, then the process exits 0 and its socket is gone", async () => {
    const p = await start(terraformPluginEnv(client.certPem));
    await unaryCall(connect(p.handshake, client), services.controller.Shutdown, {});
    expect(await p.exited).toBe(0);
    expect(fs.existsSync(p.handshake.address)).toBe(false);
    expect(fs.existsSync(path.dirname(p.handshake.address))).toBe(false);
  });

  test("ignores SIGINT (Terraform sends StopProvider), exits on SIGTERM removing its socket", async () => {
    const p = await start(terraformPluginEnv(client.certPem));
    p.child.kill("SIGINT");
    await new Promise((r) => setTimeout(r, 200));
    expect(await unaryCall(connect(p.handshake, client), services.health.Check, {})).toEqual({ status: 1 });
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    expect(fs.existsSync(p.handshake.address)).toBe(false);
  });

  test("serves plaintext, with an empty certificate field, when Terraform sends no client certificate", async () => {
    const p = await start(terraformPluginEnv());
    expect(p.handshake.serverCert.length).toBe(0);
    const res = await unaryCall<RpcResponse<"GetProviderSchema">>(connect(p.handshake), services.provider.GetProviderSchema, {});
    expect(res.provider?.block?.attributes).toHaveLength(5);
  });

  test("exits when its parent goes away", async () => {
    // A parent that starts the provider, reports its pid and socket, and exits at once.
    const parent = spawn(
      process.execPath,
      [
        "-e",
        `const c = require("child_process").spawn(process.execPath, [${JSON.stringify(provider)}], { stdio: ["ignore", "pipe", "ignore"] });
         c.stdout.once("data", (d) => { process.stdout.write(c.pid + " " + d); process.exit(0); });`,
      ],
      { env: { ...process.env, ...terraformPluginEnv(client.certPem) }, stdio: ["ignore", "pipe", "inherit"] },
    );
    const line = await new Promise<string>((resolve) => parent.stdout.once("data", (d: Buffer) => resolve(d.toString())));
    const [pid, handshake = ""] = line.split(" ");
    const socket = handshake.split("|")[3] ?? "";
    expect(fs.existsSync(socket)).toBe(true);
    expect(await eventually(() => !fs.existsSync(socket))).toBe(true);
    expect(await eventually(() => isDead(Number(pid)))).toBe(true);
  });

  test("through boot.js, the first start saves a compile cache on exit and the next start uses it", async () => {
    const env = { ...terraformPluginEnv(client.certPem), XDG_CACHE_HOME: path.join(tmp, "cache") };
    const cacheDir = path.join(tmp, "cache/palette-apikeys/v8");
    const first = await start(env, [boot, provider]);
    await unaryCall(connect(first.handshake, client), services.controller.Shutdown, {});
    expect(await first.exited).toBe(0);
    const [file] = fs.readdirSync(cacheDir);
    const written = fs.statSync(path.join(cacheDir, file ?? ""));
    const second = await start(env, [boot, provider]);
    const res = await unaryCall<RpcResponse<"GetProviderSchema">>(connect(second.handshake, client), services.provider.GetProviderSchema, {});
    expect(res.provider?.block?.attributes).toHaveLength(5);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    // Rewritten only when missing or rejected by V8: the same file means the second start took it.
    expect(fs.readdirSync(cacheDir)).toEqual([file]);
    expect(fs.statSync(path.join(cacheDir, file ?? "")).mtimeMs).toBe(written.mtimeMs);
  });

  test("without Terraform's magic cookie it prints a hint on stderr, nothing on stdout, and exits 1", async () => {
    const env = { ...process.env, ...terraformPluginEnv(client.certPem) };
    delete env.TF_PLUGIN_MAGIC_COOKIE;
    const child = spawn(process.execPath, [provider], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise((resolve) => child.once("close", resolve));
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toMatch(/Terraform starts it.*\n.*palette-apikeys terraform-mirror/);
  });

  test("refuses a Terraform that does not offer protocol 6", async () => {
    await expect(launchProvider([provider], { ...terraformPluginEnv(client.certPem), PLUGIN_PROTOCOL_VERSIONS: "5" })).rejects.toThrow(/exited \(1\)[\s\S]*protocol 6/);
  });
});

/**
 * What start-up leaves out and Terraform can skip: the capabilities that spare Terraform a
 * GetProviderSchema per process, and the SDK chunk (palette-sdk.cjs), which the processes that only
 * serve schemas and validation never load, and the first call that needs Palette does.
 */
describe("start-up: server capabilities and the lazily loaded SDK chunk", () => {
  const client = selfSignedCertificate();
  const definition = createPaletteProvider({});
  const keySchema = definition.resources.palette_api_key?.schema;
  const dynamic = (value: Record<string, string | null>, block = keySchema?.block) => {
    if (block === undefined) throw new Error("no palette_api_key schema");
    return { msgpack: Buffer.from(encodeBlockValue(value, block)) };
  };
  const noProviderConfig = dynamic(Object.fromEntries(definition.providerSchema.block.attributes.map((a) => [a.name, null])), definition.providerSchema.block);

  test("GetMetadata names the resource and data source types and says GetProviderSchema is optional, as GetProviderSchema does", async () => {
    const p = await start(terraformPluginEnv(client.certPem));
    const c = connect(p.handshake, client);
    const metadata = await unaryCall<RpcResponse<"GetMetadata">>(c, services.provider.GetMetadata, {});
    expect(metadata.server_capabilities).toEqual({ get_provider_schema_optional: true });
    expect(metadata.resources).toEqual([{ type_name: "palette_api_key" }]);
    expect(metadata.data_sources?.map((d) => d.type_name).sort()).toEqual(Object.keys(definition.dataSources).sort());
    expect(metadata.diagnostics).toBeUndefined();
    const schema = await unaryCall<RpcResponse<"GetProviderSchema">>(c, services.provider.GetProviderSchema, {});
    expect(schema.server_capabilities).toEqual({ get_provider_schema_optional: true });
  });

  test("without the chunk beside it, the bundle serves schemas, validation and configuration; the first call that needs Palette asks for the chunk", async () => {
    const alone = path.join(tmp, "alone");
    fs.mkdirSync(alone);
    fs.copyFileSync(provider, path.join(alone, path.basename(provider)));
    const p = await start(terraformPluginEnv(client.certPem), [path.join(alone, path.basename(provider))]);
    const c = connect(p.handshake, client);
    expect((await unaryCall<RpcResponse<"GetProviderSchema">>(c, services.provider.GetProviderSchema, {})).resource_schemas).toHaveProperty("palette_api_key");
    const validated = await unaryCall<RpcResponse<"ValidateResourceConfig">>(c, services.provider.ValidateResourceConfig, {
      type_name: "palette_api_key",
      config: dynamic({ name: "ci", expires_in: "30d" }),
    });
    expect(validated.diagnostics).toBeUndefined();
    const configured = await unaryCall<RpcResponse<"ConfigureProvider">>(c, services.provider.ConfigureProvider, { config: noProviderConfig, terraform_version: "1.11.4" });
    expect(configured.diagnostics).toBeUndefined();
    const read = await unaryCall<RpcResponse<"ReadResource">>(c, services.provider.ReadResource, { type_name: "palette_api_key", current_state: dynamic({ id: "a".repeat(24) }) });
    expect(read.diagnostics?.[0]?.detail).toContain("palette-sdk.cjs");
  });

  test("through boot.js, the first call that needs Palette loads the chunk through the code cache, and the next process takes it from there", async () => {
    const emu = await startEmulator({ port: 0, rateLimit: false });
    try {
      const created = await new PaletteClient({ host: emu.url, auth: { apiKey: emu.accounts.admin.apiKey }, rateLimit: false }).apiKeys.create({
        name: "startup-probe",
        expiresAt: new Date(Date.now() + 86_400_000),
      });
      const cache = path.join(tmp, "chunk-cache");
      const env = { ...terraformPluginEnv(client.certPem), XDG_CACHE_HOME: cache, SPECTROCLOUD_HOST: emu.url, SPECTROCLOUD_APIKEY: emu.accounts.admin.apiKey };
      const readOnce = async (): Promise<string | undefined> => {
        const p = await start(env, [boot, provider]);
        const c = connect(p.handshake, client);
        await unaryCall(c, services.provider.ConfigureProvider, { config: noProviderConfig, terraform_version: "1.11.4" });
        const res = await unaryCall<RpcResponse<"ReadResource">>(c, services.provider.ReadResource, { type_name: "palette_api_key", current_state: dynamic({ id: created.apiKey.uid }) });
        await unaryCall(c, services.controller.Shutdown, {});
        expect(await p.exited).toBe(0);
        expect(res.diagnostics).toBeUndefined();
        const state = keySchema === undefined ? null : decodeBlockValue(res.new_state?.msgpack, keySchema.block);
        return typeof state?.name === "string" ? state.name : undefined;
      };
      const cacheDir = path.join(cache, "palette-apikeys/v8");
      // The cache's files, at any depth: Node 22's compile cache keeps them in a folder per Node version.
      const cacheFiles = (): string[] =>
        fs
          .readdirSync(cacheDir, { recursive: true, withFileTypes: true })
          .filter((e) => e.isFile())
          .map((e) => path.relative(cacheDir, path.join(e.parentPath, e.name)))
          .sort();
      expect(await readOnce()).toBe("startup-probe");
      // One cache for the bundle, one for the chunk it required.
      const files = cacheFiles();
      expect(files).toHaveLength(2);
      const written = files.map((f) => fs.statSync(path.join(cacheDir, f)).mtimeMs);
      expect(await readOnce()).toBe("startup-probe");
      expect(cacheFiles()).toEqual(files);
      expect(files.map((f) => fs.statSync(path.join(cacheDir, f)).mtimeMs)).toEqual(written);
    } finally {
      await emu.close();
    }
  });
});
