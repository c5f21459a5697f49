import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The service's name and version, from the package.json next to `dist/` (and `src/`): the one place it is
 * written. The runtime image copies package.json for `npm ci`, so it is there too.
 */
const manifest = readManifest();
export const APP_NAME = typeof manifest.name === 'string' ? manifest.name : 'greet-cors-api';
export const APP_VERSION = typeof manifest.version === 'string' ? manifest.version : 'unknown';

function readManifest(): { name?: unknown; version?: unknown } {
  try {
    const file = path.resolve(__dirname, '../../package.json');
    return JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return {};
  }
}
