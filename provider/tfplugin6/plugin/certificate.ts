/**
 * The plugin's half of go-plugin's AutoMTLS: a fresh P-256 key and a self-signed certificate per
 * process, shaped like go-plugin's own (CA, digitalSignature+keyCertSign, server+client auth, SAN
 * `localhost`, which is the name Terraform's client checks). Built with node:crypto and our DER
 * writer in a few milliseconds; certificate libraries cost 200-300 ms of start-up.
 */
import { generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { bitString, boolean, explicit, implicit, octetString, oid, sequence, set, smallInteger, time, unsignedInteger, utf8String } from "./der";

const OID = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

export interface SelfSignedCertificate {
  /** The certificate in DER, as the handshake line carries it. */
  der: Buffer;
  certPem: string;
  keyPem: string;
}

export interface CertificateOptions {
  /** @default one year */
  validForMs?: number;
  now?: Date;
  /** The subject's organization (O), before its common name `localhost`: the provider's name. @default none */
  organization?: string;
}

/**
 * A random serial that is a minimal, positive DER integer of 16 bytes: the top byte is forced into
 * 0x40-0x7f. (A leading 00 before a byte below 0x80 broke about one start in 128 in Go's parser.)
 */
export function randomSerial(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = 0x40 | ((bytes[0] ?? 0) & 0x3f);
  return bytes;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));
}

export const certificatePem = (der: Buffer): string =>
  `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n?$/, "\n")}-----END CERTIFICATE-----\n`;

export function selfSignedCertificate(options: CertificateOptions = {}): SelfSignedCertificate {
  const now = options.now ?? new Date();
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const organization = options.organization !== undefined ? [set(sequence(oid(OID.organization), utf8String(options.organization)))] : [];
  const name = sequence(...organization, set(sequence(oid(OID.commonName), utf8String("localhost"))));
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    unsignedInteger(randomSerial()),
    algorithm,
    name,
    sequence(time(new Date(now.getTime() - 30_000)), time(new Date(now.getTime() + (options.validForMs ?? 365 * 86_400_000)))),
    name,
    publicKey.export({ type: "spki", format: "der" }),
    explicit(
      3,
      sequence(
        extension(OID.basicConstraints, true, sequence(boolean(true))),
        // digitalSignature (bit 0) and keyCertSign (bit 5): 0b1000_0100, the last 2 bits unused.
        extension(OID.keyUsage, true, bitString(Buffer.from([0x84]), 2)),
        extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth), oid(OID.clientAuth))),
        extension(OID.subjectAltName, false, sequence(implicit(2, Buffer.from("localhost", "ascii")))),
      ),
    ),
  );
  const der = sequence(tbs, algorithm, bitString(sign("sha256", tbs, privateKey)));
  return {
    der,
    certPem: certificatePem(der),
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}
