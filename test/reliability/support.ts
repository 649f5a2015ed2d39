/**
 * Shared by the reliability suites: sentinel credentials (distinctive strings a leak scan can find),
 * the environment a provider must not pick credentials up from, and the leak scan itself.
 */
import { request } from "node:http";
import * as path from "node:path";
import type { RunningEmulator } from "../../emulator";

export const REPO = path.resolve(__dirname, "../..");

export { NO_ENV_CREDENTIALS, withoutEnvCredentials } from "../helpers/env-credentials";

/** Sentinels: whatever is found containing one of these leaked it. */
export const ADMIN_KEY = "SentinelAdminKeyR3l1abIl1tyQ9w8e7";
export const ALICE_KEY = "SentinelAliceKeyR3l1abIl1tyZ1x2c3";
export const PASSWORD = "SentinelPassw0rdR3l1abIl1tyP4o5i6";

/** A JWT anywhere in a text (header and payload are base64url JSON, so they start with "eyJ"). */
export const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/;

/** Each (where, secret) pair where a text contains a secret or a JWT; empty when nothing leaked. */
export function leaks(texts: Readonly<Record<string, string>>, secrets: Iterable<string>): string[] {
  const found: string[] = [];
  const all = [...secrets].filter((s) => s.length >= 8);
  for (const [where, text] of Object.entries(texts)) {
    for (const s of all) if (text.includes(s)) found.push(`${where} contains ${s.slice(0, 4)}…`);
    if (JWT_SHAPE.test(text)) found.push(`${where} contains a JWT`);
  }
  return found;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request through node:http, which sends method, path and headers exactly as given. Loopback only. */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<RawResponse> {
  // Node sends a body without a length for GET, HEAD, DELETE and OPTIONS; say how long it is.
  const sent = body === undefined ? headers : { ...headers, "Content-Length": String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, headers: sent, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** A session JWT for the emulator's tenant admin, logged in with PASSWORD over raw HTTP. */
export async function adminJwt(emu: RunningEmulator): Promise<string> {
  const login = await rawRequest(
    emu.port,
    "POST",
    "/v1/auth/authenticate",
    { "Content-Type": "application/json" },
    JSON.stringify({ emailId: emu.accounts.admin.email, password: PASSWORD }),
  );
  return String(JSON.parse(login.body).Authorization);
}
