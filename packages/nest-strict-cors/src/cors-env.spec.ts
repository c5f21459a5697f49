import { corsOptionsFromEnv, readCorsEnv } from './cors-env';
import { StrictCorsOptionsError } from './resolve-options';

describe('readCorsEnv', () => {
  it('reads every variable, trimmed, with the package defaults for the rest', () => {
    const read = readCorsEnv({
      CORS_ALLOWED_ORIGINS: ' https://a.example.com , ,https://*.b.example.com ',
      CORS_ALLOW_CREDENTIALS: 'true',
      CORS_MAX_AGE: '120',
    });
    expect(read.problems).toEqual([]);
    expect(read.options).toMatchObject({
      origins: ['https://a.example.com', 'https://*.b.example.com'],
      credentials: true,
      methods: ['GET', 'HEAD', 'POST'],
      allowedHeaders: ['Content-Type'],
      maxAge: 120,
    });
    expect(read.sources).toMatchObject({ origins: 'env', maxAge: 'env', methods: 'default' });
  });

  it('requires CORS_ALLOWED_ORIGINS unless a default is given, and always in production', () => {
    expect(readCorsEnv({}).problems).toEqual([
      'CORS_ALLOWED_ORIGINS is required, got nothing (e.g. "https://app.example.com")',
    ]);
    const defaults = { origins: ['http://localhost:5173'] };
    expect(readCorsEnv({ CORS_ALLOWED_ORIGINS: '  ' }, { defaults }).problems).toEqual([]);
    expect(readCorsEnv({ NODE_ENV: 'production' }, { defaults }).problems).toEqual([
      'CORS_ALLOWED_ORIGINS is required when NODE_ENV=production, got nothing (e.g. "https://app.example.com")',
    ]);
  });

  it('still checks the other variables when origins are missing', () => {
    expect(readCorsEnv({ CORS_MAX_AGE: 'soon', CORS_ALLOWED_METHODS: 'get' }).problems).toEqual([
      'CORS_ALLOWED_ORIGINS is required, got nothing (e.g. "https://app.example.com")',
      'CORS_MAX_AGE must be an integer 0-86400, got "soon"',
      'CORS_ALLOWED_METHODS: "get" must be uppercase ("GET")',
    ]);
  });

  it('takes `*` alone as every origin, and warns about loopback origins in production', () => {
    expect(readCorsEnv({ CORS_ALLOWED_ORIGINS: '*' }).options.origins).toBe('*');
    const read = readCorsEnv(
      { CORS_ALLOWED_ORIGINS: 'https://app.example.com,http://localhost:3000' },
      { production: true },
    );
    expect(read.warnings).toEqual([
      'CORS_ALLOWED_ORIGINS: "http://localhost:3000" is a loopback origin in production',
    ]);
  });
});

describe('corsOptionsFromEnv', () => {
  it('throws every problem at once, each naming the variable and the value', () => {
    let error: unknown;
    try {
      corsOptionsFromEnv({
        CORS_ALLOWED_ORIGINS: 'https://*.com,null',
        CORS_ALLOW_CREDENTIALS: 'yes',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StrictCorsOptionsError);
    expect((error as StrictCorsOptionsError).problems).toEqual([
      'CORS_ALLOW_CREDENTIALS must be "true" or "false", got "yes"',
      'CORS_ALLOWED_ORIGINS: "https://*.com" would match every site under the public suffix "com"',
      'CORS_ALLOWED_ORIGINS: "null" is never allowed: sandboxed iframes, file: pages and redirects all send "null"',
    ]);
  });

  it('returns options the module accepts', () => {
    expect(corsOptionsFromEnv({ CORS_ALLOWED_ORIGINS: 'https://app.example.com' })).toMatchObject({
      origins: ['https://app.example.com'],
      credentials: false,
    });
  });
});
