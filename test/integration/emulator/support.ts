/**
 * Loopback helpers for the emulator tests: raw `fetch`, not the SDK, so these tests check the
 * emulator against the wire contract alone. Every response body is kept, so a test can prove that
 * no response after a create ever contains the created key value.
 */
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../../emulator";

export interface Auth {
  readonly apiKey?: string;
  readonly jwt?: string;
}

export interface CallResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body; undefined for an empty one. */
  readonly json: unknown;
}

interface SeenResponse {
  readonly seq: number;
  readonly text: string;
}

const seen: SeenResponse[] = [];
const createdValues: { value: string; seq: number }[] = [];
let seq = 0;

/** A far-future expiry (30 days after the emulator's now). */
export function inDays(emu: RunningEmulator, days: number): string {
  return new Date(emu.clock.now().getTime() + days * 86_400_000).toISOString();
}

export async function call(
  emu: RunningEmulator,
  method: string,
  path: string,
  opts: { auth?: Auth; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.auth?.apiKey !== undefined) headers.ApiKey = opts.auth.apiKey;
  if (opts.auth?.jwt !== undefined) headers.Authorization = opts.auth.jwt;
  let body: string | Buffer | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["Content-Type"] = "application/json";
  }
  const res = await fetch(`${emu.url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  const mySeq = ++seq;
  const headerText = [...res.headers].map(([k, v]) => `${k}: ${v}`).join("\n");
  seen.push({ seq: mySeq, text: `${headerText}\n${text}` });
  if (method === "POST" && path === "/v1/apiKeys" && res.status === 201) {
    const value = (JSON.parse(text) as { apiKey: string }).apiKey;
    createdValues.push({ value, seq: mySeq });
  }
  return { status: res.status, headers: res.headers, text, json: text === "" ? undefined : (JSON.parse(text) as unknown) };
}

/** Responses, after each key's create, that contain that key's value. Expected: none. */
export function leakedKeyValues(): string[] {
  const leaks: string[] = [];
  for (const { value, seq: createdAt } of createdValues) {
    for (const r of seen) if (r.seq > createdAt && r.text.includes(value)) leaks.push(`response #${r.seq} contains a key value`);
  }
  return leaks;
}

export function createdKeyCount(): number {
  return createdValues.length;
}

/** Starts an emulator for one test file: rate limit off unless asked, one fixed clock. */
export async function startForTest(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ rateLimit: false, now: new Date("2030-01-15T10:00:00.000Z"), ...options });
}

export const keyOf = (account: { apiKey: string }): Auth => ({ apiKey: account.apiKey });

export function createBody(name: string, expiry: string, extra: { userUid?: string; description?: string } = {}): unknown {
  return {
    metadata: { name, ...(extra.description !== undefined ? { annotations: { description: extra.description } } : {}) },
    spec: { expiry, ...(extra.userUid !== undefined ? { userUid: extra.userUid } : {}) },
  };
}

/** Creates a key and returns the stored key's uid (found through the emulator's view, not the response). */
export async function createKey(
  emu: RunningEmulator,
  auth: Auth,
  name: string,
  extra: { userUid?: string; description?: string; expiry?: string } = {},
): Promise<{ uid: string; value: string }> {
  const res = await call(emu, "POST", "/v1/apiKeys", { auth, body: createBody(name, extra.expiry ?? inDays(emu, 30), extra) });
  if (res.status !== 201) throw new Error(`create ${name} failed: ${res.status} ${res.text}`);
  const key = emu.keys().find((k) => k.name === name && !k.seeded && (extra.userUid === undefined || k.ownerUid === extra.userUid));
  if (key === undefined) throw new Error(`created key ${name} not in the store`);
  return { uid: key.uid, value: (res.json as { apiKey: string }).apiKey };
}

export function errorCode(res: CallResult): unknown {
  return (res.json as { code?: unknown } | undefined)?.code;
}
