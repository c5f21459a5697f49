/**
 * The headers of a counted answer. Exposed to front-end code by every CORS policy (cors-options
 * parser), whether or not limits are on, so turning limits on changes no CORS line.
 */
export const RATE_LIMIT_HEADERS = {
  limit: 'X-RateLimit-Limit',
  remaining: 'X-RateLimit-Remaining',
  /** Whole seconds until the client's window ends. */
  reset: 'X-RateLimit-Reset',
  retryAfter: 'Retry-After',
} as const;

export const RATE_LIMIT_EXPOSED_HEADERS: readonly string[] = [
  RATE_LIMIT_HEADERS.retryAfter,
  RATE_LIMIT_HEADERS.limit,
  RATE_LIMIT_HEADERS.remaining,
  RATE_LIMIT_HEADERS.reset,
];
