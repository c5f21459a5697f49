import { ConfigValidationError } from './config-validation.error';
import { knownEnvVariables, validateEnv } from './env.validation';

describe('validateEnv', () => {
  it('passes a valid environment through unchanged', () => {
    const env = { PORT: '8080', CORS_ALLOWED_ORIGINS: 'https://app.example.com', OTHER: 'x' };
    expect(validateEnv(env)).toBe(env);
  });

  it('reports problems of every namespace at once', () => {
    expect(() => validateEnv({ PORT: 'x', CORS_MAX_AGE: 'y' })).toThrow(ConfigValidationError);
    try {
      validateEnv({ PORT: 'x', CORS_MAX_AGE: 'y' });
    } catch (error) {
      expect((error as ConfigValidationError).problems).toHaveLength(2);
    }
  });
});

describe('knownEnvVariables', () => {
  it('lists every variable the parsers read', () => {
    expect(knownEnvVariables()).toEqual([
      'ACCESS_LOG',
      'BODY_LIMIT',
      'BODY_MAX_DEPTH',
      'BODY_MAX_ELEMENTS',
      'CORS_ALLOWED_HEADERS',
      'CORS_ALLOWED_METHODS',
      'CORS_ALLOWED_ORIGINS',
      'CORS_ALLOW_CREDENTIALS',
      'CORS_ALLOW_INSECURE_ORIGINS',
      'CORS_EXPOSED_HEADERS',
      'CORS_MAX_AGE',
      'DOCS_ENABLED',
      'HEADERS_TIMEOUT_MS',
      'HOST',
      'HTTP_PLATFORM',
      'KEEP_ALIVE_TIMEOUT_MS',
      'LINGER_TIMEOUT_MS',
      'LOG_LEVEL',
      'METRICS_ENABLED',
      'METRICS_HOST',
      'METRICS_PORT',
      'NODE_ENV',
      'PORT',
      'RATE_LIMIT_MAX',
      'RATE_LIMIT_ON_STORE_ERROR',
      'RATE_LIMIT_STORE',
      'RATE_LIMIT_WINDOW_MS',
      'REDIS_URL',
      'REQUEST_TIMEOUT_MS',
      'SHUTDOWN_TIMEOUT_MS',
      'TRUST_PROXY',
    ]);
  });
});
