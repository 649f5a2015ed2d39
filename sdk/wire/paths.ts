/**
 * Palette REST paths, shared by the SDK (to call them) and the emulator (to route them).
 * Every path segment taken from a caller goes through `encodeURIComponent`.
 */
const seg = (s: string): string => encodeURIComponent(s);

export const paths = {
  apiKeys: () => "/v1/apiKeys",
  apiKey: (uid: string) => `/v1/apiKeys/${seg(uid)}`,
  apiKeyState: (uid: string) => `/v1/apiKeys/${seg(uid)}/state`,
  authenticate: () => "/v1/auth/authenticate",
  authRefresh: (token: string) => `/v1/auth/refresh/${seg(token)}`,
  usersInfo: () => "/v1/users/info",
  users: () => "/v1/users",
  usersMeta: () => "/v1/users/meta",
  usersSummary: () => "/v1/users/summary",
  user: (uid: string) => `/v1/users/${seg(uid)}`,
} as const;

/**
 * Prefixes that Palette rate-limits per source IP at 10 requests/s with a burst of 5
 * (Palette docs, "Endpoint Prefix Rate"). Both the emulator's limiter and the SDK's pacer key on these.
 */
export const RATE_LIMITED_PREFIXES = ["/v1/apiKeys", "/v1/users", "/v1/auth"] as const;
export const RATE_LIMIT_PER_SECOND = 10;
export const RATE_LIMIT_BURST = 5;

/** Returns the rate-limit bucket of a path, or undefined when Palette does not limit it here. */
export function rateLimitPrefix(path: string): (typeof RATE_LIMITED_PREFIXES)[number] | undefined {
  return RATE_LIMITED_PREFIXES.find((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}?`));
}

/** Header names as Palette documents them; servers must match them case-insensitively. */
export const HEADER_API_KEY = "ApiKey";
export const HEADER_AUTHORIZATION = "Authorization";
export const HEADER_PROJECT_UID = "ProjectUid";
