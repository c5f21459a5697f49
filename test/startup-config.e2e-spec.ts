import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runService } from './helpers/spawn-service';

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
    ['NODE_ENV', 'prod', 'NODE_ENV must be one of development, production, test, got "prod"'],
  ])('%s=%s → exit 1 naming the variable and value', async (name, value, message) => {
    const result = await runService({ [name]: value });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain(JSON.stringify(value));
    expect(result.stdout).not.toContain('Listening on');
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
});
