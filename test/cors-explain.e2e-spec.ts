import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { corsHeaderNames, sendRaw, startCorsApp } from './helpers/cors-requests';
import { runService } from './helpers/spawn-service';
import { TestApp } from './helpers/test-app';

const CLI = path.resolve(__dirname, '../dist/cli/cors-explain.js');
const APP = 'https://app.example.com';
const ENV = { NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: `${APP},https://*.tenant.example.com` };

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node dist/cli/cors-explain.js` with exactly `env` (plus PATH), in `cwd`. */
function explain(args: string[], env: Record<string, string> = ENV, cwd = tmpdir()): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Explained {
  decision: string;
  reason: string;
  reasonCode: string;
  status: number | null;
  route: string | null;
  policy: { name: string; settings: Record<string, { value: unknown; source: string }> };
  headers: Record<string, string>;
  notes: string[];
}

async function explainJson(
  args: string[],
  env: Record<string, string> = ENV,
  cwd?: string,
): Promise<[number | null, Explained]> {
  const run = await explain([...args, '--json'], env, cwd);
  expect(run.stderr).toBe('');
  return [run.code, JSON.parse(run.stdout) as Explained];
}

describe('npm run cors:explain (spawned dist/cli/cors-explain.js)', () => {
  it('explains an allowed request: exit 0, the exact CORS headers', async () => {
    const [code, result] = await explainJson(['--origin', APP]);
    expect(code).toBe(0);
    expect(result).toMatchObject({
      decision: 'allowed',
      reasonCode: 'none',
      status: null,
      route: '/greet',
      headers: {
        'Access-Control-Allow-Origin': APP,
        'Access-Control-Expose-Headers':
          'X-Request-Id, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset',
        Vary: 'Origin',
      },
    });
    expect(result.policy.name).toBe('environment');
    expect(result.policy.settings.origins).toEqual({
      value: [APP, 'https://*.tenant.example.com'],
      source: 'env: CORS_ALLOWED_ORIGINS',
    });
    expect(result.policy.settings.maxAge).toEqual({
      value: 60,
      source: 'default (CORS_MAX_AGE unset or blank)',
    });
  });

  it('explains a refused origin: exit 1, the reason, only Vary, and how origins are matched', async () => {
    const run = await explain(['--origin', 'https://app.example.com.evil.example']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      'REFUSED: origin "https://app.example.com.evil.example" not allowed',
    );
    expect(run.stdout).toContain(
      'allowed origins (env: CORS_ALLOWED_ORIGINS): https://app.example.com',
    );
    const [code, result] = await explainJson(['--origin', 'HTTPS://APP.example.com/']);
    expect(code).toBe(1);
    expect(result).toMatchObject({
      decision: 'refused',
      reasonCode: 'origin_not_allowed',
      status: 403,
      headers: { Vary: 'Origin' },
    });
    expect(Object.keys(result.headers)).toEqual(['Vary']);
    expect(result.notes.join('\n')).toContain(
      '"https://app.example.com", not "HTTPS://APP.example.com/"',
    );
  });

  it.each([
    [['--origin', 'null'], 'null_origin'],
    [['--origin', APP, '--origin', APP], 'multiple_origins'],
    [['--origin', APP, '--preflight', '--method', 'DELETE'], 'method_not_allowed'],
    [
      ['--origin', APP, '--preflight', '--header', 'Content-Type', '--header', 'X-Secret'],
      'header_not_allowed',
    ],
  ])('explains %j as refused (%s), exit 1', async (args, reasonCode) => {
    const [code, result] = await explainJson(args);
    expect(code).toBe(1);
    expect(result.decision).toBe('refused');
    expect(result.reasonCode).toBe(reasonCode);
    expect(corsHeaderNames(result.headers)).toEqual([]);
  });

  it('names the allowed methods and headers, and where they come from, when a preflight is refused', async () => {
    const run = await explain(['--origin', APP, '--preflight', '--header', 'X-Secret'], {
      ...ENV,
      CORS_ALLOWED_HEADERS: 'Content-Type,X-Request-Id',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('REFUSED: header "x-secret" not allowed');
    expect(run.stdout).toContain(
      'request headers a preflight may ask for (env: CORS_ALLOWED_HEADERS): content-type, x-request-id',
    );
  });

  it("applies a route's @CorsPolicy and says which settings it set", async () => {
    const [code, result] = await explainJson([
      '--origin',
      'https://anyone.example',
      '--method',
      'GET',
      '--path',
      '/greet/languages',
    ]);
    expect(code).toBe(0);
    expect(result.decision).toBe('allowed');
    expect(result.route).toBe('/greet/languages');
    expect(result.headers['Access-Control-Allow-Origin']).toBe('*');
    expect(result.policy.name).toBe('@CorsPolicy on GreetController.languages');
    expect(result.policy.settings.origins).toEqual({
      value: '*',
      source: 'route: @CorsPolicy on GreetController.languages',
    });
    expect(result.policy.settings.credentials.source).toBe(
      'route: @CorsPolicy on GreetController.languages (implied by origins "*")',
    );
    expect(result.policy.settings.methods.source).toBe(
      'default (CORS_ALLOWED_METHODS unset or blank)',
    );
  });

  it('explains a request without Origin as not CORS (exit 0), and a preflight-worthy one with a note', async () => {
    const [code, result] = await explainJson(['--path', '/greet']);
    expect(code).toBe(0);
    expect(result.decision).toBe('not-cors');
    expect(result.headers).toEqual({ Vary: 'Origin' });
    const [, put] = await explainJson(['--origin', APP, '--method', 'PUT']);
    expect(put.status).toBe(405);
    expect(put.notes.join('\n')).toContain('a browser sends a preflight first (method PUT');
  });

  it('reads .env from the working directory, like the service', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'explain-'));
    try {
      writeFileSync(path.join(dir, '.env'), 'CORS_ALLOWED_ORIGINS=https://from-dotenv.example\n');
      const [code, result] = await explainJson(
        ['--origin', 'https://from-dotenv.example'],
        {},
        dir,
      );
      expect(code).toBe(0);
      expect(result.policy.settings.origins.source).toBe('env: CORS_ALLOWED_ORIGINS');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops on invalid configuration with exit 2 and the very lines the service prints', async () => {
    const bad = {
      NODE_ENV: 'production',
      CORS_ALLOWED_ORIGINS: 'https://app.example.com/',
      CORS_MAX_AGE: 'x',
    };
    const run = await explain(['--origin', APP], bad);
    const service = await runService(bad);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(service.stderr);
    expect(run.stderr).toContain(
      'Invalid configuration: CORS_ALLOWED_ORIGINS: "https://app.example.com/" must not end with "/"',
    );
  });

  it.each([
    [[]],
    [['--origin']],
    [['--bogus']],
    [['--origin', APP, '--method', 'GE T']],
    [['--origin', APP, '--path', 'greet']],
    [['--origin', APP, '--header', 'X Bad']],
    [['--preflight']],
    [['positional']],
  ])('refuses bad usage %j with exit 2 and the usage text', async (args) => {
    const run = await explain(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage: npm run cors:explain');
  });
});

describe('cors:explain agrees with the running service', () => {
  const env = {
    CORS_ALLOWED_ORIGINS: `${APP},https://*.tenant.example.com`,
    CORS_ALLOW_CREDENTIALS: 'true',
    CORS_ALLOWED_HEADERS: 'Content-Type,X-Request-Id',
    CORS_MAX_AGE: '600',
  };
  let app: TestApp;
  beforeAll(async () => {
    app = await startCorsApp(env);
  });
  afterAll(() => app.close());

  const cases: Array<{
    origin?: string;
    method: string;
    path: string;
    preflight: boolean;
    header?: string;
  }> = [
    { origin: APP, method: 'POST', path: '/greet', preflight: false },
    {
      origin: 'https://a.tenant.example.com',
      method: 'POST',
      path: '/greet',
      preflight: true,
      header: 'content-type',
    },
    { origin: 'https://evil.example', method: 'POST', path: '/greet', preflight: false },
    { origin: 'https://evil.example', method: 'POST', path: '/greet', preflight: true },
    { origin: APP, method: 'PATCH', path: '/greet', preflight: true },
    { origin: APP, method: 'POST', path: '/greet', preflight: true, header: 'x-secret' },
    { origin: 'https://x.example', method: 'GET', path: '/greet/languages', preflight: false },
    { origin: APP, method: 'GET', path: '/nowhere', preflight: false },
    { origin: APP, method: 'GET', path: '/docs-json', preflight: false },
    { origin: APP, method: 'POST', path: '/docs-json', preflight: false },
    { method: 'POST', path: '/greet', preflight: false },
  ];

  it.each(cases)('same CORS headers and decision for %j', async (query) => {
    const args = ['--method', query.method, '--path', query.path];
    if (query.origin !== undefined) args.push('--origin', query.origin);
    if (query.preflight) args.push('--preflight');
    if (query.header !== undefined) args.push('--header', query.header);
    const [code, explained] = await explainJson(args, { NODE_ENV: 'test', ...env });

    const headers: Array<readonly [string, string]> = [];
    if (query.origin !== undefined) headers.push(['Origin', query.origin]);
    if (query.preflight) {
      headers.push(['Access-Control-Request-Method', query.method]);
      if (query.header !== undefined)
        headers.push(['Access-Control-Request-Headers', query.header]);
    } else {
      headers.push(['Content-Type', 'application/json']);
    }
    const res = await sendRaw(app.url, {
      method: query.preflight ? 'OPTIONS' : query.method,
      path: query.path,
      headers,
      body: query.preflight || query.method === 'GET' ? undefined : '{"name":"A"}',
    });
    const served = Object.fromEntries(
      [...corsHeaderNames(res.headers), 'vary'].flatMap((name) =>
        res.headers[name] === undefined ? [] : [[name, String(res.headers[name])]],
      ),
    );
    const predicted = Object.fromEntries(
      Object.entries(explained.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    expect(predicted).toEqual(served);
    expect(code).toBe(explained.decision === 'refused' ? 1 : 0);
    if (explained.status !== null) expect(res.status).toBe(explained.status);
    else expect(res.status).toBe(200);
  });
});
