/**
 * The one CORS policy of the benchmark. The reference servers configure their CORS library with it
 * and the runner passes the same values to the service as CORS_* variables, so every target is
 * measured under an identical policy.
 */
export const ALLOWED_ORIGINS: readonly string[] = ['http://localhost:1234'];
export const ALLOW_CREDENTIALS = true;
export const MAX_AGE_SECONDS = 60;
