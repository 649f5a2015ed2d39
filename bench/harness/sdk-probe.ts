/**
 * Test-only instrumentation: counts what the SDK itself reports through its `logger` option (retry,
 * pace, request events) for the PaletteClient the provider builds for itself. The provider offers no
 * logger, so the probe wraps the client class: in this process by replacing the `PaletteClient`
 * export of sdk/client (sdk/index re-exports it through a getter, so the provider's `new
 * PaletteClient(...)` picks the wrapper up); in a provider host process by a `--require` preload
 * (sdk-probe-preload.js) that does the same to dist/ and appends the events to a file. The product
 * code is unchanged; the events are the SDK's own, already redacted.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PaletteClientOptions, PaletteLogEvent } from "../../sdk";

type ClientClass = new (o: PaletteClientOptions) => object;
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself, whose PaletteClient export the probe replaces
const clientModule = require("../../sdk/client") as { PaletteClient: ClientClass };

/** Options the probe forces on every client the provider builds (e.g. time-scaled pacing). */
export type ProbeOverrides = Pick<PaletteClientOptions, "rateLimit" | "retry">;

export interface SdkProbe {
  readonly events: PaletteLogEvent[];
  /** Puts the original class back. */
  restore(): void;
}

/** The provider's clients say who they are in their user agent (provider/impl.ts). */
export const PROVIDER_USER_AGENT = "pulumi-palette-apikeys-provider";

/** Wraps PaletteClient in this process until `restore()`; only the provider's clients are probed and overridden. */
export function probeSdkClients(overrides: ProbeOverrides = {}): SdkProbe {
  const original = clientModule.PaletteClient;
  const events: PaletteLogEvent[] = [];
  class ProbedClient extends original {
    constructor(o: PaletteClientOptions) {
      if (o.userAgent !== PROVIDER_USER_AGENT) {
        super(o);
        return;
      }
      super({
        ...o,
        ...overrides,
        logger: (e: PaletteLogEvent) => {
          events.push(e);
          o.logger?.(e);
        },
      });
    }
  }
  clientModule.PaletteClient = ProbedClient;
  return {
    events,
    restore: () => {
      clientModule.PaletteClient = original;
    },
  };
}

/** The preload for provider host processes; needs `npm run build` (it wraps dist/sdk/client.js). */
export const PRELOAD = path.join(__dirname, "sdk-probe-preload.js");

/**
 * Environment for ProviderClient.start that forces `overrides` on the provider's client and, when
 * `eventsFile` is given, makes the host append the provider's SDK events to it.
 */
export function hostProbeEnv(eventsFile: string | undefined, overrides: ProbeOverrides = {}): Record<string, string> {
  if (eventsFile !== undefined) fs.writeFileSync(eventsFile, "");
  const existing = process.env.NODE_OPTIONS;
  return {
    NODE_OPTIONS: `${existing ? `${existing} ` : ""}--require ${PRELOAD}`,
    ...(eventsFile !== undefined ? { PALETTE_PROBE_EVENTS: eventsFile } : {}),
    PALETTE_PROBE_OVERRIDES: JSON.stringify(overrides),
  };
}

/** Events a host wrote (see {@link hostProbeEnv}), and the raw text for secret scans. */
export function readHostEvents(eventsFile: string): { events: PaletteLogEvent[]; text: string } {
  const text = fs.existsSync(eventsFile) ? fs.readFileSync(eventsFile, "utf8") : "";
  const events = text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as PaletteLogEvent);
  return { events, text };
}

export interface SdkFigures {
  /** Attempts the SDK sent. */
  requests: number;
  /** Backoff waits before another attempt (429, 5xx, connection failures, timeouts). */
  retries: number;
  /** POST /v1/apiKeys attempts beyond the first of each create: a create retried after an ambiguous failure. */
  createRetries: number;
  /** Waits for the client's own rate-limit pacing. */
  paced: number;
  /** Retries by the error code that caused them. */
  retriesByCode: Record<string, number>;
}

/**
 * Sums probe events. `creates` is how many apiKeys.create calls were made (one per provider create
 * that got as far as the POST); each of its tries is one POST attempt, so the POSTs beyond that
 * number are creates retried after an ambiguous failure.
 */
export function sdkFigures(events: readonly PaletteLogEvent[], creates: number): SdkFigures {
  const retriesByCode: Record<string, number> = {};
  let requests = 0;
  let retries = 0;
  let paced = 0;
  let posts = 0;
  for (const e of events) {
    if (e.type === "request") {
      requests += 1;
      if (e.operation === "apiKeys.create" && e.method === "POST") posts += 1;
    } else if (e.type === "retry") {
      retries += 1;
      const code = e.code ?? "?";
      retriesByCode[code] = (retriesByCode[code] ?? 0) + 1;
    } else if (e.type === "pace") {
      paced += 1;
    }
  }
  return { requests, retries, createRetries: Math.max(0, posts - creates), paced, retriesByCode };
}
