/**
 * palette_api_key's `encrypt_for` in plans: which of `key` and `encrypted_key` a new key will fill,
 * and what a change of encrypt_for on an existing key means. Pure; the encryption itself is the
 * core's (core/encryption.ts), at create.
 *
 * encrypt_for is read when a key is created. Nobody but the holder of the private key can decrypt
 * `encrypted_key`, so a changed or removed encrypt_for cannot re-encrypt the value; and a key created
 * without it already had its value in state. So a change is planned as an update of encrypt_for
 * alone (no call to Palette, `key` and `encrypted_key` unchanged) with a warning saying so and how
 * to get a new key that follows it: `terraform apply -replace=<address>`. No replacement is forced:
 * replacing a key revokes the value its consumers hold, and only the user can decide that.
 */
import { sameRecipient } from "../core/encryption";
import { UNKNOWN, type CtyObject, type Diagnostic } from "../tfplugin6";
import { TERRAFORM_NAMES as N } from "./api-key-state";
import { knownString, stringAt } from "./values";
import { PENDING } from "../core/rules";

/** `key`, `encrypted_key` and `key_available` of a key this plan creates. */
export function encryptionPlan(config: CtyObject): CtyObject {
  const recipient = stringAt(config, N.encryptFor);
  // Unknown until apply: whether the value will be encrypted is not known either.
  if (recipient === PENDING) return { key: UNKNOWN, encrypted_key: UNKNOWN, key_available: UNKNOWN };
  return recipient === undefined ? { key: UNKNOWN, encrypted_key: null, key_available: true } : { key: null, encrypted_key: UNKNOWN, key_available: false };
}

/** The warning on encrypt_for when it changes on a key that stays. */
export function recipientChangeWarning(prior: CtyObject, config: CtyObject): Diagnostic[] {
  const wanted = stringAt(config, N.encryptFor);
  const had = knownString(prior, N.encryptFor);
  if (wanted === PENDING || sameRecipient(had, wanted)) return [];
  const replace = "To get a new key that follows encrypt_for, replace this one: `terraform apply -replace=<this resource's address>` (its consumers then need the new value).";
  const detail =
    had === undefined
      ? knownString(prior, "key") !== undefined
        ? `This key was created without ${N.encryptFor}: its value is in the state in plain text (\`key\`), and setting ${N.encryptFor} now does not encrypt it or remove it. ${replace}`
        : `This key's value is unknown to Terraform (an imported key): there is nothing to encrypt, and \`encrypted_key\` stays null. ${replace}`
      : wanted === undefined
        ? `${N.encryptFor} is read when a key is created: removing it changes nothing, \`encrypted_key\` stays encrypted for the key it was created with and \`key\` stays null. ${replace}`
        : `${N.encryptFor} is read when a key is created: \`encrypted_key\` stays encrypted for the public key it was created with, since nobody but the holder of its private key can decrypt it to encrypt it again. ${replace}`;
  return [{ severity: "warning", summary: `${N.encryptFor} changed: this key's value is not encrypted again`, detail, attribute: [N.encryptFor] }];
}
