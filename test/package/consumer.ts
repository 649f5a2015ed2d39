/**
 * A user's program that imports every public entry by package name. The packaging test copies it
 * into a project that installed the packed tarball and type-checks it there, against the INSTALLED
 * declarations, under the module resolutions users configure: node10 (`"node"`), node16 and bundler.
 * `npm run typecheck` checks it against the sources too. It is never run.
 *
 * Each `@ts-expect-error` proves that a type is real: an entry whose declarations were not found
 * degrades to `any` under `skipLibCheck`, the error expected would not happen, and tsc reports the
 * unused directive. The probes are calls to `is`, never unused variables: with `noUnusedLocals` the
 * unused-variable error alone would satisfy a directive.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ApiKey, type ApiKeyArgs, type ApiKeyOutputs, type ReadOnlyApiKey } from "pulumi-palette-apikeys";
import { startEmulator, type RunningEmulator } from "pulumi-palette-apikeys/emulator";
import { isPaletteError, PaletteClient, type PaletteErrorCode } from "pulumi-palette-apikeys/sdk";
import { ApiKeyWire } from "pulumi-palette-apikeys/sdk/wire";

/** Compiles only when `value` is assignable to `T` (a call, so that no unused variable can satisfy a directive). */
function is<T>(_value: T): void {}

export function program(): Record<string, pulumi.Output<unknown>> {
  const args: ApiKeyArgs = { description: "CI deployer", expiresIn: "30d", user: { email: "alice@example.com" } };
  // @ts-expect-error a key belongs to one user, by uid or by email, not both
  is<ApiKeyArgs>({ user: { uid: "u", email: "e" } });
  const ci = new ApiKey("ci", args);
  const value: pulumi.Output<string> = ci.key;
  const status: pulumi.Output<ApiKeyOutputs["status"]> = ci.status;

  const adopted: ReadOnlyApiKey = ApiKey.get("legacy", "0123456789abcdef01234567");
  const unknowable: pulumi.Output<undefined> = adopted.key;
  // @ts-expect-error Palette never returns the value of an existing key
  is<pulumi.Output<string>>(adopted.key);
  return { value, status, unknowable, adoptedName: adopted.name };
}

export async function sdkAndEmulator(): Promise<string[]> {
  const emulator: RunningEmulator = await startEmulator({ port: 0 });
  const palette = new PaletteClient({ host: emulator.url, auth: { apiKey: emulator.accounts.admin.apiKey } });
  try {
    const keys = await palette.apiKeys.list();
    // @ts-expect-error list() returns keys, not strings
    is<string[]>(keys);
    return keys.map((k) => k.name);
  } catch (e) {
    const code: PaletteErrorCode | undefined = isPaletteError(e) ? e.code : undefined;
    throw new Error(`listing failed: ${code ?? String(e)}`);
  } finally {
    await palette.close();
    await emulator.close();
  }
}

export function wire(body: unknown): string {
  const parsed = ApiKeyWire.parse(body);
  // @ts-expect-error the wire model's metadata is an object
  is<number>(parsed.metadata);
  return parsed.metadata.uid ?? "";
}
