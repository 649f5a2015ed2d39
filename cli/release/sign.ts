/**
 * Signing SHA256SUMS as registries expect: a binary (not armored) detached OpenPGP signature, with
 * the `openpgp` library. The key is checked before anything is built: it must be a private key
 * that the passphrase (if it is protected) opens and that can sign.
 */
import { UsageError } from "../io";

import type * as OpenPgp from "openpgp" with { "resolution-mode": "import" };
import type { PrivateKey } from "openpgp" with { "resolution-mode": "import" };

/**
 * openpgp, loaded when a key is, so the other commands never pay for it. Its CommonJS build by
 * `require`: an `import()` would need jest's ESM mode to be tested.
 */
const openpgp = async (): Promise<typeof OpenPgp> =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a late load of the package's CommonJS build (see above)
  require("openpgp") as typeof OpenPgp;

export interface Signer {
  /** The primary key's ID as Terraform prints it: 16 upper-case hex digits. */
  keyId: string;
  /** The public key, ASCII-armored, for the registry's `signing_keys`. */
  publicKeyArmored: string;
  /** The key's algorithm, as openpgp names it (`rsaEncryptSign`, `eddsaLegacy`, ...). */
  algorithm: string;
  /** Whether HCP Terraform's private registry accepts it (RSA or DSA only). */
  hcpCompatible: boolean;
  /** A binary detached signature of `data`. */
  sign(data: Buffer): Promise<Buffer>;
}

/** Reads an armored private key; throws UsageError (exit 2) with the reason when it cannot sign. */
export async function loadSigner(armored: string, passphrase: string | undefined, source: string): Promise<Signer> {
  const pgp = await openpgp();
  let key: PrivateKey;
  try {
    const read = await pgp.readKey({ armoredKey: armored });
    if (!read.isPrivate()) throw new UsageError(`${source} is a public key: --signing-key needs the armored PRIVATE key (gpg --armor --export-secret-keys <id>)`);
    key = read;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${source} is not an armored OpenPGP key: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!key.isDecrypted()) {
    if (passphrase === undefined || passphrase === "") throw new UsageError(`${source} is protected by a passphrase: set PALETTE_APIKEYS_SIGNING_PASSPHRASE`);
    try {
      key = await pgp.decryptKey({ privateKey: key, passphrase });
    } catch {
      // openpgp's message names no secret, but ours says only what the user can act on.
      throw new UsageError(`PALETTE_APIKEYS_SIGNING_PASSPHRASE does not open ${source}: check the passphrase`);
    }
  }
  try {
    await key.getSigningKey();
  } catch (e) {
    throw new UsageError(`${source} has no key that can sign (${e instanceof Error ? e.message : String(e)}): use a key with a signing (sub)key, RSA for HCP Terraform`);
  }
  const signingKey = key;
  const algorithm = key.getAlgorithmInfo().algorithm;
  const sign = async (data: Buffer): Promise<Buffer> => {
    const message = await pgp.createMessage({ binary: data });
    const signature = await pgp.sign({ message, signingKeys: signingKey, detached: true, format: "binary" });
    return Buffer.from(signature);
  };
  // A trial signature: a key openpgp reads but cannot sign with (an unsupported curve, a weak key it refuses) fails here, before any build.
  try {
    await sign(Buffer.from("palette-apikeys signing check\n"));
  } catch (e) {
    throw new UsageError(`${source} cannot sign: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    keyId: key.getKeyID().toHex().toUpperCase(),
    publicKeyArmored: key.toPublic().armor(),
    algorithm,
    hcpCompatible: /^(rsa|dsa)/i.test(algorithm),
    sign,
  };
}

/** Verifies a binary detached `signature` of `data` against an armored public key; returns the signing key's ID or throws. */
export async function verifyDetached(data: Buffer, signature: Buffer, publicKeyArmored: string): Promise<string> {
  const pgp = await openpgp();
  const verification = await pgp.verify({
    message: await pgp.createMessage({ binary: data }),
    signature: await pgp.readSignature({ binarySignature: signature }),
    verificationKeys: await pgp.readKey({ armoredKey: publicKeyArmored }),
    expectSigned: true,
  });
  const first = verification.signatures[0];
  if (first === undefined) throw new Error("no signature");
  await first.verified;
  return first.keyID.toHex().toUpperCase();
}
