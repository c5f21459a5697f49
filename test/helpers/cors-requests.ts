import type http from 'node:http';
import { rawRequest, RawResponse } from './raw-http';
import { startTestApp, TestApp } from './test-app';

/** The 403 envelope of a refused origin. */
export const ORIGIN_NOT_ALLOWED = { statusCode: 403, error: 'Origin not allowed' };

const CORS_VARIABLES = [
  'CORS_ALLOWED_ORIGINS',
  'CORS_ALLOW_CREDENTIALS',
  'CORS_ALLOWED_METHODS',
  'CORS_ALLOWED_HEADERS',
  'CORS_EXPOSED_HEADERS',
  'CORS_MAX_AGE',
  'CORS_ALLOW_INSECURE_ORIGINS',
  'BODY_LIMIT',
];

/**
 * Starts the real app with every CORS_* variable (and BODY_LIMIT) unset except those given, so a
 * value left in the developer's shell cannot change what a test sees.
 */
export function startCorsApp(env: Record<string, string> = {}): Promise<TestApp> {
  const cleared = Object.fromEntries(CORS_VARIABLES.map((name) => [name, undefined]));
  return startTestApp({ ...cleared, ...env });
}

/** Names of every `Access-Control-*` response header, sorted. */
export function corsHeaderNames(headers: http.IncomingHttpHeaders): string[] {
  return Object.keys(headers)
    .filter((name) => name.toLowerCase().startsWith('access-control-'))
    .sort();
}

/** A comma-separated header as a list of trimmed elements (empty when the header is absent). */
export function listOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(',') : value;
  return joined
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** The `Vary` list, lowercased. */
export function varyOf(headers: http.IncomingHttpHeaders): string[] {
  return listOf(headers.vary).map((name) => name.toLowerCase());
}

export interface RawRequestOptions {
  readonly method?: string;
  readonly path?: string;
  /** Header lines in order; the same name may repeat. */
  readonly headers?: ReadonlyArray<readonly [string, string]>;
  readonly body?: string;
}

/**
 * Sends one request on a raw socket, header lines written exactly as given (UTF-8), with Host,
 * Connection: close and, when there is a body, Content-Length added.
 */
export function sendRaw(url: string, options: RawRequestOptions = {}): Promise<RawResponse> {
  const { method = 'GET', path = '/', headers = [], body } = options;
  const { host } = new URL(url);
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${host}`, 'Connection: close'];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return rawRequest(url, `${lines.join('\r\n')}\r\n\r\n`, body ?? '');
}

/** POST /greet with a valid JSON body and the given Origin line(s), on a raw socket. */
export function rawGreet(url: string, origins: readonly string[]): Promise<RawResponse> {
  return sendRaw(url, {
    method: 'POST',
    path: '/greet',
    headers: [
      ...origins.map((origin) => ['Origin', origin] as const),
      ['Content-Type', 'application/json'],
    ],
    body: '{"name":"Alice"}',
  });
}

/** A preflight for POST /greet with Content-Type and the given Origin line(s), on a raw socket. */
export function rawPreflight(url: string, origins: readonly string[]): Promise<RawResponse> {
  return sendRaw(url, {
    method: 'OPTIONS',
    path: '/greet',
    headers: [
      ...origins.map((origin) => ['Origin', origin] as const),
      ['Access-Control-Request-Method', 'POST'],
      ['Access-Control-Request-Headers', 'content-type'],
    ],
  });
}
