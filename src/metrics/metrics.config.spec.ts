import { readAppEnv } from '../config/app.config';
import { problemsOf } from '../config/config-problems.testing';
import { parseEnv } from '../config/parse-env';
import { readMetricsEnv } from './metrics.config';

function parse(env: Record<string, string>) {
  return parseEnv(env, (reader) => readMetricsEnv(reader, readAppEnv(reader)));
}

const problems = (env: Record<string, string>) => problemsOf(() => parse(env));

describe('readMetricsEnv', () => {
  it('is on by default, on port 9464 of the service host', () => {
    expect(parse({})).toEqual({ enabled: true, host: '0.0.0.0', port: 9464 });
    expect(parse({ HOST: '127.0.0.1' })).toEqual({ enabled: true, host: '127.0.0.1', port: 9464 });
  });

  it('reads METRICS_ENABLED, METRICS_HOST and METRICS_PORT', () => {
    expect(
      parse({ METRICS_ENABLED: 'false', METRICS_HOST: '10.0.0.5', METRICS_PORT: '9100' }),
    ).toEqual({ enabled: false, host: '10.0.0.5', port: 9100 });
  });

  it.each([
    [{ METRICS_ENABLED: 'yes' }, 'METRICS_ENABLED must be "true" or "false", got "yes"'],
    [{ METRICS_PORT: '0' }, 'METRICS_PORT must be an integer 1-65535, got "0"'],
    [{ METRICS_PORT: '70000' }, 'METRICS_PORT must be an integer 1-65535, got "70000"'],
    [{ METRICS_PORT: 'metrics' }, 'METRICS_PORT must be an integer 1-65535, got "metrics"'],
    [
      { METRICS_HOST: 'not a host' },
      'METRICS_HOST must be a hostname or IP address, got "not a host"',
    ],
    [
      { PORT: '9464' },
      'METRICS_PORT must differ from PORT (9464): the metrics listener needs its own port, got "9464"',
    ],
    [
      { PORT: '8080', METRICS_PORT: '8080', METRICS_HOST: '127.0.0.1' },
      'METRICS_PORT must differ from PORT (8080): the metrics listener needs its own port, got "8080"',
    ],
  ])('refuses %j', (env, message) => {
    expect(problems(env)).toEqual([message]);
  });

  it('allows the same port on two distinct addresses, and any port when disabled', () => {
    expect(
      problems({ HOST: '10.0.0.5', PORT: '8080', METRICS_HOST: '127.0.0.1', METRICS_PORT: '8080' }),
    ).toEqual([]);
    expect(problems({ PORT: '9464', METRICS_ENABLED: 'false' })).toEqual([]);
  });
});
