import { IncorrectPassphraseError, PassphraseCrypter } from "../../../runner/passphrase-crypter";

describe("PassphraseCrypter", () => {
  const crypter = PassphraseCrypter.create("correct horse");

  it("round-trips values, with a fresh nonce each time and no plaintext in the ciphertext", () => {
    const a = crypter.encrypt("key-value-123");
    const b = crypter.encrypt("key-value-123");
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain("key-value-123");
    expect(crypter.decrypt(a)).toBe("key-value-123");
  });

  it("reopens from the stored salt with the same passphrase, and refuses a wrong one", () => {
    const again = PassphraseCrypter.fromSalt("correct horse", crypter.encryptionSalt);
    expect(again.decrypt(crypter.encrypt("x"))).toBe("x");
    expect(() => PassphraseCrypter.fromSalt("wrong", crypter.encryptionSalt)).toThrow(IncorrectPassphraseError);
    expect(crypter.encryptionSalt).not.toContain("correct horse");
  });

  it("rejects tampered ciphertext", () => {
    const c = crypter.encrypt("value");
    const [v, nonce, body] = c.split(":");
    const flipped = Buffer.from(body as string, "base64");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => crypter.decrypt(`${v}:${nonce}:${flipped.toString("base64")}`)).toThrow(IncorrectPassphraseError);
  });
});
