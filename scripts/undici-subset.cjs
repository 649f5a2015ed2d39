// What the SDK's transport (sdk/http/transport.ts) takes from undici: Agent, buildConnector and
// request, from the modules that define them. undici's index.js, which `require("undici")` loads,
// also evaluates fetch, WebSocket, EventSource, the caches and the mocks at once; in the Terraform
// provider's SDK chunk that was half of the chunk's first load (40 ms against 20 ms on Node 24 with
// a warm code cache), paid by the process of every plan that reads a key. scripts/bundle-terraform.mjs
// resolves "undici" to this file for that chunk only; the package's own SDK (dist/sdk) keeps undici.
//
// `request` is index.js's makeDispatcher(api.request) for the calls the transport makes: a URL
// string and options that name their dispatcher.
"use strict";
const Agent = require("undici/lib/dispatcher/agent");
const buildConnector = require("undici/lib/core/connect");
const apiRequest = require("undici/lib/api/api-request");
const { InvalidArgumentError } = require("undici/lib/core/errors");
const util = require("undici/lib/core/util");

function request(url, opts) {
  if (typeof url !== "string" || opts === null || typeof opts !== "object" || opts.path != null || opts.dispatcher == null) {
    throw new InvalidArgumentError("the SDK's undici subset takes a URL string and options with a dispatcher and no path");
  }
  const parsed = util.parseURL(url);
  return apiRequest.call(opts.dispatcher, {
    ...opts,
    origin: parsed.origin,
    path: parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname,
    method: opts.method || (opts.body ? "PUT" : "GET"),
  });
}

module.exports = { Agent, buildConnector, request };
