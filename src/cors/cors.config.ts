import { ConfigType, registerAs } from '@nestjs/config';
import { CORS_ENV_VARIABLES, readCorsEnv as readCorsVariables } from 'nest-strict-cors';
import { REQUEST_ID_HEADER } from '../common/request-id';
import { NodeEnv, readAppEnv } from '../config/app.config';
import { EnvReader } from '../config/env-reader';
import { parseEnv } from '../config/parse-env';
import { RATE_LIMIT_EXPOSED_HEADERS } from '../rate-limit/rate-limit.headers';

export const CORS_ENV_DEFAULTS = {
  origins: ['http://localhost:1234'],
  methods: ['GET', 'HEAD', 'POST'],
  // X-Request-Id: a front end may send its own id to correlate its logs with ours.
  allowedHeaders: ['Content-Type', 'X-Request-Id'],
  maxAge: 60,
} as const;

/** The variable behind each setting of the environment's policy. */
export const ENV_LABELS = CORS_ENV_VARIABLES;

/**
 * Exposed by every policy: the request id, so a front end can quote it in a bug report, and the
 * rate limit's headers, so it can back off (whether limits are on or not: turning them on
 * changes no CORS line).
 */
export const ALWAYS_EXPOSED_HEADERS = [REQUEST_ID_HEADER, ...RATE_LIMIT_EXPOSED_HEADERS];

/**
 * The CORS_* variables, read by nest-strict-cors with its rules and messages, into the options of
 * the environment's policy; the problems join the service's other configuration problems.
 */
export function readCorsEnv(reader: EnvReader, nodeEnv: NodeEnv) {
  const env: Record<string, string | undefined> = {};
  // reader.raw() also records each name as one the service reads (unknown-variable checks).
  for (const name of Object.values(CORS_ENV_VARIABLES)) env[name] = reader.raw(name);
  const read = readCorsVariables(env, {
    defaults: CORS_ENV_DEFAULTS,
    production: nodeEnv === 'production',
    alwaysExposedHeaders: ALWAYS_EXPOSED_HEADERS,
  });
  read.problems.forEach((problem) => reader.fail(problem));
  return {
    /** The module's options. */
    options: read.options,
    /** What they compile to. */
    policy: read.policy,
    warnings: read.warnings,
    // Which settings the environment set, for `cors:explain`.
    sources: read.sources,
  };
}

export const corsConfig = registerAs('cors', () =>
  parseEnv(process.env, (reader) => readCorsEnv(reader, readAppEnv(reader).nodeEnv)),
);
export type CorsConfig = ConfigType<typeof corsConfig>;
