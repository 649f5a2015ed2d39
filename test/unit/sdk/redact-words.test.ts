/** Redaction hides secrets, never the server's own words (a password that is a word of the server's message). */
import { REDACTED, redactSecrets, SecretRegistry } from "../../../sdk/core/redact";

describe("redaction of registered secrets", () => {
  it("leaves the server's message whole when the password is one of its words", () => {
    const registry = new SecretRegistry();
    registry.addFixed("incorrect");
    expect(registry.redact("The email, password or org is incorrect")).toBe("The email, password or org is incorrect");
  });

  it.each([
    ["a key value", "AuditAdminKeyQ1w2E3r4T5y6U7i8o9p0"],
    ["a password with a digit", "hunter22"],
    ["a password with a symbol", "s3cr&t"],
    ["a long letters-only secret", "abcdefghijklmnopQ"],
  ])("still redacts %s, and its URL-encoded form", (_label, secret) => {
    expect(redactSecrets(`got ${secret} and ${encodeURIComponent(secret)}`, [secret])).toBe(`got ${REDACTED} and ${REDACTED}`);
  });
});
