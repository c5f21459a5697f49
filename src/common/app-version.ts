import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The service's version, from the package.json next to `dist/` (and `src/`): the one place it is
 * written. The runtime image copies package.json for `npm ci`, so it is there too.
 */
export const APP_VERSION = readVersion();

function readVersion(): string {
  try {
    const file = path.resolve(__dirname, '../../package.json');
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
