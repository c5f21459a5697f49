import { problemsOf } from '../config/config-problems.testing';
import { parseEnv } from '../config/parse-env';
import { readAppEnv } from '../config/app.config';
import { isOriginAllowed } from 'nest-strict-cors';
import { readCorsEnv } from './cors.config';

function parse(env: Record<string, string>) {
  return parseEnv(env, (reader) => readCorsEnv(reader, readAppEnv(reader).nodeEnv));
}

const problems = (env: Record<string, string>) => problemsOf(() => parse(env));

describe('readCorsEnv', () => {
  it('has safe defaults outside production', () => {
    const { policy, warnings } = parse({});
    expect(isOriginAllowed(policy.allowlist, 'http://localhost:1234')).toBe(true);
    expect(isOriginAllowed(policy.allowlist, 'http://localhost:5000')).toBe(false);
    expect(policy).toMatchObject({
      credentials: false,
      methods: ['GET', 'HEAD', 'POST'],
      allowedHeaders: ['content-type', 'x-request-id'],
      // The service's own headers: the request id and the rate limit's.
      exposedHeaders: [
        'X-Request-Id',
        'Retry-After',
        'X-RateLimit-Limit',
        'X-RateLimit-Remaining',
        'X-RateLimit-Reset',
      ],
      maxAge: 60,
    });
    expect(warnings).toEqual([]);
  });

  it('trims list elements and ignores empty ones', () => {
    const { policy } = parse({
      CORS_ALLOWED_ORIGINS: ' https://a.example.com , ,https://b.example.com ',
      CORS_ALLOWED_HEADERS: 'Content-Type, X-Request-Id',
    });
    expect(isOriginAllowed(policy.allowlist, 'https://b.example.com')).toBe(true);
    expect(policy.allowedHeaders).toEqual(['content-type', 'x-request-id']);
  });

  it('accepts `*` alone without credentials', () => {
    expect(parse({ CORS_ALLOWED_ORIGINS: '*' }).policy.allowlist).toEqual({ kind: 'any' });
  });

  it('warns about loopback origins in production', () => {
    const { warnings } = parse({
      NODE_ENV: 'production',
      CORS_ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:1234',
    });
    expect(warnings).toEqual([
      'CORS_ALLOWED_ORIGINS: "http://localhost:1234" is a loopback origin in production',
    ]);
  });

  it('allows plain-http loopback origins with credentials (local development)', () => {
    expect(
      problems({ CORS_ALLOWED_ORIGINS: 'http://localhost:1234', CORS_ALLOW_CREDENTIALS: 'true' }),
    ).toEqual([]);
  });

  it('allows plain-http origins with credentials only when explicitly overridden', () => {
    const env = {
      CORS_ALLOWED_ORIGINS: 'http://intranet.example.com',
      CORS_ALLOW_CREDENTIALS: 'true',
    };
    expect(problems(env)).toEqual([
      'CORS_ALLOWED_ORIGINS: "http://intranet.example.com" is plain http with CORS_ALLOW_CREDENTIALS=true; use https or set CORS_ALLOW_INSECURE_ORIGINS=true',
    ]);
    expect(problems({ ...env, CORS_ALLOW_INSECURE_ORIGINS: 'true' })).toEqual([]);
    expect(problems({ CORS_ALLOWED_ORIGINS: 'http://intranet.example.com' })).toEqual([]);
  });

  it.each([
    [{ NODE_ENV: 'production' }, 'CORS_ALLOWED_ORIGINS is required when NODE_ENV=production'],
    [
      { CORS_ALLOWED_ORIGINS: '*', CORS_ALLOW_CREDENTIALS: 'true' },
      'CORS_ALLOWED_ORIGINS: "*" cannot be combined with CORS_ALLOW_CREDENTIALS=true',
    ],
    [
      { CORS_ALLOWED_ORIGINS: '*,https://a.example.com' },
      'CORS_ALLOWED_ORIGINS: "*" must be the only entry',
    ],
    [{ CORS_ALLOWED_ORIGINS: ',,' }, 'CORS_ALLOWED_ORIGINS: must list at least one origin'],
    [{ CORS_ALLOWED_ORIGINS: 'null' }, 'CORS_ALLOWED_ORIGINS: "null" is never allowed'],
    [
      { CORS_ALLOWED_ORIGINS: 'https://app.example.com/' },
      'CORS_ALLOWED_ORIGINS: "https://app.example.com/" must not end with "/"',
    ],
    [
      { CORS_ALLOWED_ORIGINS: 'https://*.com' },
      'CORS_ALLOWED_ORIGINS: "https://*.com" would match every site',
    ],
    [
      { CORS_ALLOW_CREDENTIALS: 'yes' },
      'CORS_ALLOW_CREDENTIALS must be "true" or "false", got "yes"',
    ],
    [
      { CORS_ALLOW_INSECURE_ORIGINS: '1' },
      'CORS_ALLOW_INSECURE_ORIGINS must be "true" or "false", got "1"',
    ],
    [{ CORS_MAX_AGE: '-1' }, 'CORS_MAX_AGE must be an integer 0-86400, got "-1"'],
    [{ CORS_MAX_AGE: 'soon' }, 'CORS_MAX_AGE must be an integer 0-86400, got "soon"'],
    [{ CORS_MAX_AGE: '86401' }, 'CORS_MAX_AGE must be an integer 0-86400, got "86401"'],
    [{ CORS_ALLOWED_METHODS: 'get' }, 'CORS_ALLOWED_METHODS: "get" must be uppercase ("GET")'],
    [
      { CORS_ALLOWED_METHODS: 'GET,FOO' },
      'CORS_ALLOWED_METHODS: "FOO" is not a method Node\'s HTTP server accepts (e.g. GET, POST, PUT, PATCH, DELETE)',
    ],
    [{ CORS_ALLOWED_METHODS: 'GET,PO ST' }, 'CORS_ALLOWED_METHODS: "PO ST" is not a valid method'],
    [{ CORS_ALLOWED_METHODS: '*' }, 'CORS_ALLOWED_METHODS: "*" is not supported'],
    [{ CORS_ALLOWED_METHODS: ' , ' }, 'CORS_ALLOWED_METHODS: must list at least one method'],
    [
      { CORS_ALLOWED_HEADERS: 'X-Ok, X:Bad' },
      'CORS_ALLOWED_HEADERS: "X:Bad" is not a valid header name',
    ],
    [{ CORS_ALLOWED_HEADERS: '*' }, 'CORS_ALLOWED_HEADERS: "*" is not supported'],
    [{ CORS_EXPOSED_HEADERS: 'X(1)' }, 'CORS_EXPOSED_HEADERS: "X(1)" is not a valid header name'],
  ])('refuses %j', (env, message) => {
    const found = problems(env);
    expect(found.some((p) => p.startsWith(message))).toBe(true);
  });

  it('reports every bad entry of the list, not only the first', () => {
    expect(
      problems({
        CORS_ALLOWED_ORIGINS:
          'https://a.example.com/,null,https://ok.example.com,ftp://x.example.com',
      }),
    ).toHaveLength(3);
  });
});
