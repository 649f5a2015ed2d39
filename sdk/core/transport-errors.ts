/**
 * Errors from the transport: an attempt that got no answer (no connection, a timeout, the deadline)
 * or that the caller cancelled. Each says what is known about whether the request reached Palette,
 * since that decides whether anything may have changed; a connect that never came up names what to
 * check, a cancel what it stopped. Pure: every input string passes through `redact`.
 */
import { PaletteError, type ConnectFailureReason, type PaletteErrorCode } from "../errors";
import { attemptsNote, compose, requestFields, shorten, type ErrorContext } from "./error-context";

/** What is known about whether a failed request got anywhere. */
export interface TransportDetail {
  /** Set when no connection came up. */
  readonly connect?: ConnectFailureReason;
  /** @default true when an attempt was made and `connect` is unset */
  readonly mayHaveReachedServer?: boolean;
  /** A cancel only: a write of the call had been sent before it (see `Call.committed`). */
  readonly afterWrite?: boolean;
}

/** The error for an attempt that got no answer. `causeCode` is e.g. `ECONNRESET`. */
export function errorFromTransport(
  kind: "timeout" | "connection" | "aborted" | "deadline",
  causeCode: string,
  ctx: ErrorContext,
  cause?: Error,
  detail: TransportDetail = {},
): PaletteError {
  const code: PaletteErrorCode = kind === "connection" ? "CONNECTION" : kind === "aborted" ? "ABORTED" : "TIMEOUT";
  let outcome: string;
  let hint: string;
  if (detail.connect !== undefined && (kind === "connection" || kind === "timeout")) {
    ({ outcome, hint } = connectFailureText(detail.connect, causeCode, ctx, cause));
  } else if (kind === "aborted") {
    ({ outcome, hint } = cancelledText(detail.mayHaveReachedServer ?? ctx.attempts > 0, detail.afterWrite === true, causeCode));
  } else {
    outcome =
      kind === "timeout"
        ? `no answer within ${ctx.timeoutMs} ms`
        : kind === "deadline"
          ? `deadline of ${ctx.deadlineMs} ms reached`
          : `connection failed (${causeCode})`;
    hint =
      kind === "connection"
        ? `Check that ${ctx.baseUrl} is the Palette API host and reachable from here (network, proxy, TLS).`
        : `Check that ${ctx.baseUrl} is reachable, or raise timeoutMs (per attempt) / deadlineMs (whole call, retries included).`;
  }
  return new PaletteError({
    code,
    message: compose(ctx, outcome, attemptsNote(ctx, hint)),
    ...requestFields(ctx),
    mayHaveReachedServer: detail.mayHaveReachedServer ?? (ctx.attempts > 0 && detail.connect === undefined),
    ...(detail.connect !== undefined && { connectFailure: detail.connect }),
    ...(cause !== undefined && { cause: sanitizeCause(cause, ctx.redact) }),
  });
}

/**
 * What a cancel stopped. Before any write went out: nothing was sent, or only a read (nothing was
 * changed). After a write: that write was not abandoned (see `Call.commit`); the cancel only kept
 * the call from sending another one after it failed without a usable answer (`causeCode`). What that
 * failed write left is for the caller to add (a create says whether its lost key was deleted).
 */
function cancelledText(reached: boolean, afterWrite: boolean, causeCode: string): { outcome: string; hint: string } {
  if (afterWrite)
    return {
      outcome: "cancelled after the request was sent, so it was not tried again",
      hint:
        `The caller cancelled the call through its AbortSignal; the request already sent got no usable answer (${causeCode}), ` +
        "and sending it again would make a change the caller no longer asked for.",
    };
  return reached
    ? { outcome: "cancelled during a read; nothing was changed", hint: "The caller cancelled the call through its AbortSignal; run it again to read." }
    : { outcome: "cancelled; nothing was sent", hint: "The caller cancelled the call through its AbortSignal before the request went out; Palette was not changed by it." };
}

/** `host:port` of the API base, the port always shown: a wrong port is a usual mistake. */
function targetOf(baseUrl: string): { target: string; hostname: string; https: boolean } {
  const url = new URL(baseUrl);
  const https = url.protocol === "https:";
  return { target: `${url.hostname}:${url.port !== "" ? url.port : https ? "443" : "80"}`, hostname: url.hostname, https };
}

/** Outcome and advice for a connection that never came up: what failed, and what to check. */
function connectFailureText(
  reason: ConnectFailureReason,
  causeCode: string,
  ctx: ErrorContext,
  cause: Error | undefined,
): { outcome: string; hint: string } {
  const { target, hostname, https } = targetOf(ctx.baseUrl);
  const nothingSent = "nothing was sent to Palette";
  switch (reason) {
    case "refused":
      return { outcome: `cannot connect to ${target} (connection refused)`, hint: `Check the Palette host and port: nothing listens there; ${nothingSent}.` };
    case "unreachable":
      return {
        outcome: `cannot connect to ${target} (${causeCode}: no route to the host)`,
        hint: `Check the Palette host, and the network path from here (VPN, proxy, firewall); ${nothingSent}.`,
      };
    case "dns":
      return { outcome: `cannot resolve the host name ${hostname} (${causeCode})`, hint: `Check the Palette host name; ${nothingSent}.` };
    case "dns-temporary":
      return {
        outcome: `cannot resolve the host name ${hostname} (${causeCode}: the DNS resolver failed)`,
        hint: `Check DNS on this machine, or try again; ${nothingSent}.`,
      };
    case "tls":
      return https
        ? {
            outcome: `TLS handshake with ${target} failed (${causeCode})`,
            hint: `The server at ${target} does not speak HTTPS: if it is plain HTTP, write the host as http://${target}; ${nothingSent}.`,
          }
        : { outcome: `TLS handshake with ${target} failed (${causeCode})`, hint: `Check the Palette host and port; ${nothingSent}.` };
    case "certificate": {
      const why = cause !== undefined && cause.message !== "" ? `: ${ctx.redact(shorten(cause.message))}` : "";
      return {
        outcome: `the TLS certificate of ${target} is not trusted (${causeCode}${why})`,
        hint:
          `If Palette uses a private certificate authority, point NODE_EXTRA_CA_CERTS at its certificate; ` +
          `if the names differ, use the host name the certificate was issued for; ${nothingSent}.`,
      };
    }
    case "timeout":
      return {
        outcome: `cannot connect to ${target} (no answer to the connection attempt)`,
        hint: `Check the Palette host and port, and that no firewall or proxy drops the connection; ${nothingSent}.`,
      };
    case "other":
      return { outcome: `cannot connect to ${target} (${causeCode})`, hint: `Check the Palette host and port; ${nothingSent}.` };
  }
}

/** A stand-in for a low-level cause: its name, code and redacted message, nothing else it held. */
function sanitizeCause(cause: Error, redact: (t: string) => string): Error {
  const clean = new Error(redact(cause.message));
  clean.name = cause.name;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === "string") Object.assign(clean, { code });
  clean.stack = `${clean.name}: ${clean.message}`;
  return clean;
}
