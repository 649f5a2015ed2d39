/**
 * After each test file, releases what @pulumi/pulumi keeps process-wide. A jest worker that ran many
 * files which run a program or serialize a dynamic provider took longer than jest's 500 ms to exit
 * and was killed ("A worker process has failed to exit gracefully"): no handle stays open (so
 * --detectOpenHandles sees nothing), the time goes in tearing down what the worker accumulated.
 *
 * - Pulumi keeps its runtime state in an AsyncLocalStorage on the global. Node holds every
 *   AsyncLocalStorage that was ever entered until it is disabled, and with it the test file's whole
 *   module registry (jest gives each file a fresh copy of @pulumi/pulumi).
 * - Pulumi's closure serializer opens a node:inspector session with the debugger enabled and never
 *   disconnects it. While it lives V8 hashes every script compiled afterwards, and at the worker's
 *   exit each such session walks every script the worker ever compiled.
 */
import type { AsyncLocalStorage } from "node:async_hooks";
import * as inspector from "node:inspector";

const opened: inspector.Session[] = [];
const connect = inspector.Session.prototype.connect;
inspector.Session.prototype.connect = function (this: inspector.Session): void {
  opened.push(this);
  connect.call(this);
};

afterAll(() => {
  inspector.Session.prototype.connect = connect;
  for (const session of opened.splice(0)) session.disconnect();
  (globalThis as { asyncLocalStorage?: AsyncLocalStorage<unknown> }).asyncLocalStorage?.disable();
});
