import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The service's name and version, from the package.json next to `dist/` (and `src/`): the one place it is
 * written. The runtime image copies package.json for `npm ci`, so it is there too. This file runs
 * from src/common/ (tests), dist/common/ (the CLIs) and the bundle dist/main.js, so the manifest
 * is one or two folders up.
 */
const manifest = readManifest();
export const APP_NAME = typeof manifest.name === 'string' ? manifest.name : 'greet-cors-api';
export const APP_VERSION = typeof manifest.version === 'string' ? manifest.version : 'unknown';

function readManifest(): { name?: unknown; version?: unknown } {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const file = path.resolve(__dirname, relative);
      return JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    } catch {
      // Not there (or not JSON): the next candidate.
    }
  }
  return {};
}
