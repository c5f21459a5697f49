import { ConfigType, registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';
import { parseEnv } from './parse-env';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** Parses the service-wide variables; problems go to the reader, defaults fill the gaps. */
export function readAppEnv(reader: EnvReader) {
  const nodeEnv = reader.oneOf('NODE_ENV', NODE_ENVS, 'development');
  return {
    nodeEnv,
    host: reader.host('HOST', '0.0.0.0'),
    port: reader.integer('PORT', 5000, 1, 65535),
    bodyLimitBytes: reader.byteSize('BODY_LIMIT', '1mb'),
    logLevel: reader.oneOf<LogLevelName>('LOG_LEVEL', LOG_LEVELS, 'info'),
    shutdownTimeoutMs: reader.integer('SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    docsEnabled: reader.boolean('DOCS_ENABLED', nodeEnv !== 'production'),
  };
}

export const appConfig = registerAs('app', () => parseEnv(process.env, readAppEnv));
export type AppConfig = ConfigType<typeof appConfig>;
