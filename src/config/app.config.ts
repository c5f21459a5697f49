import { ConfigType, registerAs } from '@nestjs/config';
import { EnvReader } from './env-reader';
import { parseEnv } from './parse-env';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** Parses the service-wide variables; problems go to the reader, defaults fill the gaps. */
export function readAppEnv(reader: EnvReader) {
  return {
    nodeEnv: reader.oneOf('NODE_ENV', NODE_ENVS, 'development'),
    host: reader.host('HOST', '0.0.0.0'),
    port: reader.integer('PORT', 5000, 1, 65535),
    bodyLimitBytes: reader.byteSize('BODY_LIMIT', '1mb'),
  };
}

export const appConfig = registerAs('app', () => parseEnv(process.env, readAppEnv));
export type AppConfig = ConfigType<typeof appConfig>;
