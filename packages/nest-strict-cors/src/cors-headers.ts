import type { ServerResponse } from 'node:http';
import type { HeaderList } from './options';

/** The Vary tokens a CORS decision sets; other tokens (an app's `Accept-Language`) are kept. */
const CORS_VARY_TOKENS = new Set([
  'origin',
  'access-control-request-method',
  'access-control-request-headers',
  'sec-fetch-site',
]);

/**
 * Sets a decision's headers on a response not yet sent. `Vary` is merged with what is there
 * already (setHeader would replace an earlier middleware's tokens); the others are set.
 */
export function setCorsHeaders(res: ServerResponse, headers: HeaderList): void {
  for (const [name, value] of headers) {
    if (name === 'Vary') res.setHeader('Vary', mergeVary(res.getHeader('vary'), value));
    else res.setHeader(name, value);
  }
}

/**
 * Replaces the CORS headers of a response not yet sent: every Access-Control-* header and the
 * CORS tokens of Vary go, then `headers` are set (the guard, when the handler's policy differs
 * from the one that decided before routing).
 */
export function replaceCorsHeaders(res: ServerResponse, headers: HeaderList): void {
  for (const name of res.getHeaderNames()) {
    if (name.startsWith('access-control-')) res.removeHeader(name);
  }
  const kept = varyTokens(res.getHeader('vary')).filter(
    (token) => !CORS_VARY_TOKENS.has(token.toLowerCase()),
  );
  if (kept.length > 0) res.setHeader('Vary', kept.join(', '));
  else res.removeHeader('vary');
  setCorsHeaders(res, headers);
}

function mergeVary(existing: ReturnType<ServerResponse['getHeader']>, added: string): string {
  const tokens = varyTokens(existing);
  if (tokens.length === 0) return added;
  const seen = new Set(tokens.map((token) => token.toLowerCase()));
  for (const token of added.split(',')) {
    const trimmed = token.trim();
    if (!seen.has(trimmed.toLowerCase())) tokens.push(trimmed);
  }
  return tokens.join(', ');
}

function varyTokens(value: ReturnType<ServerResponse['getHeader']>): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return text
    .split(',')
    .map((token) => token.trim())
    .filter((token) => token !== '');
}
