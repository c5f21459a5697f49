import { readCorsEnv } from '../cors/cors.config';
import { readMetricsEnv } from '../metrics/metrics.config';
import { readAppEnv } from './app.config';
import { EnvReader, RawEnv } from './env-reader';
import { parseEnv } from './parse-env';

function readAll(reader: EnvReader): void {
  const app = readAppEnv(reader);
  readCorsEnv(reader, app.nodeEnv);
  readMetricsEnv(reader, app);
}

/**
 * The `validate` hook of ConfigModule: runs every namespace's parser over the merged environment
 * (process env, then `.env.<NODE_ENV>`, then `.env`) once at boot, and fails with all problems at
 * once. The namespaces' factories later parse the same values again, knowing they are valid.
 */
export function validateEnv(env: Record<string, unknown>): Record<string, unknown> {
  parseEnv(env as RawEnv, readAll);
  return env;
}

/** Every environment variable the service reads (for checking deployment files). */
export function knownEnvVariables(): string[] {
  const reader = new EnvReader({});
  readAll(reader);
  return [...reader.names].sort();
}
