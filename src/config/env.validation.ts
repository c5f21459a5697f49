import { readAppEnv } from './app.config';
import { EnvReader, RawEnv } from './env-reader';

/**
 * The `validate` hook of ConfigModule: runs every namespace's parser over the merged environment
 * (process env, then `.env.<NODE_ENV>`, then `.env`) once at boot, and fails with all problems at
 * once. The namespaces' factories later parse the same values again, knowing they are valid.
 */
export function validateEnv(env: Record<string, unknown>): Record<string, unknown> {
  const reader = new EnvReader(env as RawEnv);
  readAppEnv(reader);
  reader.done();
  return env;
}
