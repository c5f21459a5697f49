import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { knownEnvVariables } from '../src/config/env.validation';
import { jsonLogLines, runService, startService } from './helpers/spawn-service';

const ENV_EXAMPLE = path.resolve(__dirname, '../.env.example');
const TYPOS = [
  'CORS_ALLOW_CREDENTIAL=true',
  'CORS_ALLOWED_HEADER=X-Trace',
  'CORS_MAXAGE=600',
  'LOGLEVEL=debug',
  'BODYLIMIT=10kb',
].join('\n');

describe('startup refuses bad configuration (spawned dist/main.js)', () => {
  it.each([
    ['PORT', 'eighty', 'PORT must be an integer 1-65535, got "eighty"'],
    ['PORT', '65536', 'PORT must be an integer 1-65535, got "65536"'],
    ['PORT', '-1', 'PORT must be an integer 1-65535, got "-1"'],
    ['PORT', '80.5', 'PORT must be an integer 1-65535, got "80.5"'],
    ['HOST', 'not a host', 'HOST must be a hostname or IP address, got "not a host"'],
    ['BODY_LIMIT', 'lots', 'BODY_LIMIT must be a size from 1 byte to 10mb'],
    ['BODY_LIMIT', '0', 'BODY_LIMIT must be a size from 1 byte to 10mb'],
    ['BODY_LIMIT', '-5kb', 'BODY_LIMIT must be a size from 1 byte to 10mb'],
    ['BODY_LIMIT', '512mb', 'BODY_LIMIT must be a size from 1 byte to 10mb'],
    ['BODY_LIMIT', '10485761', 'BODY_LIMIT must be a size from 1 byte to 10mb'],
    ['BODY_MAX_DEPTH', '0', 'BODY_MAX_DEPTH must be an integer 1-256, got "0"'],
    ['BODY_MAX_ELEMENTS', 'many', 'BODY_MAX_ELEMENTS must be an integer 1-100000, got "many"'],
    ['REQUEST_TIMEOUT_MS', '500', 'REQUEST_TIMEOUT_MS must be an integer 1000-3600000, got "500"'],
    ['HEADERS_TIMEOUT_MS', '0', 'HEADERS_TIMEOUT_MS must be an integer 1000-3600000, got "0"'],
    [
      'KEEP_ALIVE_TIMEOUT_MS',
      '5s',
      'KEEP_ALIVE_TIMEOUT_MS must be an integer 1000-3600000, got "5s"',
    ],
    ['LINGER_TIMEOUT_MS', '-1', 'LINGER_TIMEOUT_MS must be an integer 0-30000, got "-1"'],
    ['LINGER_TIMEOUT_MS', '30001', 'LINGER_TIMEOUT_MS must be an integer 0-30000, got "30001"'],
    ['LINGER_TIMEOUT_MS', '2s', 'LINGER_TIMEOUT_MS must be an integer 0-30000, got "2s"'],
    ['NODE_ENV', 'prod', 'NODE_ENV must be one of development, production, test, got "prod"'],
    ['ACCESS_LOG', 'some', 'ACCESS_LOG must be one of all, errors, off, got "some"'],
    ['RATE_LIMIT_MAX', '-1', 'RATE_LIMIT_MAX must be an integer 0-1000000000, got "-1"'],
    ['RATE_LIMIT_MAX', 'abc', 'RATE_LIMIT_MAX must be an integer 0-1000000000, got "abc"'],
    ['RATE_LIMIT_MAX', '2.5', 'RATE_LIMIT_MAX must be an integer 0-1000000000, got "2.5"'],
    ['RATE_LIMIT_WINDOW_MS', '0', 'RATE_LIMIT_WINDOW_MS must be a whole number of seconds'],
    ['RATE_LIMIT_WINDOW_MS', '1500', 'RATE_LIMIT_WINDOW_MS must be a whole number of seconds'],
    ['RATE_LIMIT_WINDOW_MS', '1m', 'RATE_LIMIT_WINDOW_MS must be a whole number of seconds'],
    ['RATE_LIMIT_WINDOW_MS', '86401000', 'RATE_LIMIT_WINDOW_MS must be a whole number of seconds'],
    [
      'RATE_LIMIT_STORE',
      'memcached',
      'RATE_LIMIT_STORE must be one of memory, redis, got "memcached"',
    ],
    [
      'RATE_LIMIT_ON_STORE_ERROR',
      'fail',
      'RATE_LIMIT_ON_STORE_ERROR must be one of open, closed, got "fail"',
    ],
    ['REDIS_URL', 'http://redis:6379', 'REDIS_URL must start with redis:// or rediss://'],
    ['REDIS_URL', 'redis:6379', 'REDIS_URL must name a host'],
    ['REDIS_URL', 'redis://redis:6379/db0', 'REDIS_URL may end only in a database number'],
    ['TRUST_PROXY', 'abc', 'TRUST_PROXY must be an integer 0-16, got "abc"'],
    ['TRUST_PROXY', 'true', 'TRUST_PROXY must be an integer 0-16, got "true"'],
  ])('%s=%s → exit 1 naming the variable and value', async (name, value, message) => {
    const result = await runService({ [name]: value });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(JSON.stringify(value));
    expect(result.stdout).not.toContain('listening on');
  });

  it('requires REDIS_URL with the redis store, naming both', async () => {
    const result = await runService({ RATE_LIMIT_STORE: 'redis', RATE_LIMIT_MAX: '10' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'REDIS_URL is required when RATE_LIMIT_STORE=redis, got nothing',
    );
    expect(result.stdout).not.toContain('listening on');
  });

  it('never prints the password of a bad REDIS_URL', async () => {
    const result = await runService({ REDIS_URL: 'redis://user:s3cret@redis:6379/x' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('REDIS_URL may end only in a database number');
    expect(result.stderr).toContain('redis://user:***@redis:6379/x');
    expect(result.stderr + result.stdout).not.toContain('s3cret');
  });

  it('reports every bad variable, one line each', async () => {
    const result = await runService({ PORT: 'eighty', BODY_LIMIT: 'lots' });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('Invalid configuration: PORT must be an integer 1-65535, got "eighty"');
    expect(lines[1]).toMatch(/^Invalid configuration: BODY_LIMIT .*"lots"$/);
  });

  it('refuses a headers timeout longer than the request timeout, naming both', async () => {
    const result = await runService({ REQUEST_TIMEOUT_MS: '5000', HEADERS_TIMEOUT_MS: '6000' });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Invalid configuration: HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS (5000), got "6000"',
    );
  });

  it('a shorter REQUEST_TIMEOUT_MS alone is enough: the headers timeout follows it', async () => {
    const result = await runService({ REQUEST_TIMEOUT_MS: '10000', PORT: 'x' });
    expect(result.stderr.trim()).toBe(
      'Invalid configuration: PORT must be an integer 1-65535, got "x"',
    );
  });

  it('one bad timeout gives one message, not a second comparison against its fallback', async () => {
    const result = await runService({ REQUEST_TIMEOUT_MS: 'abc', HEADERS_TIMEOUT_MS: '40000' });
    expect(result.stderr.trim()).toBe(
      'Invalid configuration: REQUEST_TIMEOUT_MS must be an integer 1000-3600000, got "abc"',
    );
  });

  it('prints no stack trace', async () => {
    const result = await runService({ PORT: 'eighty' });
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('env files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'greet-env-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads .env from the working directory', async () => {
    writeFileSync(path.join(dir, '.env'), 'PORT=from-dotenv\n');
    const result = await runService({}, { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('PORT must be an integer 1-65535, got "from-dotenv"');
  });

  it('.env.<NODE_ENV> beats .env', async () => {
    writeFileSync(path.join(dir, '.env'), 'PORT=from-dotenv\n');
    writeFileSync(path.join(dir, '.env.test'), 'PORT=from-dotenv-test\n');
    const result = await runService({ NODE_ENV: 'test' }, { cwd: dir });
    expect(result.stderr).toContain('got "from-dotenv-test"');
  });

  it('the process environment beats both files', async () => {
    writeFileSync(path.join(dir, '.env'), 'PORT=from-dotenv\nBODY_LIMIT=from-dotenv\n');
    writeFileSync(path.join(dir, '.env.test'), 'PORT=from-dotenv-test\n');
    const result = await runService({ NODE_ENV: 'test', PORT: 'from-process' }, { cwd: dir });
    expect(result.stderr).toContain('got "from-process"');
    expect(result.stderr).not.toContain('from-dotenv-test');
    expect(result.stderr).toContain('BODY_LIMIT must be a size from 1 byte to 10mb');
  });

  it('production: a misspelt variable is an error that names what it meant', async () => {
    writeFileSync(
      path.join(dir, '.env.production'),
      `${TYPOS}\nCORS_ALLOWED_ORIGIN=https://app.example.com\n`,
    );
    const result = await runService({ NODE_ENV: 'production' }, { cwd: dir });
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    for (const [typo, meant] of [
      ['BODYLIMIT', 'BODY_LIMIT'],
      ['CORS_ALLOW_CREDENTIAL', 'CORS_ALLOW_CREDENTIALS'],
      ['CORS_ALLOWED_HEADER', 'CORS_ALLOWED_HEADERS'],
      ['CORS_ALLOWED_ORIGIN', 'CORS_ALLOWED_ORIGINS'],
      ['CORS_MAXAGE', 'CORS_MAX_AGE'],
      ['LOGLEVEL', 'LOG_LEVEL'],
    ]) {
      expect(lines).toContain(
        `Invalid configuration: ${typo} is not a variable this service reads; did you mean ${meant}? (refused when NODE_ENV=production)`,
      );
    }
    expect(lines).toContain(
      'Invalid configuration: CORS_ALLOWED_ORIGINS is required when NODE_ENV=production, got nothing (e.g. "https://app.example.com")',
    );
  });

  it("production: the platform's own variables (service links, PORT0) never stop a start", async () => {
    const service = await startService(
      {
        NODE_ENV: 'production',
        CORS_ALLOWED_ORIGINS: 'https://app.example.com',
        METRICS_SERVER_SERVICE_HOST: '10.0.0.1',
        METRICS_SERVER_SERVICE_PORT: '443',
        METRICS_SERVER_PORT: 'tcp://10.0.0.1:443',
        METRICS_SERVER_PORT_443_TCP_ADDR: '10.0.0.1',
        CORS_PROXY_SERVICE_PORT_HTTP: '80',
        PORT0: '31000',
        PORTS: '31000,31001',
      },
      { cwd: dir },
    );
    service.kill();
  });

  it('outside production: a misspelt variable is a warning, and the service starts', async () => {
    writeFileSync(path.join(dir, '.env'), `${TYPOS}\n`);
    const service = await startService({ NODE_ENV: 'test', LOG_LEVEL: 'info' }, { cwd: dir });
    try {
      await service.waitForOutput('did you mean LOG_LEVEL?');
      const warnings = jsonLogLines(service.stdout())
        .filter((line) => line.level === 'warn')
        .map((line) => line.msg);
      expect(warnings).toEqual(
        expect.arrayContaining([
          'BODYLIMIT is not a variable this service reads; did you mean BODY_LIMIT?',
          'CORS_MAXAGE is not a variable this service reads; did you mean CORS_MAX_AGE?',
          'LOGLEVEL is not a variable this service reads; did you mean LOG_LEVEL?',
        ]),
      );
    } finally {
      service.kill();
    }
  });

  it('.env.example lists every variable, all commented: copied as .env.production it sets nothing', async () => {
    const example = readFileSync(ENV_EXAMPLE, 'utf8');
    for (const name of knownEnvVariables()) expect(example).toMatch(new RegExp(`^# ${name}=`, 'm'));
    expect(example.split('\n').filter((line) => /^[A-Za-z_]+=/.test(line))).toEqual([]);
    copyFileSync(ENV_EXAMPLE, path.join(dir, '.env.production'));
    const result = await runService({ NODE_ENV: 'production' }, { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'Invalid configuration: CORS_ALLOWED_ORIGINS is required when NODE_ENV=production, got nothing (e.g. "https://app.example.com")',
    );
  });

  it('NODE_ENV=production written in .env selects .env.production too', async () => {
    writeFileSync(path.join(dir, '.env'), 'NODE_ENV=production\n');
    writeFileSync(
      path.join(dir, '.env.production'),
      'CORS_ALLOWED_ORIGINS=https://prod.example.com\n',
    );
    const service = await startService({}, { cwd: dir });
    try {
      const res = await fetch(`${service.url}/greet`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://prod.example.com', 'Access-Control-Request-Method': 'POST' },
      });
      expect(res.status).toBe(204);
      // Production: JSON lines, and no docs.
      expect((await fetch(`${service.url}/docs-json`)).status).toBe(404);
    } finally {
      service.kill();
    }
  });

  it.each([
    ['https://a.example.com;https://b.example.com', '";"'],
    ['https://a.example.com https://b.example.com', 'a space'],
  ])('origins separated by %j: says to use commas', async (origins, separator) => {
    const result = await runService({ CORS_ALLOWED_ORIGINS: origins });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Invalid configuration: CORS_ALLOWED_ORIGINS: "${origins}" contains ${separator} between two origins: separate origins with commas`,
    );
  });
});
