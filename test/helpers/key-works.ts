/**
 * Whether a key value authenticates against a Palette (the emulator): one `users.me()` with it,
 * no retry, for tests that check a value they decrypted or were handed really is a working key.
 */
import { PaletteClient } from "../../sdk";

export async function keyWorks(host: string, value: string): Promise<boolean> {
  const client = new PaletteClient({ host, auth: { apiKey: value }, retry: false });
  try {
    await client.users.me();
    return true;
  } catch {
    return false;
  } finally {
    await client.close();
  }
}
