/**
 * core/encryption.ts: which public keys a value may be encrypted to (each refusal says why, never
 * quoting the key), and an encryption its holder decrypts; the lifecycle's create that records
 * only the encrypted value, and deletes the key when encrypting fails.
 */
import { encryptTo, recipientProblem, sameRecipient } from "../../../../provider/core/encryption";
import { KeyLifecycle, type LifecycleSession } from "../../../../provider/core/lifecycle";
import { TERRAFORM_NAMES } from "../../../../provider/terraform/api-key-state";
import { TERRAFORM_HINTS } from "../../../../provider/terraform/palette-provider";
import type { ApiKey, PaletteClient } from "../../../../sdk";
import { decrypt, eccPair, rsaPair, unusableRecipients, type PgpPair } from "../../../helpers/pgp-keys";

let ecc: PgpPair;
let rsa: PgpPair;
let unusable: Awaited<ReturnType<typeof unusableRecipients>>;

beforeAll(async () => {
  [ecc, rsa, unusable] = await Promise.all([eccPair(), rsaPair(), unusableRecipients()]);
});

test("an ECC and an RSA public key are recipients; what is encrypted to them decrypts with their private key only", async () => {
  for (const pair of [ecc, rsa]) {
    expect(await recipientProblem(pair.publicKey)).toBeUndefined();
    const message = await encryptTo("VALUE-0123456789", pair.publicKey);
    expect(message).toMatch(/^-----BEGIN PGP MESSAGE-----/);
    expect(message).not.toContain("VALUE-0123456789");
    expect(await decrypt(message, pair.privateKey)).toBe("VALUE-0123456789");
  }
  await expect(decrypt(await encryptTo("VALUE", ecc.publicKey), rsa.privateKey)).rejects.toThrow();
});

test("a private key, a signing-only key, an expired key and text that is no key are refused, saying why, never quoting the text", async () => {
  for (const { armored, reason } of unusable) {
    const problem = await recipientProblem(armored);
    expect(problem).toMatch(reason);
    expect(problem).not.toContain(armored.split("\n").find((l) => l.length > 40) ?? armored);
  }
});

test("the same key with other line endings or surrounding blanks is the same recipient", () => {
  expect(sameRecipient(ecc.publicKey, `\n${ecc.publicKey.replace(/\n/g, "\r\n")}  `)).toBe(true);
  expect(sameRecipient(ecc.publicKey, rsa.publicKey)).toBe(false);
  expect(sameRecipient(undefined, ecc.publicKey)).toBe(false);
});

describe("KeyLifecycle.create with encryptFor", () => {
  const made: ApiKey = {
    uid: "k1",
    name: "ci",
    description: "",
    expiresAt: new Date("2027-01-01T00:00:00Z"),
    active: true,
    user: { uid: "u1", name: "Alice" },
    createdAt: new Date(),
    updatedAt: new Date(),
  } as unknown as ApiKey;
  const lifecycleWith = (deleted: string[]): KeyLifecycle => {
    const client = {
      apiKeys: {
        create: async () => ({ apiKey: made, value: "VALUE-abc" }),
        delete: async (uid: string) => void deleted.push(uid),
      },
    } as unknown as PaletteClient;
    const session = {
      client,
      location: async () => ({ host: "h", tenantUid: "t" }),
      emailOf: async () => "alice@example.com",
    } as unknown as LifecycleSession;
    return new KeyLifecycle(session, TERRAFORM_NAMES, TERRAFORM_HINTS);
  };

  test("returns the value encrypted, and no plain value", async () => {
    const created = await lifecycleWith([]).create({ name: "ci", description: "", expiresAt: made.expiresAt!, active: true, encryptFor: ecc.publicKey });
    expect(created.value).toBeUndefined();
    expect(await decrypt(created.encryptedValue ?? "", ecc.privateKey)).toBe("VALUE-abc");
    expect(JSON.stringify(created)).not.toContain("VALUE-abc");
  });

  test("a recipient that fails at create (expired since the plan) deletes the new key and says so on encrypt_for", async () => {
    const deleted: string[] = [];
    const expired = unusable.find((u) => u.what === "an expired key")!.armored;
    const failed = lifecycleWith(deleted).create({ name: "ci", description: "", expiresAt: made.expiresAt!, active: true, encryptFor: expired });
    await expect(failed).rejects.toThrow(/encrypting its value for encrypt_for failed \(expired at .*\): it was deleted again, nothing is recorded/);
    await expect(failed).rejects.not.toThrow(/VALUE-abc/);
    expect(deleted).toEqual(["k1"]);
  });
});
