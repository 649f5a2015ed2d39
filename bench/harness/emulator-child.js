// The bench's emulator in a process of its own (see emulator-process.ts), so that a raw HTTP call
// crosses a process boundary as the provider's requests do, and the emulator's heap is its own.
// Plain CommonJS over the built emulator (dist/): it answers the parent's IPC messages.
"use strict";
const path = require("node:path");
const { setFlagsFromString } = require("node:v8");
const { runInNewContext } = require("node:vm");
const { startEmulator } = require(path.resolve(__dirname, "../../dist/emulator/index.js"));

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc");
let emu;
const marks = new Map();
let nextMark = 0;

const lite = (r) => ({ method: r.method, path: r.path, status: r.status });
const handlers = {
  async start(options) {
    emu = await startEmulator(options);
    const { admin } = emu.accounts;
    return { url: emu.url, port: emu.port, admin: { uid: admin.uid, apiKey: admin.apiKey } };
  },
  mark() {
    nextMark += 1;
    marks.set(nextMark, emu.requests().at(-1));
    return nextMark;
  },
  since(mark) {
    const last = marks.get(mark);
    marks.delete(mark);
    const log = emu.requests();
    return (last === undefined ? log : log.slice(log.lastIndexOf(last) + 1)).map(lite);
  },
  heapUsed() {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  },
  keyCount() {
    return emu.keys().length;
  },
  async close() {
    if (emu) await emu.close();
    setImmediate(() => process.exit(0));
    return null;
  },
};

process.on("message", (m) => {
  Promise.resolve()
    .then(() => handlers[m.type](m.arg))
    .then(
      (value) => process.send({ id: m.id, value }),
      (e) => process.send({ id: m.id, error: String((e && e.stack) || e) }),
    );
});
process.on("disconnect", () => process.exit(0));
