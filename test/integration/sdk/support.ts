/**
 * Helpers for the SDK-against-emulator suites: start an emulator and clients, and collect every
 * error the suite provokes so its last test can prove none of them carries a secret.
 */
import { inspect } from "node:util";
import { startEmulator, type EmulatorOptions, type RunningEmulator, type SeedAccount } from "../../../emulator";
import { isPaletteError, PaletteClient, type PaletteClientOptions, type PaletteError } from "../../../sdk";

/** Fast retries so nothing really waits. */
export const FAST_RETRY = { maxRetries: 4, baseDelayMs: 1, maxDelayMs: 5 } as const;

export const DAY_MS = 86_400_000;

/** Starts an emulator with Palette's default rate limit off (suites that test pacing turn it on). */
export function startEmu(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  return startEmulator({ rateLimit: false, ...options });
}

const clients: PaletteClient[] = [];

/** A client against `emu`, closed by `closeClients()`. Defaults: no pacing, fast retries, emulator clock. */
export function clientFor(
  emu: RunningEmulator,
  auth: PaletteClientOptions["auth"],
  overrides: Partial<Omit<PaletteClientOptions, "host" | "auth">> = {},
): PaletteClient {
  const client = new PaletteClient({
    host: emu.url,
    auth,
    rateLimit: false,
    retry: FAST_RETRY,
    timeoutMs: 5_000,
    deadlineMs: 20_000,
    now: () => emu.clock.now(),
    ...overrides,
  });
  clients.push(client);
  return client;
}

export async function closeClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.close()));
}

export const keyAuth = (a: SeedAccount): { apiKey: string } => ({ apiKey: a.apiKey });
export const passwordAuth = (a: SeedAccount): { username: string; password: string } => ({ username: a.email, password: a.password });

/** An expiry `days` after the emulator's now. */
export const inDays = (emu: RunningEmulator, days: number): Date => new Date(emu.clock.now().getTime() + days * DAY_MS);

/** Every error provoked in this test file, for the final leak check. */
export const collected: unknown[] = [];
/** Secrets seen in this test file besides the seed credentials: created key values, tokens. */
export const extraSecrets: string[] = [];

/** Awaits a promise expected to reject with a PaletteError; records the error for the leak check. */
export async function failureOf(p: Promise<unknown>): Promise<PaletteError> {
  const e: unknown = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  collected.push(e);
  if (!isPaletteError(e)) throw new Error(`expected a PaletteError, got ${inspect(e)}`);
  return e;
}

/** Records a created key value as a secret. */
export function remember<T extends { value: string }>(created: T): T {
  extraSecrets.push(created.value);
  return created;
}

export function seedSecrets(emu: RunningEmulator): string[] {
  const accounts = [emu.accounts.admin, ...emu.accounts.users];
  return [...new Set(accounts.flatMap((a) => [a.apiKey, a.password]).filter((s) => s !== ""))];
}

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\./;

/** Each serialization of each collected error that contains a secret or a JWT. Expected: none. */
export function leaks(secrets: readonly string[]): string[] {
  const found: string[] = [];
  collected.forEach((e, i) => {
    const forms = {
      json: JSON.stringify(e),
      string: String(e),
      stack: e instanceof Error ? (e.stack ?? "") : "",
      inspect: inspect(e, { depth: 10, showHidden: true }),
    };
    for (const [form, text] of Object.entries(forms)) {
      for (const s of secrets) if (text.includes(s)) found.push(`error #${i} (${form}) contains a secret of length ${s.length}`);
      if (JWT.test(text)) found.push(`error #${i} (${form}) contains a JWT`);
    }
  });
  return found;
}
