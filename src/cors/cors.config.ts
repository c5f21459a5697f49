import { ConfigType, registerAs } from '@nestjs/config';
import { NodeEnv, readAppEnv } from '../config/app.config';
import { EnvReader } from '../config/env-reader';
import { parseEnv } from '../config/parse-env';
import { MAX_AGE_LIMIT, parseCorsSettings, SettingLabels } from './cors-options.parser';

export const CORS_ENV_DEFAULTS = {
  origins: ['http://localhost:1234'],
  methods: ['GET', 'HEAD', 'POST'],
  // X-Request-Id: a front end may send its own id to correlate its logs with ours.
  allowedHeaders: ['Content-Type', 'X-Request-Id'],
  maxAge: 60,
} as const;

/** The variable behind each setting of the environment's policy. */
export const ENV_LABELS: SettingLabels = {
  origins: 'CORS_ALLOWED_ORIGINS',
  credentials: 'CORS_ALLOW_CREDENTIALS',
  methods: 'CORS_ALLOWED_METHODS',
  allowedHeaders: 'CORS_ALLOWED_HEADERS',
  exposedHeaders: 'CORS_EXPOSED_HEADERS',
  maxAge: 'CORS_MAX_AGE',
  allowInsecureOrigins: 'CORS_ALLOW_INSECURE_ORIGINS',
};

/** Parses the CORS_* variables into the environment's default policy. */
export function readCorsEnv(reader: EnvReader, nodeEnv: NodeEnv) {
  const originsSet = reader.raw(ENV_LABELS.origins) !== undefined;
  if (!originsSet && nodeEnv === 'production') {
    reader.fail(
      `${ENV_LABELS.origins} is required when NODE_ENV=production, got nothing (e.g. "https://app.example.com")`,
    );
  }
  const origins = reader.list(ENV_LABELS.origins, CORS_ENV_DEFAULTS.origins);
  const allowInsecureOrigins = reader.boolean(ENV_LABELS.allowInsecureOrigins, false);
  const originSetting: '*' | readonly string[] =
    origins.length === 1 && origins[0] === '*' ? '*' : origins;
  const parsed = parseCorsSettings(
    {
      origins: originSetting,
      credentials: reader.boolean(ENV_LABELS.credentials, false),
      methods: reader.list(ENV_LABELS.methods, CORS_ENV_DEFAULTS.methods),
      allowedHeaders: reader.list(ENV_LABELS.allowedHeaders, CORS_ENV_DEFAULTS.allowedHeaders),
      exposedHeaders: reader.list(ENV_LABELS.exposedHeaders, []),
      maxAge: reader.integer(ENV_LABELS.maxAge, CORS_ENV_DEFAULTS.maxAge, 0, MAX_AGE_LIMIT),
      allowInsecureOrigins,
    },
    ENV_LABELS,
  );
  parsed.problems.forEach((problem) => reader.fail(problem));
  const warnings =
    nodeEnv === 'production'
      ? parsed.loopbackOrigins.map(
          (origin) => `${ENV_LABELS.origins}: "${origin}" is a loopback origin in production`,
        )
      : [];
  // Which settings the environment set, for `cors:explain` (read after validation: raw() is cheap).
  const set = (name: string): 'env' | 'default' =>
    reader.raw(name) !== undefined ? 'env' : 'default';
  const sources = {
    origins: set(ENV_LABELS.origins),
    credentials: set(ENV_LABELS.credentials),
    methods: set(ENV_LABELS.methods),
    allowedHeaders: set(ENV_LABELS.allowedHeaders),
    exposedHeaders: set(ENV_LABELS.exposedHeaders),
    maxAge: set(ENV_LABELS.maxAge),
  };
  // The raw entries too: a @CorsPolicy that inherits them is validated again with its own settings.
  return {
    policy: parsed.options,
    origins: originSetting,
    allowInsecureOrigins,
    warnings,
    sources,
  };
}

export const corsConfig = registerAs('cors', () =>
  parseEnv(process.env, (reader) => readCorsEnv(reader, readAppEnv(reader).nodeEnv)),
);
export type CorsConfig = ConfigType<typeof corsConfig>;
