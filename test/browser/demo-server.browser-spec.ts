import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { DemoServer, parseArgs, startDemoServer } from '../../demo/serve';
import { collect, type RawResponse } from '../helpers/raw-http';

/**
 * demo/serve.js, the static server behind `npm run demo`: what it serves, what it refuses (no
 * path traversal, no file that is not part of the page), and its command line. Plain HTTP, no
 * browser: the page specs show the browser accepts what it serves.
 */

jest.setTimeout(30_000);

const SERVE_JS = path.resolve(__dirname, '../../demo/serve.js');
const DEMO_DIR = path.dirname(SERVE_JS);

let server: DemoServer;

beforeAll(async () => {
  server = await startDemoServer({ port: 0, host: '127.0.0.1' });
});

afterAll(() => server?.close());

/** One request with the target sent exactly as given (node:http does not normalise it). */
function request(baseUrl: string, target: string, method = 'GET'): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${baseUrl}/`, { method, path: target, agent: false }, (res) => {
      collect(res).then(resolve, reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function get(target: string, method = 'GET'): Promise<RawResponse> {
  return request(server.url, target, method);
}

describe('what it serves', () => {
  it.each([
    ['/', 'index.html', 'text/html; charset=utf-8'],
    ['/index.html', 'index.html', 'text/html; charset=utf-8'],
    ['/?api=http%3A%2F%2F127.0.0.1%3A5123', 'index.html', 'text/html; charset=utf-8'],
    ['/app.js', 'app.js', 'text/javascript; charset=utf-8'],
    ['/style.css', 'style.css', 'text/css; charset=utf-8'],
  ])('GET %s -> 200 %s as %s', async (target, file, contentType) => {
    const res = await get(target);

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(contentType);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toBe(fs.readFileSync(path.join(DEMO_DIR, file), 'utf8'));
  });

  it('the page is the seed page grown: a "Demo" heading and <p id="greeting">', async () => {
    const { body } = await get('/');

    expect(body).toContain('<h1>Demo</h1>');
    expect(body).toContain('<p id="greeting" aria-live="polite"></p>');
  });

  it('HEAD / -> 200 with the length and no body', async () => {
    const res = await get('/', 'HEAD');

    expect(res.status).toBe(200);
    expect(res.headers['content-length']).toBe(
      String(fs.statSync(path.join(DEMO_DIR, 'index.html')).size),
    );
    expect(res.body).toBe('');
  });

  it.each(['POST', 'PUT', 'DELETE', 'OPTIONS'])(
    '%s / -> 405 with Allow: GET, HEAD',
    async (method) => {
      const res = await get('/', method);

      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    },
  );
});

describe('what it refuses', () => {
  it.each([
    '/nope.html',
    '/serve.js',
    '/serve.d.ts',
    '/index.html/',
    '/demo/index.html',
    '/./index.html',
    '//index.html',
    '/.hidden.html',
  ])('GET %s -> 404', async (target) => {
    const res = await get(target);

    expect(res.status).toBe(404);
    expect(res.body).toBe('Not found\n');
  });

  it.each([
    '/../package.json',
    '/../README.md',
    '/../../../../etc/passwd',
    '/%2e%2e/package.json',
    '/..%2fpackage.json',
    '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/%2Fetc%2Fpasswd',
    '//etc/passwd',
    '/demo/../../package.json',
  ])('path traversal %s -> 404, nothing from outside demo/', async (target) => {
    const res = await get(target);

    expect(res.status).toBe(404);
    expect(res.body).toBe('Not found\n');
  });

  it.each(['/..%5cpackage.json', '/..\\package.json', '/index.html%00.css', '/%E0%A4%A', '/%ZZ'])(
    'malformed target %s -> 400',
    async (target) => {
      const res = await get(target);

      expect(res.status).toBe(400);
      expect(res.body).toBe('Bad request\n');
    },
  );
});

describe('command line (npm run demo)', () => {
  it("defaults to http://localhost:1234, the API's default allowed origin", () => {
    expect(parseArgs([], {})).toEqual({ port: 1234, host: 'localhost' });
  });

  it('takes PORT, and --port / --host over it', () => {
    expect(parseArgs([], { PORT: '8080' })).toEqual({ port: 8080, host: 'localhost' });
    expect(parseArgs(['--port', '9000'], { PORT: '8080' })).toEqual({
      port: 9000,
      host: 'localhost',
    });
    expect(parseArgs(['--port=9001', '--host=127.0.0.1'], {})).toEqual({
      port: 9001,
      host: '127.0.0.1',
    });
  });

  it.each([
    [['--port', 'abc'], 'port must be an integer 0-65535, got "abc"'],
    [['--port', '70000'], 'port must be an integer 0-65535, got "70000"'],
    [['--port'], '--port needs a value'],
    [['--verbose'], 'unknown argument "--verbose" (use --port N, --host H)'],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv, {})).toThrow(message);
  });

  it('serves when run directly, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [SERVE_JS, '--port', '0', '--host', '127.0.0.1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (data: Buffer) => {
          stdout += data.toString();
          const match = /Demo page on (http:\/\/127\.0\.0\.1:\d+)\//.exec(stdout);
          if (match) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${stdout}`)));
      });

      const res = await request(url, '/');
      expect(res.status).toBe(200);
      expect(res.body).toContain('<h1>Demo</h1>');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('exits 1 with a message on a bad port', async () => {
    const child = spawn(process.execPath, [SERVE_JS, '--port', 'eighty'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));

    expect(code).toBe(1);
    expect(stderr).toBe('demo server: port must be an integer 0-65535, got "eighty"\n');
  });
});
