import { readCorsEnv } from '../cors/cors.config';
import { readMetricsEnv } from '../metrics/metrics.config';
import { readRateLimitEnv } from '../rate-limit/rate-limit.config';
import { NodeEnv, readAppEnv } from './app.config';
import { EnvReader, RawEnv } from './env-reader';
import { parseEnv } from './parse-env';
import { describeUnknown, findUnknownVariables } from './unknown-variables';

function readAll(reader: EnvReader): NodeEnv {
  const app = readAppEnv(reader);
  readCorsEnv(reader, app.nodeEnv);
  readMetricsEnv(reader, app);
  readRateLimitEnv(reader);
  return app.nodeEnv;
}

/**
 * The `validate` hook of ConfigModule: runs every namespace's parser over the merged environment
 * (process env, then `.env.<NODE_ENV>`, then `.env`) once at boot, and fails with all problems at
 * once. The namespaces' factories later parse the same values again, knowing they are valid.
 */
export function validateEnv(env: Record<string, unknown>): Record<string, unknown> {
  parseEnv(env as RawEnv, (reader) => {
    // A misspelt variable silently falls back to its default: in production that is an error.
    if (readAll(reader) !== 'production') return;
    for (const unknown of findUnknownVariables(env as RawEnv, [...reader.names])) {
      reader.fail(`${describeUnknown(unknown)} (refused when NODE_ENV=production)`);
    }
  });
  return env;
}

/** Outside production, the same findings are warnings, logged once at startup. */
export function unknownVariableWarnings(env: RawEnv): string[] {
  return findUnknownVariables(env, knownEnvVariables()).map(describeUnknown);
}

/** Every environment variable the service reads (for checking deployment files). */
export function knownEnvVariables(): string[] {
  const reader = new EnvReader({});
  readAll(reader);
  return [...reader.names].sort();
}
