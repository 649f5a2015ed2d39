// Test-only preload for dynamic-provider host processes (see sdk-probe.ts): wraps the built
// PaletteClient so every client the provider builds reports its SDK log events (already redacted by
// the SDK) as JSON lines to $PALETTE_PROBE_EVENTS, with the options in $PALETTE_PROBE_OVERRIDES (JSON)
// forced on it. Plain CommonJS: it runs before anything is compiled.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const file = process.env.PALETTE_PROBE_EVENTS;
const overrides = JSON.parse(process.env.PALETTE_PROBE_OVERRIDES || "{}");
if (file) {
  const mod = require(path.resolve(__dirname, "../../dist/sdk/client.js"));
  const Original = mod.PaletteClient;
  mod.PaletteClient = class ProbedClient extends Original {
    constructor(options) {
      if (options.userAgent !== "pulumi-palette-apikeys-provider") {
        super(options);
        return;
      }
      super({
        ...options,
        ...overrides,
        logger: (event) => {
          fs.appendFileSync(file, `${JSON.stringify(event)}\n`);
          if (options.logger) options.logger(event);
        },
      });
    }
  };
}
