import { knownEnvVariables } from './env.validation';
import { describeUnknown, findUnknownVariables } from './unknown-variables';

const KNOWN = knownEnvVariables();
const find = (...names: string[]) =>
  findUnknownVariables(Object.fromEntries(names.map((name) => [name, 'x'])), KNOWN);

describe('findUnknownVariables', () => {
  it.each([
    ['CORS_ALLOW_CREDENTIAL', 'CORS_ALLOW_CREDENTIALS'],
    ['CORS_ALLOWED_HEADER', 'CORS_ALLOWED_HEADERS'],
    ['CORS_ALLOWED_ORIGIN', 'CORS_ALLOWED_ORIGINS'],
    ['CORS_MAXAGE', 'CORS_MAX_AGE'],
    ['CORS_MAX_AEG', 'CORS_MAX_AGE'],
    ['LOGLEVEL', 'LOG_LEVEL'],
    ['BODYLIMIT', 'BODY_LIMIT'],
    ['log_level', 'LOG_LEVEL'],
    ['PORTS', 'PORT'],
    ['METRIC_PORT', 'METRICS_PORT'],
    ['SHUTDOWN_TIMEOUT', 'SHUTDOWN_TIMEOUT_MS'],
    ['NODEENV', 'NODE_ENV'],
  ])('%s → did you mean %s', (name, suggestion) => {
    expect(find(name)).toEqual([{ name, suggestion }]);
  });

  it('flags any other name under our prefixes, without a guess when nothing is close', () => {
    expect(find('CORS_ENABLED', 'METRICS_URL', 'BODY_MAX_BYTES_EVER')).toEqual([
      { name: 'BODY_MAX_BYTES_EVER' },
      { name: 'CORS_ENABLED' },
      { name: 'METRICS_URL' },
    ]);
  });

  it('leaves known and unrelated variables alone', () => {
    expect(
      find(
        ...KNOWN,
        'PATH',
        'HOME',
        'HOSTNAME',
        'PWD',
        'SHLVL',
        'LANG',
        'TERM',
        'NODE_VERSION',
        'NODE_OPTIONS',
        'NODE_PATH',
        'YARN_VERSION',
        'LOGNAME',
        'KUBERNETES_PORT',
        'KUBERNETES_SERVICE_HOST',
        'GREET_CORS_API_PORT',
        'GREET_CORS_API_SERVICE_PORT',
        'npm_config_loglevel',
        'npm_lifecycle_event',
        'TZ',
        'CI',
        'DEBUG',
      ),
    ).toEqual([]);
  });

  it('describes each finding', () => {
    expect(describeUnknown({ name: 'CORS_MAXAGE', suggestion: 'CORS_MAX_AGE' })).toBe(
      'CORS_MAXAGE is not a variable this service reads; did you mean CORS_MAX_AGE?',
    );
    expect(describeUnknown({ name: 'CORS_ENABLED' })).toBe(
      'CORS_ENABLED is not a variable this service reads (see .env.example)',
    );
  });
});
