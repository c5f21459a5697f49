import { ConfigType, registerAs } from '@nestjs/config';
import { MAX_TRUSTED_PROXIES } from '../common/http/client-address';
import { HTTP_PLATFORMS, HttpPlatformName } from '../platform/http-platform';
import { EnvReader } from './env-reader';
import { parseEnv } from './parse-env';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Which responses get an access line: every one, only 4xx/5xx/aborted/refused ones, none. */
export const ACCESS_LOG_MODES = ['all', 'errors', 'off'] as const;
export type AccessLogMode = (typeof ACCESS_LOG_MODES)[number];

/**
 * Whole request bodies are held in memory: past a few megabytes one request could take a pod
 * over its memory limit (and Node cannot even build a string of hundreds of megabytes).
 */
export const MAX_BODY_LIMIT = '10mb';
const HOUR_MS = 3_600_000;

/** Parses the service-wide variables; problems go to the reader, defaults fill the gaps. */
export function readAppEnv(reader: EnvReader) {
  const nodeEnv = reader.oneOf('NODE_ENV', NODE_ENVS, 'development');
  return {
    nodeEnv,
    host: reader.host('HOST', '0.0.0.0'),
    port: reader.integer('PORT', 5000, 1, 65535),
    bodyLimitBytes: reader.byteSize('BODY_LIMIT', '1mb', MAX_BODY_LIMIT),
    bodyMaxDepth: reader.integer('BODY_MAX_DEPTH', 32, 1, 256),
    bodyMaxElements: reader.integer('BODY_MAX_ELEMENTS', 1000, 1, 100_000),
    ...readTimeouts(reader),
    logLevel: reader.oneOf<LogLevelName>('LOG_LEVEL', LOG_LEVELS, 'info'),
    accessLog: reader.oneOf<AccessLogMode>('ACCESS_LOG', ACCESS_LOG_MODES, 'all'),
    shutdownTimeoutMs: reader.integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    docsEnabled: reader.boolean('DOCS_ENABLED', nodeEnv !== 'production'),
    httpPlatform: reader.oneOf<HttpPlatformName>('HTTP_PLATFORM', HTTP_PLATFORMS, 'express'),
    // Proxy hops whose X-Forwarded-For entries are believed (client-address.ts): the client of
    // the rate limits and the access line.
    trustProxy: reader.integer('TRUST_PROXY', 0, 0, MAX_TRUSTED_PROXIES),
  };
}

/**
 * Keep-alive outlives the 60 s idle timeout of common load balancers, so the balancer, not the
 * service, closes idle connections: otherwise it may reuse one the service has just closed (a 502).
 */
function readTimeouts(reader: EnvReader) {
  const before = reader.problemCount;
  const requestTimeoutMs = reader.integer('REQUEST_TIMEOUT_MS', 30_000, 1000, HOUR_MS);
  // The default follows a shorter request timeout, so setting only that one is enough.
  const headersDefault = Math.min(20_000, requestTimeoutMs);
  const headersTimeoutMs = reader.integer('HEADERS_TIMEOUT_MS', headersDefault, 1000, HOUR_MS);
  const keepAliveTimeoutMs = reader.integer('KEEP_ALIVE_TIMEOUT_MS', 65_000, 1000, HOUR_MS);
  // Node cannot honour a headers timeout longer than the timeout of the whole request (compared
  // only when both values are valid, so one mistake gives one message).
  if (reader.problemCount === before && headersTimeoutMs > requestTimeoutMs) {
    reader.fail(
      `HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs}), got "${headersTimeoutMs}"`,
    );
  }
  // After an answer given while the client still sends its body: how long to keep reading (and
  // discarding) before the connection closes, so the client gets the answer (lingering-close.ts).
  const lingerTimeoutMs = reader.integer('LINGER_TIMEOUT_MS', 2000, 0, 30_000);
  return { requestTimeoutMs, headersTimeoutMs, keepAliveTimeoutMs, lingerTimeoutMs };
}

export const appConfig = registerAs('app', () => parseEnv(process.env, readAppEnv));
export type AppConfig = ConfigType<typeof appConfig>;
