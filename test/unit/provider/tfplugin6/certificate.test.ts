import { createPrivateKey, X509Certificate } from "node:crypto";
import { selfSignedCertificate, randomSerial } from "../../../../provider/tfplugin6/plugin/certificate";
import { oid, time, unsignedInteger } from "../../../../provider/tfplugin6/plugin/der";

const hex = (b: Buffer): string => b.toString("hex");

describe("DER writer", () => {
  test("integers are minimal and positive", () => {
    expect(hex(unsignedInteger(Buffer.from([0])))).toBe("020100");
    expect(hex(unsignedInteger(Buffer.from([0, 0, 1])))).toBe("020101");
    expect(hex(unsignedInteger(Buffer.from([0x7f])))).toBe("02017f");
    expect(hex(unsignedInteger(Buffer.from([0x80])))).toBe("02020080");
    expect(hex(unsignedInteger(Buffer.from([0, 0x80, 1])))).toBe("0203008001");
  });

  test("object identifiers encode multi-byte arcs", () => {
    expect(hex(oid("1.2.840.10045.4.3.2"))).toBe("06082a8648ce3d040302");
    expect(hex(oid("2.5.29.17"))).toBe("0603551d11");
  });

  test("times are UTCTime through 2049 and GeneralizedTime from 2050", () => {
    expect(time(new Date("2049-12-31T23:59:59Z")).toString("latin1")).toBe("\x17\x0d491231235959Z");
    expect(time(new Date("2050-01-01T00:00:00Z")).toString("latin1")).toBe("\x18\x0f20500101000000Z");
  });
});

describe("self-signed certificate", () => {
  test("parses, is P-256, CA, self-signed, for localhost by SAN, with server and client auth", () => {
    const c = selfSignedCertificate();
    const x = new X509Certificate(c.der);
    expect(new X509Certificate(c.certPem).fingerprint256).toBe(x.fingerprint256);
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(x.subjectAltName).toBe("DNS:localhost");
    expect(x.checkHost("localhost")).toBe("localhost");
    expect(x.ca).toBe(true);
    expect(x.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(c.keyPem))).toBe(true);
    expect(Date.parse(x.validFrom)).toBeLessThan(Date.now());
  });

  test("the subject names the provider as its organization when given one, before CN=localhost", () => {
    expect(new X509Certificate(selfSignedCertificate({ organization: "palette-apikeys" }).der).subject).toBe("O=palette-apikeys\nCN=localhost");
    expect(new X509Certificate(selfSignedCertificate().der).subject).toBe("CN=localhost");
  });

  test("a validity past 2049 still parses (GeneralizedTime)", () => {
    const x = new X509Certificate(selfSignedCertificate({ validForMs: 40 * 365 * 86_400_000 }).der);
    expect(new Date(x.validTo).getUTCFullYear()).toBeGreaterThanOrEqual(2050);
  });

  test("serials are 16 bytes, positive and minimal, over many draws", () => {
    for (let i = 0; i < 2_000; i++) {
      const s = randomSerial();
      expect(s.length).toBe(16);
      expect(s[0]).toBeGreaterThanOrEqual(0x40);
      expect(s[0]).toBeLessThanOrEqual(0x7f);
      expect(hex(unsignedInteger(s))).toBe(`0210${hex(s)}`);
    }
    for (let i = 0; i < 100; i++) expect(new X509Certificate(selfSignedCertificate().der).serialNumber).toMatch(/^[4-7][0-9A-F]{31}$/);
  });
});
