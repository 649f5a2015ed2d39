/**
 * examples/sdk/expiring-keys.ts as a user runs it: a child process (ts-node --transpile-only), importing
 * `pulumi-palette-apikeys/sdk`, which Node resolves by self-reference to dist/ (so `npm run build` must
 * have run), against an emulator holding keys that expire in 3, 10 and 40 days.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../../emulator";
import { PaletteClient } from "../../../sdk";
import { NO_ENV_CREDENTIALS } from "../../helpers/env-credentials";
import { REPO } from "./support";

const SCRIPT = path.join(REPO, "examples/sdk/expiring-keys.ts");
const DAY_MS = 86_400_000;

let emu: RunningEmulator;
const values: string[] = [];
const made: Record<string, { uid: string; expiresAt: string }> = {};

/** Runs the script; resolves with its exit code and output (never rejects on a non-zero exit). */
function script(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...NO_ENV_CREDENTIALS, ...env })) if (v !== undefined) merged[k] = v;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [require.resolve("ts-node/dist/bin"), "--transpile-only", SCRIPT, ...args],
      { cwd: REPO, env: merged, timeout: 60_000, encoding: "utf8" },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") return reject(error);
        resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO, "dist/sdk/index.js"))) throw new Error("dist/sdk/index.js is missing: run `npm run build` first");
  emu = await startEmulator({ port: 0 });
  const sdk = new PaletteClient({ host: emu.url, auth: { apiKey: emu.accounts.admin.apiKey } });
  try {
    // Created out of order, so "soonest first" is the script's doing.
    for (const [name, days] of [
      ["in-10-days", 10],
      ["in-40-days", 40],
      ["in-3-days", 3],
    ] as const) {
      const { apiKey, value } = await sdk.apiKeys.create({ name, expiresAt: new Date(Date.now() + days * DAY_MS) });
      values.push(value);
      made[name] = { uid: apiKey.uid, expiresAt: String(apiKey.expiresAt?.toISOString()) };
    }
  } finally {
    await sdk.close();
  }
});
afterAll(async () => {
  await emu?.close();
});

it("lists exactly the keys expiring within 14 days, soonest first, as a table and as JSON; no secret printed", async () => {
  const env = { SPECTROCLOUD_HOST: emu.url, SPECTROCLOUD_APIKEY: emu.accounts.admin.apiKey };
  const [table, json] = await Promise.all([script([], env), script(["--json"], env)]);

  expect(table).toMatchObject({ code: 0, stderr: "" });
  expect(table.stdout).toContain("2 API key(s) expire within 14 days:");
  const soon = table.stdout.indexOf("in-3-days");
  expect(soon).toBeGreaterThan(0);
  expect(table.stdout.indexOf("in-10-days")).toBeGreaterThan(soon);
  expect(table.stdout).not.toContain("in-40-days");
  expect(table.stdout).not.toContain("bootstrap-"); // the seeded keys expire in a year

  expect(json).toMatchObject({ code: 0, stderr: "" });
  const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
  expect(rows).toEqual([
    { name: "in-3-days", uid: made["in-3-days"]?.uid, owner: "Ada Admin", status: "active", expiresAt: made["in-3-days"]?.expiresAt, expiresIn: "3 days" },
    { name: "in-10-days", uid: made["in-10-days"]?.uid, owner: "Ada Admin", status: "active", expiresAt: made["in-10-days"]?.expiresAt, expiresIn: "10 days" },
  ]);

  for (const secret of [...values, emu.accounts.admin.apiKey]) {
    expect(table.stdout + table.stderr + json.stdout).not.toContain(secret);
  }
});

it("without SPECTROCLOUD_APIKEY it exits 2 and prints the usage line", async () => {
  const result = await script([], { SPECTROCLOUD_HOST: emu.url });
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr).toContain("SPECTROCLOUD_APIKEY is not set.");
  expect(result.stderr).toContain("usage: expiring-keys.ts [days] [--json]");
});
