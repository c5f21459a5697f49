import { RawEnv } from './env-reader';

/**
 * `.env.<NODE_ENV>` before `.env`: the first file that sets a variable wins, and the process
 * environment beats both (ConfigModule's rule). Both files are optional and never committed.
 */
export function envFilePaths(env: RawEnv): string[] {
  const nodeEnv = env.NODE_ENV?.trim() || 'development';
  return [`.env.${nodeEnv}`, '.env'];
}
