/**
 * `palette-emulator` as users start it: the built bin run directly (so its run bit matters), on a
 * free port, with --state in a temp dir, restarted, and driven through the control surface over HTTP.
 * Needs `npm run build`, after the last change to the sources it runs: an older dist is refused.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { requireFreshBuild } from "../../helpers/fresh-build";

const BIN = resolve(__dirname, "../../../dist/emulator/cli.js");

interface Started {
  readonly child: ChildProcess;
  readonly url: string;
  /** Undefined where the banner says the value is unchanged (kept by the state file as a hash). */
  readonly adminKey: string | undefined;
  readonly controlToken: string | undefined;
  readonly lines: readonly string[];
}

let dir = "";
const children: ChildProcess[] = [];
beforeAll(() => {
  if (!existsSync(BIN)) throw new Error("dist/emulator/cli.js is missing: run `npm run build` before this test");
  // What the bin loads: the emulator and the wire module it imports from the SDK.
  requireFreshBuild(["emulator", "sdk/wire"]);
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "palette-emulator-cli-"));
});
afterEach(async () => {
  await Promise.all(children.splice(0).map(stop));
  // "" when beforeAll refused the build: no test ran, nothing to remove.
  if (dir !== "") rmSync(dir, { recursive: true, force: true });
});

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

/** Starts the bin and reads its banner up to "Press Ctrl+C"; rejects with stderr if it exits first. */
async function start(args: readonly string[]): Promise<Started> {
  // The bin itself, not `node bin`: a build that drops the run bit fails here with EACCES.
  const child = spawn(BIN, ["--port", "0", "--quiet", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const lines: string[] = [];
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const banner = new Promise<void>((resolveBanner, reject) => {
    createInterface({ input: child.stdout ?? process.stdin }).on("line", (line) => {
      lines.push(line);
      if (line === "Press Ctrl+C to stop.") resolveBanner();
    });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`palette-emulator exited with ${String(code)} before its banner: ${stderr}`)));
  });
  await banner;
  const find = (re: RegExp): string => {
    for (const l of lines) {
      const m = re.exec(l);
      if (m?.[1] !== undefined) return m[1];
    }
    throw new Error(`banner has no ${String(re)}:\n${lines.join("\n")}`);
  };
  const shown = (value: string): string | undefined => (/^[A-Za-z0-9]{32}$/.test(value) ? value : undefined);
  return {
    child,
    url: find(/^Palette emulator listening on (\S+)$/),
    adminKey: shown(find(/SPECTROCLOUD_APIKEY=(.+)$/)),
    controlToken: shown(find(/header X-Emulator-Token: (.+)$/)),
    lines,
  };
}

const get = (emu: Started, path: string, headers: Record<string, string>) => fetch(`${emu.url}${path}`, { headers });
const ctl = (emu: Started, token: string, method: string, path: string, body: unknown) =>
  fetch(`${emu.url}/__emulator${path}`, {
    method,
    headers: { "X-Emulator-Token": token, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

it("is executable after the build", () => {
  expect(statSync(BIN).mode & 0o111).not.toBe(0);
  expect(() => accessSync(BIN, constants.X_OK)).not.toThrow();
});

it("restarted on the same --state without --admin-key, accepts the admin key and control token of the first run, which only that run printed", async () => {
  const state = join(dir, "state.json");
  const first = await start(["--state", state]);
  const adminKey = first.adminKey ?? "";
  const token = first.controlToken ?? "";
  expect([adminKey, token]).toEqual([expect.stringMatching(/^[A-Za-z0-9]{32}$/), expect.stringMatching(/^[A-Za-z0-9]{32}$/)]);
  expect((await get(first, "/v1/users/info", { ApiKey: adminKey })).status).toBe(200);
  // Disable alice and lift the key limit through the control surface; both must survive the restart.
  expect((await ctl(first, token, "PATCH", "/users/alice@palette.local", { active: false })).status).toBe(200);
  expect((await ctl(first, token, "PUT", "/limits", { keyLimitPerUser: 60 })).status).toBe(200);
  await stop(first.child);
  const file = readFileSync(state, "utf8");
  for (const secret of [adminKey, token]) expect(file).not.toContain(secret);
  expect(statSync(state).mode & 0o077).toBe(0);

  const second = await start(["--state", state]);
  // The file holds hashes: the banner says the credentials are unchanged and how to set new ones.
  expect([second.adminKey, second.controlToken]).toEqual([undefined, undefined]);
  const banner = second.lines.join("\n");
  for (const secret of [adminKey, token]) expect(banner).not.toContain(secret);
  expect(banner).toMatch(/admin@palette\.local .*ApiKey: unchanged, see below$/m);
  expect(second.lines).toContain("  header X-Emulator-Token: unchanged, see below");
  expect(second.lines).toContain("Unchanged from the start that printed them: the admin key, alice's key, the password, the control token.");
  expect(banner).toContain("set new ones with --admin-key, --user-key, --password, --control-token.");
  expect((await get(second, "/v1/users/info", { ApiKey: adminKey })).status).toBe(200);
  expect(second.lines).toContain("API keys per user: 60");
  const state2 = (await (await get(second, "/__emulator", { "X-Emulator-Token": token })).json()) as {
    users: { email: string; active: boolean }[];
  };
  expect(state2.users.find((u) => u.email === "alice@palette.local")?.active).toBe(false);
  const moved = await ctl(second, token, "POST", "/clock", { advance: "400d" });
  expect(moved.status).toBe(200);
  // A year and more later, the seeded admin key has expired: the control token still works.
  expect((await get(second, "/v1/users/info", { ApiKey: adminKey })).status).toBe(401);
  expect((await get(second, "/__emulator", { "X-Emulator-Token": token })).status).toBe(200);
});

it("refuses --admin-key short with exit code 2, without echoing it", async () => {
  const child = spawn(BIN, ["--port", "0", "--admin-key", "short"], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  expect(code).toBe(2);
  expect(stderr).toContain("--admin-key must be 32 characters [A-Za-z0-9] (got 5 characters)");
  expect(stderr).not.toContain("short");
});
