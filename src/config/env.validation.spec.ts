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
      'BODY_LIMIT',
      'CORS_ALLOWED_HEADERS',
      'CORS_ALLOWED_METHODS',
      'CORS_ALLOWED_ORIGINS',
      'CORS_ALLOW_CREDENTIALS',
      'CORS_ALLOW_INSECURE_ORIGINS',
      'CORS_EXPOSED_HEADERS',
      'CORS_MAX_AGE',
      'DOCS_ENABLED',
      'HOST',
      'LOG_LEVEL',
      'NODE_ENV',
      'PORT',
      'SHUTDOWN_TIMEOUT_MS',
    ]);
  });
});
