/**
 * What a Pulumi program is told when `encryptFor` differs from the recipient a key was created with.
 * encryptFor is read at create only (nobody but the holder of the old private key can decrypt the
 * value to encrypt it again), so the diff shows nothing and this warning says why and what to do.
 * Both Pulumi providers say it: the dynamic ApiKey from the program (its protocol has no warnings),
 * the native plugin through the engine's Log service at Diff.
 */
import { sameRecipient } from "../core/encryption";

/**
 * The warning for a key recorded with `recorded` (its `keyAvailable` as recorded) under a program
 * naming `program`; undefined when there is nothing to say. `urn` fills the replace command when known.
 */
export function recipientChangeWarning(recorded: string | undefined, keyAvailable: unknown, program: string | undefined, urn = "<its urn>"): string | undefined {
  if (sameRecipient(recorded, program)) return undefined;
  const replace = `To get a new key that follows encryptFor, replace this one: \`pulumi up --replace ${urn}\` (its consumers then need the new value).`;
  if (recorded === undefined) {
    return keyAvailable === true
      ? `encryptFor was set on a key created without it: its value stays in the stack's state as the secret output \`key\`, not encrypted. ${replace}`
      : undefined;
  }
  return program === undefined
    ? `encryptFor was removed: it is read when a key is created, so encryptedKey stays encrypted for the key it was created with, and key stays undefined. ${replace}`
    : `encryptFor changed: it is read when a key is created, and nobody but the holder of the old private key can decrypt encryptedKey to encrypt it again, so it stays as it is. ${replace}`;
}
