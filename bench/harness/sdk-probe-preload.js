// Test-only preload for dynamic-provider host processes (see sdk-probe.ts): wraps the built
// PaletteClient so every client the provider builds gets the options in $PALETTE_PROBE_OVERRIDES
// (JSON) forced on it and, when $PALETTE_PROBE_EVENTS names a file, reports its SDK log events
// (already redacted by the SDK) there as JSON lines. With $PALETTE_PROBE_HEAP naming a file, SIGUSR2
// makes the process collect garbage and append its heap use there (for the bench's memory figures).
// Plain CommonJS: it runs before anything is compiled.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const file = process.env.PALETTE_PROBE_EVENTS;
const overrides = JSON.parse(process.env.PALETTE_PROBE_OVERRIDES || "{}");
if (file || Object.keys(overrides).length > 0) {
  const mod = require(path.resolve(__dirname, "../../dist/sdk/client.js"));
  const Original = mod.PaletteClient;
  mod.PaletteClient = class ProbedClient extends Original {
    constructor(options) {
      if (options.userAgent !== "pulumi-palette-apikeys-provider") {
        super(options);
        return;
      }
      const logger = file
        ? (event) => {
            fs.appendFileSync(file, `${JSON.stringify(event)}\n`);
            if (options.logger) options.logger(event);
          }
        : options.logger;
      super({ ...options, ...overrides, ...(logger ? { logger } : {}) });
    }
  };
}

const heapFile = process.env.PALETTE_PROBE_HEAP;
if (heapFile) {
  require("node:v8").setFlagsFromString("--expose-gc");
  const gc = require("node:vm").runInNewContext("gc");
  process.on("SIGUSR2", () => {
    gc();
    gc();
    fs.appendFileSync(heapFile, `${process.memoryUsage().heapUsed}\n`);
  });
}
