import { ConfigType, registerAs } from '@nestjs/config';
import { EnvReader } from '../config/env-reader';
import { parseEnv } from '../config/parse-env';

export const RATE_LIMIT_STORES = ['memory', 'redis'] as const;
export type RateLimitStoreName = (typeof RATE_LIMIT_STORES)[number];

/** While the store is down: serve without limits, or answer 503. */
export const STORE_ERROR_MODES = ['open', 'closed'] as const;
export type StoreErrorMode = (typeof STORE_ERROR_MODES)[number];

export const WINDOW_MIN_MS = 1000;
export const WINDOW_MAX_MS = 86_400_000;
/** A budget of a billion requests is no limit; past it the counters' arithmetic is not exact. */
export const MAX_LIMIT = 1_000_000_000;

/**
 * Redis expires keys in whole seconds (the counting script sets `EX`), so a window is a whole
 * number of seconds: 1500 would silently become 1 s in Redis and 1.5 s in memory.
 */
export function windowProblem(label: string, value: unknown, shown = value): string | undefined {
  if (
    typeof value === 'number' &&
    Number.isSafeInteger(value) &&
    value >= WINDOW_MIN_MS &&
    value <= WINDOW_MAX_MS &&
    value % 1000 === 0
  ) {
    return undefined;
  }
  return `${label} must be a whole number of seconds in milliseconds, ${WINDOW_MIN_MS}-${WINDOW_MAX_MS} in steps of 1000, got ${JSON.stringify(shown)}`;
}

/** Parses the RATE_LIMIT_* variables and REDIS_URL. */
export function readRateLimitEnv(reader: EnvReader) {
  const max = reader.integer('RATE_LIMIT_MAX', 0, 0, MAX_LIMIT);
  const rawWindow = reader.raw('RATE_LIMIT_WINDOW_MS');
  let windowMs = 60_000;
  if (rawWindow !== undefined) {
    const parsed = /^\d+$/.test(rawWindow) ? Number(rawWindow) : rawWindow;
    const problem = windowProblem('RATE_LIMIT_WINDOW_MS', parsed, rawWindow);
    if (problem === undefined) windowMs = parsed as number;
    else reader.fail(problem);
  }
  const store = reader.oneOf<RateLimitStoreName>('RATE_LIMIT_STORE', RATE_LIMIT_STORES, 'memory');
  const onStoreError = reader.oneOf<StoreErrorMode>(
    'RATE_LIMIT_ON_STORE_ERROR',
    STORE_ERROR_MODES,
    'open',
  );
  const redisUrl = readRedisUrl(reader, store);
  return { max, windowMs, store, onStoreError, redisUrl };
}

function readRedisUrl(reader: EnvReader, store: RateLimitStoreName): string | undefined {
  const value = reader.raw('REDIS_URL');
  if (value === undefined) {
    if (store === 'redis') {
      reader.fail(
        'REDIS_URL is required when RATE_LIMIT_STORE=redis, got nothing (e.g. "redis://redis:6379/0")',
      );
    }
    return undefined;
  }
  const problem = redisUrlProblem(value);
  if (problem !== undefined) {
    reader.fail(`REDIS_URL ${problem}, got ${JSON.stringify(redactUrl(value))}`);
    return undefined;
  }
  return value;
}

/** What is wrong with a Redis URL, or undefined: `redis[s]://[user:password@]host[:port][/db]`. */
function redisUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a URL such as "redis://host:6379/0"';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return 'must start with redis:// or rediss://';
  }
  if (url.hostname === '') return 'must name a host';
  if (!/^(\/(\d{1,2})?)?$/.test(url.pathname)) {
    return 'may end only in a database number such as /0';
  }
  if (url.search !== '' || url.hash !== '') return 'must not carry a query or a fragment';
  return undefined;
}

/** The store as logs name it: `memory`, or `redis at <the URL, password masked>`. */
export function describeStore(config: { store: RateLimitStoreName; redisUrl?: string }): string {
  return config.store === 'redis' && config.redisUrl !== undefined
    ? `redis at ${redactUrl(config.redisUrl)}`
    : 'memory';
}

/** The URL with its password masked: what logs and error messages may show. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password === '') return value;
    url.password = '***';
    return url.toString();
  } catch {
    // Not a URL: mask whatever could be a password between ':' and '@'.
    return value.replace(/:[^:@/]*@/, ':***@');
  }
}

export const rateLimitConfig = registerAs('rateLimit', () =>
  parseEnv(process.env, readRateLimitEnv),
);
export type RateLimitConfig = ConfigType<typeof rateLimitConfig>;
