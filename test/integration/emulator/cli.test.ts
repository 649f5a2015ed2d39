import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, type CliIo, type CliRun } from "../../../emulator/cli";
import { call, keyOf } from "./support";

const ADMIN_KEY = "CliAdminKeyCliAdminKeyCliAdminKe";
const USER_KEY = "CliUserKeyCliUserKeyCliUserKeyCl";

interface Captured extends CliIo {
  readonly out: (line: string) => void;
  readonly lines: string[];
  readonly errors: string[];
  /** Simulates SIGINT/SIGTERM. */
  signal(): void;
  registered: number;
}

function capture(): Captured {
  let stop: (() => void) | undefined;
  const io: Captured = {
    lines: [],
    errors: [],
    registered: 0,
    out: (line) => io.lines.push(line),
    err: (line) => io.errors.push(line),
    onStop(s) {
      stop = s;
      io.registered += 1;
      return () => {
        io.registered -= 1;
      };
    },
    signal: () => stop?.(),
  };
  return io;
}

let run: CliRun | undefined;
afterEach(async () => {
  await run?.stop();
  run = undefined;
});

it("prints the URL, tenant, accounts with emails, keys and password, and how to point the provider at it", async () => {
  const io = capture();
  run = await runCli(["--port", "0", "--admin-key", ADMIN_KEY, "--user-key", USER_KEY, "--password", "cli-pw", "--quiet"], io);
  expect(run.exitCode).toBe(0);
  const emu = run.emulator;
  if (emu === undefined) throw new Error("not started");
  const text = io.lines.join("\n");
  expect(io.lines[0]).toBe(`Palette emulator listening on ${emu.url}`);
  expect(text).toContain(`Tenant: emulated-org (uid ${emu.tenant.uid})`);
  expect(text).toContain("password for all: cli-pw");
  expect(text).toMatch(new RegExp(`admin@palette\\.local .*ApiKey: ${ADMIN_KEY}`));
  expect(text).toMatch(new RegExp(`alice@palette\\.local .*ApiKey: ${USER_KEY}`));
  expect(text).toMatch(/bob@palette\.local .*no API key/);
  expect(text).toContain(`SPECTROCLOUD_HOST=${emu.url} SPECTROCLOUD_APIKEY=${ADMIN_KEY}`);
  // The fixed keys are the ones that work.
  expect((await call(emu, "GET", "/v1/users/info", { auth: { apiKey: ADMIN_KEY } })).status).toBe(200);
  expect((await call(emu, "GET", "/v1/users/info", { auth: { apiKey: USER_KEY } })).status).toBe(200);
  expect(emu.accounts.admin.apiKey).toBe(ADMIN_KEY);
});

it("logs one line per request unless --quiet, applies --no-rate-limit, and stops cleanly on a signal", async () => {
  const io = capture();
  run = await runCli(["--port=0", "--no-rate-limit"], io);
  const emu = run.emulator;
  if (emu === undefined) throw new Error("not started");
  expect(io.lines.join("\n")).toContain("Rate limit: off");
  for (let i = 0; i < 8; i++) expect((await call(emu, "GET", "/v1/users/info", { auth: keyOf(emu.accounts.admin) })).status).toBe(200);
  const requestLines = io.lines.filter((l) => l.includes("GET /v1/users/info 200"));
  expect(requestLines).toHaveLength(8);
  expect(requestLines.join("\n")).not.toContain(emu.accounts.admin.apiKey);
  expect(io.registered).toBe(1);
  io.signal();
  await run.stopped;
  expect(io.lines.at(-1)).toBe("Palette emulator stopped.");
  expect(io.registered).toBe(0);
  await expect(fetch(`${emu.url}/v1/users/info`)).rejects.toThrow();
});

it("generates random 32-character keys and a password when none are given, and keeps state in --state", async () => {
  const dir = mkdtempSync(join(tmpdir(), "palette-cli-"));
  try {
    const io = capture();
    run = await runCli(["--port", "0", "--quiet", "--state", join(dir, "s.json")], io);
    const emu = run.emulator;
    expect(emu?.accounts.admin.apiKey).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(emu?.accounts.users[0]?.apiKey).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(io.lines.join("\n")).toContain(`State: ${join(dir, "s.json")}`);
  } finally {
    await run?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

it("on a restart, prints a credential given by flag and says the others are unchanged, naming only their flags", async () => {
  const dir = mkdtempSync(join(tmpdir(), "palette-cli-"));
  const state = join(dir, "s.json");
  try {
    const first = capture();
    run = await runCli(["--port", "0", "--quiet", "--state", state, "--password", "first-pw"], first);
    const token = run.emulator?.controlToken ?? "";
    const alice = run.emulator?.accounts.users[0]?.apiKey ?? "";
    await run.stop();

    const io = capture();
    run = await runCli(["--port", "0", "--quiet", "--state", state, "--admin-key", ADMIN_KEY], io);
    const emu = run.emulator;
    if (emu === undefined) throw new Error("not started");
    const text = io.lines.join("\n");
    expect(text).toMatch(new RegExp(`admin@palette\\.local .*ApiKey: ${ADMIN_KEY}$`, "m"));
    expect(text).toContain(`SPECTROCLOUD_APIKEY=${ADMIN_KEY}`);
    expect(text).toMatch(/alice@palette\.local .*ApiKey: unchanged, see below$/m);
    expect(text).toContain("password for all: unchanged, see below");
    expect(text).toMatch(/bob@palette\.local .*no API key/);
    expect(io.lines).toContain("Unchanged from the start that printed them: alice's key, the password, the control token.");
    expect(text).toContain("set new ones with --user-key, --password, --control-token.");
    expect(text).not.toContain("--admin-key,");
    for (const secret of [token, alice, "first-pw"]) expect(text).not.toContain(secret);
    expect((await call(emu, "GET", "/v1/users/info", { auth: { apiKey: alice } })).status).toBe(200);
  } finally {
    await run?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

it("prints usage for --help (exit 0) and refuses bad arguments (exit 2) without echoing stray values", async () => {
  const help = capture();
  expect((await runCli(["--help"], help)).exitCode).toBe(0);
  expect(help.lines.join("\n")).toMatch(/^Usage: palette-emulator/);
  for (const argv of [["--port", "http"], ["--bogus"], ["--password"], ["--quiet=yes"], ["s3cr3t-value"]]) {
    const io = capture();
    const result = await runCli(argv, io);
    expect([argv, result.exitCode, result.emulator]).toEqual([argv, 2, undefined]);
    expect(io.errors[0]).toMatch(/^palette-emulator: /);
  }
  const stray = capture();
  await runCli(["s3cr3t-value"], stray);
  expect(stray.errors.join("\n")).not.toContain("s3cr3t-value");
});

it("exits 1 with a message when the port is taken", async () => {
  const first = capture();
  run = await runCli(["--port", "0", "--quiet"], first);
  const taken = capture();
  const second = await runCli(["--port", String(run.emulator?.port ?? 0), "--quiet"], taken);
  expect(second.exitCode).toBe(1);
  expect(taken.errors[0]).toMatch(/could not start: .*EADDRINUSE/);
});
