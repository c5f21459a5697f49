import net from 'node:net';
import request from 'supertest';
import { WarnAndErrorCollector } from './helpers/log-collectors';
import { rawRequest } from './helpers/raw-http';
import { ServiceProcess, startService } from './helpers/spawn-service';
import { startTestApp, TestApp } from './helpers/test-app';

const APP_ORIGIN = 'https://app.example.com';
const FOREIGN_ORIGIN = 'https://evil.example';

function head(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * Sends the headers of an `Expect: 100-continue` request and reports the first thing the server
 * says; with `thenBody`, sends the body once told to continue and returns everything received.
 */
function expectContinue(url: string, lines: string[], thenBody?: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(head(lines)));
    let received = '';
    let sentBody = false;
    socket.on('data', (data) => {
      received += data.toString('utf8');
      if (thenBody !== undefined && !sentBody && received.startsWith('HTTP/1.1 100')) {
        sentBody = true;
        socket.write(thenBody);
        return;
      }
      if (thenBody === undefined || sentBody) {
        if (/\r\n\r\n[\s\S]*\}$/.test(received)) {
          socket.destroy();
          resolve(received);
        }
      }
    });
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      resolve(received);
    }, 3000);
  });
}

/** `method path` from the allowed origin with a JSON body sent as is (one connection each). */
function jsonRequest(url: string, method: string, path: string, body: string) {
  return rawRequest(
    url,
    head([
      `${method} ${path} HTTP/1.1`,
      'Host: h',
      `Origin: ${APP_ORIGIN}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
    ]),
    body,
  );
}

describe('protocol edges (e2e)', () => {
  let server: TestApp;
  const logger = new WarnAndErrorCollector();
  beforeAll(async () => {
    server = await startTestApp({ CORS_ALLOWED_ORIGINS: APP_ORIGIN, BODY_LIMIT: '1kb' }, logger);
  });
  afterAll(() => server.close());
  beforeEach(() => logger.reset());

  describe('absolute-form targets are routed the way Express routes them', () => {
    it('GET http://h?/greet/languages is the path "/", so the public policy does not apply', async () => {
      const res = await rawRequest(
        server.url,
        head(['GET http://h?/greet/languages HTTP/1.1', 'Host: h', `Origin: ${FOREIGN_ORIGIN}`]),
      );
      // The public route would answer 200 with `*`: the environment's policy refused it instead.
      // (Its access line names the path "/": test/cors-logging.e2e-spec.ts.)
      expect(res.status).toBe(403);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('GET http://h/greet/languages?x is the public route', async () => {
      const res = await rawRequest(
        server.url,
        head(['GET http://h/greet/languages?x=1 HTTP/1.1', 'Host: h', `Origin: ${FOREIGN_ORIGIN}`]),
      );
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
    });

    it.each(['http://[::1/greet/languages', 'h://x?/greet', '*'])(
      'a target without a usable path (%s) gets a JSON 400, never an HTML page',
      async (target) => {
        const res = await rawRequest(server.url, head([`GET ${target} HTTP/1.1`, 'Host: h']));
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
        expect(JSON.parse(res.body)).toEqual({ statusCode: 400, error: 'Bad request' });
      },
    );
  });

  it.each(['/greet%', '/greet%?token=SECRET', '/%E0%A4%A'])(
    "a path that does not decode (%s) is the router's 404 envelope, without the query",
    async (target) => {
      const res = await rawRequest(
        server.url,
        head([`GET ${target} HTTP/1.1`, 'Host: h', `Origin: ${APP_ORIGIN}`]),
      );
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(JSON.parse(res.body)).toEqual({
        statusCode: 404,
        error: `Cannot GET ${target.split('?')[0]}`,
      });
    },
  );

  it.each([
    ['/health/live', APP_ORIGIN],
    ['/greet/languages', '*'],
  ])(
    'GET %s is answered whatever JSON body comes along (a GET body has no meaning)',
    async (path, allowOrigin) => {
      for (const method of ['GET', 'HEAD']) {
        const res = await jsonRequest(server.url, method, path, '{bad');
        expect(res.status).toBe(200);
        expect(res.headers['access-control-allow-origin']).toBe(allowOrigin);
      }
    },
  );

  it.each([
    ['POST', '/gr%65et'],
    ['POST', '/%67reet'],
    ['GET', '/health/%6Cive'],
    ['GET', '/greet/%6Canguages'],
  ])(
    "%s %s: a path is matched as sent, not decoded, so an encoded letter is the router's 404",
    async (method, path) => {
      const body = method === 'POST' ? JSON.stringify({ name: 'Ann' }) : '';
      const res = await jsonRequest(server.url, method, path, body);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body)).toEqual({ statusCode: 404, error: `Cannot ${method} ${path}` });
    },
  );

  it('a percent-encoded query is left alone', async () => {
    const res = await request(server.url)
      .get('/greet/languages?q=a%20b%25')
      .set('Origin', APP_ORIGIN)
      .expect(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('an answer given while the body is still coming (a GET with an endless body) closes the connection', async () => {
    const { hostname, port } = new URL(server.url);
    const outcome = await new Promise<{ received: string; closedAfterMs: number }>((resolve) => {
      const socket = net.connect(Number(port), hostname);
      let received = '';
      let answeredAt = 0;
      socket.on('data', (data: Buffer) => {
        received += data.toString('latin1');
        answeredAt ||= Date.now();
      });
      socket.on('error', () => undefined);
      socket.write(
        head([
          'GET /health/live HTTP/1.1',
          'Host: h',
          'Content-Type: application/json',
          'Transfer-Encoding: chunked',
        ]),
      );
      const chunk = `4000\r\n${'x'.repeat(0x4000)}\r\n`;
      const pump = setInterval(() => socket.write(chunk), 10);
      socket.on('close', () => {
        clearInterval(pump);
        resolve({ received, closedAfterMs: Date.now() - answeredAt });
      });
      // Without the close, the service would read this body for as long as it is sent.
      setTimeout(() => socket.destroy(), 8000);
    });
    // A GET's body is never read (readsJsonBody): the answer comes at once, on both platforms.
    expect(outcome.received).toMatch(/^HTTP\/1\.1 200 /);
    expect(outcome.received).toMatch(/\r\nconnection: close\r\n/i);
    // Closed in stages: within LINGER_TIMEOUT_MS (2 s) and a margin, not when the client stops.
    expect(outcome.closedAfterMs).toBeLessThan(4000);
  }, 15_000);

  describe('405 with Allow for a known path and another method', () => {
    it('GET /greet → 405, Allow: POST, readable by the allowed origin', async () => {
      const res = await request(server.url).get('/greet').set('Origin', APP_ORIGIN);
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.body).toEqual({ statusCode: 405, error: 'Method not allowed' });
      expect(res.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    });

    it('DELETE /greet/languages → 405, Allow: GET, HEAD', async () => {
      const res = await request(server.url).delete('/greet/languages');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    });

    it('a refused origin still gets its 403 first', async () => {
      const res = await request(server.url).get('/greet').set('Origin', FOREIGN_ORIGIN);
      expect(res.status).toBe(403);
    });

    it('unknown paths stay 404', async () => {
      const res = await request(server.url).get('/nope');
      expect(res.status).toBe(404);
    });

    it('HEAD is served by GET routes', async () => {
      const res = await request(server.url).head('/greet/languages');
      expect(res.status).toBe(200);
    });
  });

  describe('the public route is the same for every origin, so caches may keep it', () => {
    it.each([
      ['without an Origin', undefined],
      ['from a foreign origin', FOREIGN_ORIGIN],
    ])('%s: Access-Control-Allow-Origin: *, Cache-Control, no Vary: Origin', async (_, origin) => {
      const req = request(server.url).get('/greet/languages');
      const res = await (origin ? req.set('Origin', origin) : req);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.headers['access-control-expose-headers']).toContain('X-Request-Id');
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      expect(res.headers.vary ?? '').not.toMatch(/origin/i);
    });

    it('a null origin is still refused there, with no Access-Control-* header', async () => {
      const res = await request(server.url).get('/greet/languages').set('Origin', 'null');
      expect(res.status).toBe(403);
      expect(Object.keys(res.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    });
  });

  describe('Expect: 100-continue', () => {
    const post = (origin: string, length: number) => [
      'POST /greet HTTP/1.1',
      'Host: h',
      `Origin: ${origin}`,
      'Content-Type: application/json',
      `Content-Length: ${length}`,
      'Expect: 100-continue',
    ];

    it('a refused origin gets its 403 and no invitation to send the body', async () => {
      const answer = await expectContinue(server.url, post(FOREIGN_ORIGIN, 14));
      expect(answer).toMatch(/^HTTP\/1\.1 403 /);
      expect(answer).not.toContain('100 Continue');
    });

    it('a declared body over the limit gets its 413 and no invitation', async () => {
      const answer = await expectContinue(server.url, post(APP_ORIGIN, 5000));
      expect(answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(answer).not.toContain('100 Continue');
    });

    it.each([
      ['a body that is not JSON: 415', 'POST /greet HTTP/1.1', 'text/plain', 415],
      ["an unknown path: the router's 404", 'POST /nowhere HTTP/1.1', 'application/json', 404],
      ['a GET, whose body is never read', 'GET /greet/languages HTTP/1.1', 'application/json', 200],
    ])('%s, and no invitation to send a body it would not read', async (_c, line, type, status) => {
      const answer = await expectContinue(server.url, [
        line,
        'Host: h',
        `Origin: ${APP_ORIGIN}`,
        `Content-Type: ${type}`,
        'Content-Length: 14',
        'Expect: 100-continue',
      ]);
      expect(answer).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(answer).not.toContain('100 Continue');
      // The body was never sent: the connection cannot be used for another request.
      expect(answer).toMatch(/\r\nConnection: close\r\n/i);
    });

    it('an allowed request is told to continue, then answered', async () => {
      const body = '{"name":"Bob"}';
      const answer = await expectContinue(server.url, post(APP_ORIGIN, body.length), body);
      expect(answer).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
      expect(answer).toContain('"greeting":"Hello, Bob!"');
    });
  });

  describe('Expect: 100-continue under a rate limit', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await startTestApp({ CORS_ALLOWED_ORIGINS: APP_ORIGIN, RATE_LIMIT_MAX: '1' });
    });
    afterAll(() => limited.close());

    it('is told to continue only once counted, and over budget gets its 429 and no invitation', async () => {
      const body = '{"name":"Bob"}';
      const lines = [
        'POST /greet HTTP/1.1',
        'Host: h',
        'Content-Type: application/json',
        `Content-Length: ${body.length}`,
        'Expect: 100-continue',
      ];
      const first = await expectContinue(limited.url, lines, body);
      expect(first).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
      expect(first).toContain('X-RateLimit-Remaining: 0');
      const second = await expectContinue(limited.url, lines);
      expect(second).toMatch(/^HTTP\/1\.1 429 /);
      expect(second).not.toContain('100 Continue');
      expect(second).toContain('{"statusCode":429,"error":"Too many requests"}');
    });
  });

  it('an expectation other than 100-continue: a JSON 417', async () => {
    const res = await rawRequest(
      server.url,
      head(['GET /greet/languages HTTP/1.1', 'Host: h', 'Expect: something-else']),
    );
    expect(res.status).toBe(417);
    expect(JSON.parse(res.body)).toEqual({ statusCode: 417, error: 'Expectation failed' });
    expect(res.headers['x-request-id']).toBeDefined();
  });

  it('shortens an echoed language by code point, never splitting a surrogate pair', async () => {
    const lang = `${'a'.repeat(39)}😀xyz`;
    const res = await request(server.url).post('/greet').send({ name: 'A', lang });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe(
      `Invalid or unsupported language selection: '${'a'.repeat(39)}😀…'`,
    );
    expect(res.text).not.toMatch(/\\ud83d/i);
  });

  it('obs-fold in a header gets the JSON 400 of the HTTP parser', async () => {
    const res = await rawRequest(server.url, 'GET / HTTP/1.1\r\nHost: h\r\nX-A: a\r\n b\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ statusCode: 400, error: 'Bad request' });
  });

  it('pipelined requests read in one turn are answered in order, each in full', async () => {
    // Requests read together are run in one batch (turn-batch.ts); answers given before routing
    // (preflight, refusal) and after it (POSTs through Nest) must still leave in request order.
    const post = (origin: string, name: string) => {
      const body = JSON.stringify({ name });
      return head([
        'POST /greet HTTP/1.1',
        'Host: h',
        `Origin: ${origin}`,
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(body)}`,
      ]).concat(body);
    };
    const all = [
      post(APP_ORIGIN, 'First'),
      head([
        'OPTIONS /greet HTTP/1.1',
        'Host: h',
        `Origin: ${APP_ORIGIN}`,
        'Access-Control-Request-Method: POST',
      ]),
      post(FOREIGN_ORIGIN, 'Refused'),
      post(APP_ORIGIN, 'Second'),
      head(['GET /health/live HTTP/1.1', 'Host: h']),
      post(APP_ORIGIN, 'Third'),
    ].join('');
    const { hostname, port } = new URL(server.url);
    const received = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => socket.write(all));
      let text = '';
      socket.on('data', (data) => {
        text += data.toString('utf8');
        if ((text.match(/HTTP\/1\.1 \d{3} /g) ?? []).length === 6 && text.endsWith('}')) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
      setTimeout(() => {
        socket.destroy();
        resolve(text);
      }, 3000);
    });
    const statuses = [...received.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    expect(statuses).toEqual([200, 204, 403, 200, 200, 200]);
    const greetings = [...received.matchAll(/"greeting":"([^"]*)"/g)].map((m) => m[1]);
    expect(greetings).toEqual(['Hello, First!', 'Hello, Second!', 'Hello, Third!']);
    // Each answer carries its own request id.
    const ids = [...received.matchAll(/^X-Request-Id: (\S+)/gim)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(6);
  });
});

describe('a client that pipelines far more than it reads (e2e)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ CORS_ALLOWED_ORIGINS: APP_ORIGIN });
  });
  afterAll(() => server.close());

  it('gets every answer once it reads', async () => {
    // 1.6 MB of requests in one go, nothing read for a second: the service works on a few at a
    // time and stops reading the connection meanwhile (pipeline-limit.ts), then answers them all.
    const count = 20_000;
    const requests = Array.from(
      { length: count },
      (_, i) => `GET /health/live?n=${i} HTTP/1.1\r\nHost: h\r\n\r\n`,
    ).join('');
    const { hostname, port } = new URL(server.url);
    const socket = net.connect(Number(port), hostname);
    socket.pause();
    socket.on('connect', () => socket.write(requests));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const statuses = await new Promise<number[]>((resolve, reject) => {
      let text = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        text += chunk;
        const seen = text.match(/HTTP\/1\.1 \d{3} /g) ?? [];
        if (seen.length === count && text.endsWith('}')) {
          socket.destroy();
          resolve(seen.map((line) => Number(line.slice(9, 12))));
        }
      });
      socket.on('close', () => reject(new Error(`closed after ${text.length} bytes`)));
      socket.on('error', reject);
      socket.resume();
    });
    expect(statuses).toEqual(Array.from({ length: count }, () => 200));
  }, 20_000);
});

/** Writes `bytes` in one write, half-closes, and returns everything received until the close. */
function oneWrite(url: string, bytes: string): Promise<string[]> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.end(bytes));
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (data: string) => (received += data));
    socket.on('error', reject);
    socket.on('close', () => resolve(received.split(/(?=HTTP\/1\.1 \d{3} )/)));
  });
}

function headerOf(answer: string, name: string): string | undefined {
  const head = answer.split('\r\n\r\n')[0];
  return new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1];
}

describe('bytes the HTTP parser refuses, read in the same write as a request (e2e)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ CORS_ALLOWED_ORIGINS: APP_ORIGIN });
  });
  afterAll(() => server.close());

  // A request and its bad body in one write wait for their turn's batch (turn-batch.ts) before
  // pre-routing runs; the parser's error comes first. The answer must still be that request's.
  it.each([
    ['a bad chunk size', 'ZZ\r\n', 400, 'Bad request'],
    ['a chunk extension over 16 KB', `5;${'a'.repeat(20_000)}\r\n`, 413, 'Payload too large'],
  ])(
    "%s: the envelope carries the request's own id, security and CORS headers",
    async (_c, body, status, error) => {
      const answers = await oneWrite(
        server.url,
        head([
          'POST /greet HTTP/1.1',
          'Host: h',
          `Origin: ${APP_ORIGIN}`,
          'X-Request-Id: one-write-probe',
          'Content-Type: application/json',
          'Transfer-Encoding: chunked',
        ]) + body,
      );
      expect(answers).toHaveLength(1);
      expect(answers[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      expect(JSON.parse(answers[0].split('\r\n\r\n')[1])).toEqual({ statusCode: status, error });
      expect(headerOf(answers[0], 'X-Request-Id')).toBe('one-write-probe');
      expect(headerOf(answers[0], 'X-Content-Type-Options')).toBe('nosniff');
      expect(headerOf(answers[0], 'Access-Control-Allow-Origin')).toBe(APP_ORIGIN);
      expect(headerOf(answers[0], 'Connection')).toBe('close');
    },
  );

  // Pipelined answers leave in request order (RFC 9112 §9.3.2): the complete requests read with
  // the bad bytes get their own answers first, then the error's, and the connection closes.
  it.each([
    ['bytes that are no request', 'GARBAGE\r\n\r\n', 400],
    [
      'a header block over 16 KB',
      head(['GET / HTTP/1.1', 'Host: h', `X: ${'a'.repeat(20_000)}`]),
      431,
    ],
    ['a CONNECT', head(['CONNECT a.example:443 HTTP/1.1', 'Host: a.example:443']), 405],
  ])('two requests, then %s: both answers first', async (_c, after, status) => {
    const body = JSON.stringify({ name: 'First' });
    const answers = await oneWrite(
      server.url,
      head([
        'POST /greet HTTP/1.1',
        'Host: h',
        `Origin: ${APP_ORIGIN}`,
        'Content-Type: application/json',
        `Content-Length: ${body.length}`,
      ]) +
        body +
        head(['GET /health/live HTTP/1.1', 'Host: h']) +
        after,
    );
    expect(answers.map((a) => Number(a.slice(9, 12)))).toEqual([200, 200, status]);
    expect(answers[0]).toContain('"greeting":"Hello, First!"');
    expect(answers[1]).toContain('"status":"ok"');
    expect(headerOf(answers[2], 'X-Content-Type-Options')).toBe('nosniff');
    expect(headerOf(answers[2], 'Connection')).toBe('close');
  });
});

/**
 * Sends `first` on one connection, waits for its answer, then sends `second` on the same
 * connection; returns everything received until the server closes it (or 3 s pass).
 */
function afterAnsweredRequest(url: string, first: string, second: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(first));
    let received = '';
    let sentSecond = false;
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1');
      if (!sentSecond && /\r\n\r\n\{[^}]*\}/.test(received)) {
        sentSecond = true;
        socket.write(second);
      }
    });
    socket.on('error', () => undefined);
    const done = () => resolve(received);
    socket.on('close', done);
    setTimeout(() => {
      socket.destroy();
      done();
    }, 3000);
  });
}

describe('a parser error after an answered request on the same connection (spawned)', () => {
  let service: ServiceProcess | undefined;
  afterAll(() => service?.kill());

  it.each([
    ['bytes that are no request', 'GARBAGE\r\n\r\n', 400, 'Bad request'],
    [
      'a header block over 16 KB',
      head(['GET /health/live HTTP/1.1', 'Host: x', `Cookie: a=${'x'.repeat(17_000)}`]),
      431,
      'Request header fields too large',
    ],
  ])('%s gets its envelope and the service lives on', async (_case, second, status, error) => {
    service ??= await startService({
      NODE_ENV: 'production',
      CORS_ALLOWED_ORIGINS: APP_ORIGIN,
    });
    const received = await afterAnsweredRequest(
      service.url,
      head(['GET /health/live HTTP/1.1', 'Host: x']),
      second,
    );
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers).toHaveLength(2);
    expect(answers[0]).toMatch(/^HTTP\/1\.1 200 /);
    expect(answers[1]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    expect(JSON.parse(answers[1].split('\r\n\r\n')[1])).toEqual({ statusCode: status, error });
    expect(service.child.exitCode).toBeNull();
    expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
  });
});
