import { knownEnvVariables } from './env.validation';
import { describeUnknown, findUnknownVariables } from './unknown-variables';

const KNOWN = knownEnvVariables();
const find = (...names: string[]) =>
  findUnknownVariables(Object.fromEntries(names.map((name) => [name, 'x'])), KNOWN);

it('leaves a Kubernetes service link <SVC>_PORT=tcp://… alone, but not a stray CORS_…_PORT', () => {
  expect(findUnknownVariables({ METRICS_SERVER_PORT: 'tcp://10.0.0.1:443' }, KNOWN)).toEqual([]);
  expect(findUnknownVariables({ METRICS_SERVER_PORT: '9100' }, KNOWN)).toEqual([
    { name: 'METRICS_SERVER_PORT' },
  ]);
});

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
    ['port', 'PORT'],
    ['CORS_ORIGIN', 'CORS_ALLOWED_ORIGINS'],
    ['CORS_METHODS', 'CORS_ALLOWED_METHODS'],
    ['CORS_CREDENTIALS', 'CORS_ALLOW_CREDENTIALS'],
    ['METRIC_PORT', 'METRICS_PORT'],
    ['SHUTDOWN_TIMEOUT', 'SHUTDOWN_TIMEOUT_MS'],
    ['NODEENV', 'NODE_ENV'],
    ['RATELIMIT_MAX', 'RATE_LIMIT_MAX'],
    ['RATE_LIMIT_WINDOW', 'RATE_LIMIT_WINDOW_MS'],
    ['REDIS_URI', 'REDIS_URL'],
    ['TRUST_PROXYS', 'TRUST_PROXY'],
  ])('%s → did you mean %s', (name, suggestion) => {
    expect(find(name)).toEqual([{ name, suggestion }]);
  });

  it('flags any other name under our prefixes, without a guess when nothing is close', () => {
    expect(
      find('CORS_ENABLED', 'METRICS_URL', 'BODY_MAX_BYTES_EVER', 'RATE_LIMIT_BURST_SIZE'),
    ).toEqual([
      { name: 'BODY_MAX_BYTES_EVER' },
      { name: 'CORS_ENABLED' },
      { name: 'METRICS_URL' },
      { name: 'RATE_LIMIT_BURST_SIZE' },
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
        // Kubernetes service links of other teams' Services, whatever their names.
        'METRICS_SERVER_SERVICE_HOST',
        'METRICS_SERVER_SERVICE_PORT',
        'METRICS_SERVER_SERVICE_PORT_HTTPS',
        'CORS_PROXY_PORT_443_TCP',
        'CORS_PROXY_PORT_443_TCP_ADDR',
        'CORS_PROXY_PORT_443_TCP_PROTO',
        'BODY_SHOP_PORT_80_UDP_PORT',
        // Marathon / DC/OS
        'PORT0',
        'PORTS',
        'PORT_HTTP',
        'HOSTS',
        'POST',
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
      "CORS_ENABLED is not a variable this service reads (the README's configuration table lists them)",
    );
  });
});
