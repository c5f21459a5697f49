let lastMillis = -1;
let lastIso = '';

/**
 * `new Date().toISOString()`, computed once per millisecond rather than once per call: the text
 * has millisecond resolution, so every call within one millisecond gets the same string anyway.
 * Under load many requests (their access lines, their greeting's timestamp) share each one.
 */
export function isoNow(): string {
  const now = Date.now();
  if (now !== lastMillis) {
    lastMillis = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}
