/**
 * The error context the error-module tests build their errors in: a GET of one API key (a call of
 * the API-key resource) with an API key as credential, redacting one known secret. Shared by response-errors.test.ts and
 * transport-errors.test.ts, which test the two halves of what was one module.
 */
import type { ErrorContext } from "../../../sdk/core/error-context";
import { redactSecrets } from "../../../sdk/core/redact";

export const SECRET = "QMOI1ZVKVIoW6LM6uXqSWFPsjmt0juvl";

export function ctx(over: Partial<ErrorContext> = {}): ErrorContext {
  return {
    operation: "apiKeys.get",
    resource: "API key",
    method: "GET",
    path: "/v1/apiKeys/66e844c44bab2337f20c7471",
    attempts: 1,
    auth: "apiKey",
    baseUrl: "https://api.spectrocloud.com",
    timeoutMs: 30_000,
    deadlineMs: 120_000,
    redact: (t) => redactSecrets(t, [SECRET]),
    ...over,
  };
}
