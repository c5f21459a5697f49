import { readCorsEnv } from '../cors/cors.config';
import { readAppEnv } from './app.config';
import { RawEnv } from './env-reader';
import { parseEnv } from './parse-env';

/**
 * The `validate` hook of ConfigModule: runs every namespace's parser over the merged environment
 * (process env, then `.env.<NODE_ENV>`, then `.env`) once at boot, and fails with all problems at
 * once. The namespaces' factories later parse the same values again, knowing they are valid.
 */
export function validateEnv(env: Record<string, unknown>): Record<string, unknown> {
  parseEnv(env as RawEnv, (reader) => readCorsEnv(reader, readAppEnv(reader).nodeEnv));
  return env;
}
