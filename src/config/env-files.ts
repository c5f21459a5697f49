import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { RawEnv } from './env-reader';

/**
 * `.env.<NODE_ENV>` before `.env`: the first file that sets a variable wins, and the process
 * environment beats both (ConfigModule's rule). Both files are optional and never committed.
 * NODE_ENV comes from the process environment, or else from `.env` itself, so `NODE_ENV=production`
 * written in `.env` selects `.env.production` too.
 */
export function envFilePaths(env: RawEnv, cwd = process.cwd()): string[] {
  const nodeEnv = env.NODE_ENV?.trim() || nodeEnvInDotEnv(cwd) || 'development';
  return [`.env.${nodeEnv}`, '.env'];
}

function nodeEnvInDotEnv(cwd: string): string | undefined {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return undefined;
  try {
    return parseEnv(readFileSync(file, 'utf8')).NODE_ENV?.trim() || undefined;
  } catch {
    // An unreadable .env is reported when ConfigModule reads it.
    return undefined;
  }
}
