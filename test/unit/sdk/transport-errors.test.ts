/**
 * Errors for attempts that got no answer: what each says happened (timeout, deadline, a connection
 * that failed or never came up, a cancel), what to check, and whether the request may have reached
 * Palette. Response errors are in response-errors.test.ts.
 */
import { errorFromTransport } from "../../../sdk/core/transport-errors";
import { ctx, SECRET } from "./support";

describe("errorFromTransport", () => {
  test("timeout names the per-attempt budget and both knobs", () => {
    const e = errorFromTransport("timeout", "UND_ERR_HEADERS_TIMEOUT", ctx({ timeoutMs: 50, attempts: 3 }));
    expect(e.code).toBe("TIMEOUT");
    expect(e.message).toContain("no answer within 50 ms");
    expect(e.message).toContain("timeoutMs");
    expect(e.message).toContain("deadlineMs");
    expect(e.attempts).toBe(3);
  });

  test("deadline names the deadline", () => {
    expect(errorFromTransport("deadline", "DEADLINE", ctx({ deadlineMs: 900 })).message).toContain("deadline of 900 ms reached");
  });

  test("connection failure names the low-level code and the host, in no engine's words; the cause is sanitized", () => {
    const cause = Object.assign(new Error(`socket hang up for ${SECRET}`), { code: "ECONNRESET", socket: { secret: SECRET } });
    const e = errorFromTransport("connection", "ECONNRESET", ctx(), cause);
    expect(e.code).toBe("CONNECTION");
    expect(e.message).toContain("connection failed (ECONNRESET)");
    expect(e.message).toContain("https://api.spectrocloud.com is the Palette API host");
    // The provider adds where its host is set (palette:host, a provider block): the SDK cannot know.
    expect(e.message).not.toContain("palette:host");
    expect(e.mayHaveReachedServer).toBe(true);
    const c = e.cause as Error & { code?: string; socket?: unknown };
    expect(c.code).toBe("ECONNRESET");
    expect(c.message).not.toContain(SECRET);
    expect(c.socket).toBeUndefined();
  });

  test.each([
    ["refused", "ECONNREFUSED", "http://127.0.0.1:1", "cannot connect to 127.0.0.1:1 (connection refused)", "check the Palette host and port"],
    ["unreachable", "EHOSTUNREACH", "https://10.0.0.1", "cannot connect to 10.0.0.1:443 (EHOSTUNREACH: no route to the host)", "VPN, proxy, firewall"],
    ["dns", "ENOTFOUND", "https://palette.invalid", "cannot resolve the host name palette.invalid (ENOTFOUND)", "check the Palette host name"],
    ["dns-temporary", "EAI_AGAIN", "https://palette.example", "cannot resolve the host name palette.example (EAI_AGAIN: the DNS resolver failed)", "check DNS on this machine"],
    ["tls", "ERR_SSL_WRONG_VERSION_NUMBER", "https://127.0.0.1:8080", "TLS handshake with 127.0.0.1:8080 failed (ERR_SSL_WRONG_VERSION_NUMBER)", "if it is plain HTTP, write the host as http://127.0.0.1:8080"],
    ["certificate", "DEPTH_ZERO_SELF_SIGNED_CERT", "https://palette.example", "the TLS certificate of palette.example:443 is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate)", "NODE_EXTRA_CA_CERTS"],
    ["timeout", "UND_ERR_CONNECT_TIMEOUT", "https://palette.example:8443", "cannot connect to palette.example:8443 (no answer to the connection attempt)", "firewall or proxy"],
  ] as const)("a connect that never came up (%s) says what failed and what to check", (reason, code, baseUrl, outcome, advice) => {
    const cause = Object.assign(new Error("self-signed certificate"), { code });
    const e = errorFromTransport(reason === "timeout" ? "timeout" : "connection", code, ctx({ baseUrl, attempts: 1 }), cause, { connect: reason });
    expect(e).toMatchObject({ connectFailure: reason, mayHaveReachedServer: false, attempts: 1 });
    expect(e.message).toContain(`-> ${outcome}. `);
    expect(e.message.toLowerCase()).toContain(advice.toLowerCase());
    expect(e.message).toContain("nothing was sent to Palette");
  });

  test("aborted is ABORTED", () => {
    expect(errorFromTransport("aborted", "ABORTED", ctx()).code).toBe("ABORTED");
  });
});
