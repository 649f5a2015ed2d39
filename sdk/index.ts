/**
 * The SDK's public entry: a typed Palette client for API keys, users and auth.
 * Everything not exported here is internal and may change.
 */
export { PaletteClient } from "./client";
export { normalizeHost, DEFAULT_DEADLINE_MS, DEFAULT_HOST, DEFAULT_RATE_LIMIT, DEFAULT_TIMEOUT_MS } from "./config";
export type { PaletteAuth, PaletteClientOptions, PaletteLogEvent, RequestOptions } from "./config";
export { PaletteError, isPaletteError, isNotFound } from "./errors";
export type { ConnectFailureReason, PaletteErrorCode, PaletteIssue, PaletteResource } from "./errors";
export { redactSecrets } from "./core/redact";
export { DEFAULT_RETRY_POLICY } from "./core/retry-policy";
export type { RetryPolicy } from "./core/retry-policy";
export type { RateLimit } from "./core/rate-limiter";
export type { Dispatcher } from "./http/transport";
export { apiKeyStatus } from "./model";
export type {
  ApiKey,
  ApiKeyOwner,
  ApiKeyStatus,
  CreateApiKeyParams,
  CreatedApiKey,
  UpdateApiKeyParams,
  User,
  UserInfo,
} from "./model";
export type { ApiKeysApi } from "./resources/api-keys";
export type { UsersApi } from "./resources/users";
export type { AuthApi } from "./resources/auth";
export { SDK_VERSION } from "./version";
