import { printable, redactPath, redactSecrets, redactTarget } from "../../../emulator/redact";

describe("redaction", () => {
  it("hides the refresh token path segment", () => {
    expect(redactPath("/v1/auth/refresh/eyJ.abc.def")).toBe("/v1/auth/refresh/[REDACTED]");
    expect(redactPath("/v1/apiKeys/abc")).toBe("/v1/apiKeys/abc");
  });

  it("hides credential query parameters in any case and keeps the rest", () => {
    expect(redactTarget("/v1/users/info", new URLSearchParams("apiKEY=s3cret&limit=5&password=pw"))).toBe(
      "/v1/users/info?apiKEY=[REDACTED]&limit=5&password=[REDACTED]",
    );
  });

  it("scrubs known secrets from free text", () => {
    expect(redactSecrets("failed for key ABCDEFGH and ABCDEFGH", ["ABCDEFGH", "ab"])).toBe("failed for key [REDACTED] and [REDACTED]");
  });

  it("neutralizes control characters and caps the length, so a path cannot forge log lines", () => {
    expect(printable("a\nb\r\u0000c")).toBe("a?b??c");
    expect(printable("x".repeat(2000))).toHaveLength(513);
  });
});
