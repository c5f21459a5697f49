import type http from 'node:http';
import request from 'supertest';
import {
  corsHeaderNames,
  listOf,
  ORIGIN_NOT_ALLOWED,
  rawGreet,
  rawPreflight,
  sendRaw,
  startCorsApp,
  varyOf,
} from './helpers/cors-requests';
import { postChunked } from './helpers/raw-http';
import { TestApp } from './helpers/test-app';

/**
 * Black-box contract of the CORS layer (see the CORS_* table in the README and
 * /work/shared/cors-notes.md), exercised over HTTP against the real app.
 */

const PREFLIGHT_VARY = [
  'origin',
  'access-control-request-method',
  'access-control-request-headers',
];
const VALID_BODY = JSON.stringify({ name: 'Alice' });
/** Over BODY_LIMIT=100 (the body is a valid greeting padded with an ignored field). */
const OVERSIZED_BODY = JSON.stringify({ name: 'Alice', pad: 'x'.repeat(200) });

function greet(server: TestApp, origin?: string, body = VALID_BODY) {
  const req = request(server.url).post('/greet').set('Content-Type', 'application/json');
  if (origin !== undefined) req.set('Origin', origin);
  return req.send(body);
}

function preflight(
  server: TestApp,
  origin: string,
  method = 'POST',
  requestHeaders: string | undefined = 'content-type',
  path = '/greet',
) {
  const req = request(server.url)
    .options(path)
    .set('Origin', origin)
    .set('Access-Control-Request-Method', method);
  if (requestHeaders !== undefined) req.set('Access-Control-Request-Headers', requestHeaders);
  return req;
}

const SERVICE_EXPOSED = [
  'X-Request-Id',
  'Retry-After',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
];

/** What an allowed actual request must carry, beyond the status and body. */
function expectAllowedActual(
  headers: http.IncomingHttpHeaders,
  allowOrigin: string,
  { credentials = false, exposed = [] as string[] } = {},
): void {
  expect(headers['access-control-allow-origin']).toBe(allowOrigin);
  if (allowOrigin !== '*') expect(varyOf(headers)).toContain('origin');
  if (credentials) expect(headers['access-control-allow-credentials']).toBe('true');
  else expect(headers['access-control-allow-credentials']).toBeUndefined();
  // The service's own headers are always exposed (the request id, the rate limit's, so a front
  // end can back off); configured ones follow.
  expect(listOf(headers['access-control-expose-headers'])).toEqual([
    ...SERVICE_EXPOSED,
    ...exposed.filter((name) => !SERVICE_EXPOSED.includes(name)),
  ]);
  // Preflight-only headers never appear on an actual response.
  expect(headers['access-control-allow-methods']).toBeUndefined();
  expect(headers['access-control-max-age']).toBeUndefined();
}

/** A passing preflight: 204, no body, and the preflight header set. */
function expectAllowedPreflight(
  res: { status: number; text: string; headers: http.IncomingHttpHeaders },
  allowOrigin: string,
  expected: {
    method: string;
    methods: string[];
    requestHeaders: string[];
    allowedHeaders: string[];
    maxAge: string;
    credentials: boolean;
  },
): void {
  expect(res.status).toBe(204);
  expect(res.text ?? '').toBe('');
  expect(res.headers['access-control-allow-origin']).toBe(allowOrigin);
  const methods = listOf(res.headers['access-control-allow-methods']);
  expect(methods).toContain(expected.method);
  expect(new Set(methods).size).toBe(methods.length);
  for (const method of methods) expect(expected.methods).toContain(method);
  const headers = listOf(res.headers['access-control-allow-headers']).map((h) => h.toLowerCase());
  for (const name of expected.requestHeaders) expect(headers).toContain(name.toLowerCase());
  const configured = expected.allowedHeaders.map((h) => h.toLowerCase());
  for (const name of headers) expect(configured).toContain(name);
  expect(res.headers['access-control-max-age']).toBe(expected.maxAge);
  if (expected.credentials) expect(res.headers['access-control-allow-credentials']).toBe('true');
  else expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  expect(varyOf(res.headers)).toEqual(expect.arrayContaining(PREFLIGHT_VARY));
}

function expectRefused(res: { status: number; body: unknown; headers: http.IncomingHttpHeaders }) {
  expect(res.status).toBe(403);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body).toEqual(ORIGIN_NOT_ALLOWED);
  expect(corsHeaderNames(res.headers)).toEqual([]);
}

/**
 * A preflight refused for its method or headers: 403 with a message of its own (the origin may be
 * fine, so not "Origin not allowed"), no Access-Control-* header.
 */
function expectRefusedPreflight(res: {
  status: number;
  body: unknown;
  headers: http.IncomingHttpHeaders;
}) {
  expect(res.status).toBe(403);
  expect(res.body).toEqual({
    statusCode: 403,
    error: expect.stringMatching(/^(Method|Request header) not allowed by CORS policy$/),
  });
  expect(corsHeaderNames(res.headers)).toEqual([]);
}

describe('CORS defaults (no CORS_* variable set)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startCorsApp();
  });
  afterAll(() => server.close());

  it('allows http://localhost:1234 outside production', async () => {
    const res = await greet(server, 'http://localhost:1234');
    expect(res.status).toBe(200);
    expect(res.body.greeting).toBe('Hello, Alice!');
    expectAllowedActual(res.headers, 'http://localhost:1234');
  });

  it('refuses any other origin', async () => {
    expectRefused(await greet(server, 'http://localhost:3000'));
  });

  it('a request without Origin proceeds normally with Vary: Origin and no CORS header', async () => {
    const res = await greet(server);
    expect(res.status).toBe(200);
    expect(res.body.greeting).toBe('Hello, Alice!');
    expect(corsHeaderNames(res.headers)).toEqual([]);
    expect(varyOf(res.headers)).toContain('origin');
  });

  it('preflight: GET, HEAD, POST and Content-Type + X-Request-Id, max-age 60, no credentials', async () => {
    const res = await preflight(server, 'http://localhost:1234');
    expectAllowedPreflight(res, 'http://localhost:1234', {
      method: 'POST',
      methods: ['GET', 'HEAD', 'POST'],
      requestHeaders: ['content-type'],
      allowedHeaders: ['Content-Type', 'X-Request-Id'],
      maxAge: '60',
      credentials: false,
    });
  });

  it.each(['PUT', 'DELETE', 'PATCH'])('preflight for %s is refused by default', async (method) => {
    expectRefusedPreflight(await preflight(server, 'http://localhost:1234', method));
  });

  it('a preflight refused for its method or a header says which, not "Origin not allowed"', async () => {
    const method = await preflight(server, 'http://localhost:1234', 'DELETE');
    expect(method.body).toEqual({ statusCode: 403, error: 'Method not allowed by CORS policy' });
    const header = await preflight(server, 'http://localhost:1234', 'POST', 'x-secret');
    expect(header.body).toEqual({
      statusCode: 403,
      error: 'Request header not allowed by CORS policy',
    });
    // Its own X-Request-Id is allowed by default, so a front end can send one.
    const own = await preflight(
      server,
      'http://localhost:1234',
      'POST',
      'content-type, x-request-id',
    );
    expect(own.status).toBe(204);
  });

  it('preflight asking for a header not in the default list is refused', async () => {
    expectRefusedPreflight(
      await preflight(server, 'http://localhost:1234', 'POST', 'content-type, authorization'),
    );
  });
});

describe('CORS with exact origins, no credentials', () => {
  const ORIGINS = [
    'https://app.example.com',
    'http://localhost:1234',
    'https://admin.example.com:8443',
  ];
  let server: TestApp;
  beforeAll(async () => {
    server = await startCorsApp({
      // Elements are trimmed.
      CORS_ALLOWED_ORIGINS:
        ' https://app.example.com , http://localhost:1234,https://admin.example.com:8443 ',
      BODY_LIMIT: '100',
    });
  });
  afterAll(() => server.close());

  describe('allowed origin, actual requests', () => {
    it.each(ORIGINS)('POST /greet from %s → 200 with the origin echoed exactly', async (origin) => {
      const res = await greet(server, origin);
      expect(res.status).toBe(200);
      expect(res.body.greeting).toBe('Hello, Alice!');
      expectAllowedActual(res.headers, origin);
    });

    it('sends Access-Control-Allow-Origin exactly once (raw response)', async () => {
      const res = await rawGreet(server.url, ['https://app.example.com']);
      expect(res.status).toBe(200);
      // raw-http joins repeated lines with ", ", so a duplicate would show here.
      expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    });

    it('GET /health carries the CORS headers too', async () => {
      const res = await request(server.url).get('/health').set('Origin', 'https://app.example.com');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'ok' });
      expectAllowedActual(res.headers, 'https://app.example.com');
    });

    it('Sec-Fetch-Site: cross-site does not change anything for an allowed origin', async () => {
      const res = await greet(server, 'https://app.example.com').set(
        'Sec-Fetch-Site',
        'cross-site',
      );
      expect(res.status).toBe(200);
      expectAllowedActual(res.headers, 'https://app.example.com');
    });
  });

  describe('errors carry the CORS headers of an allowed origin', () => {
    const origin = 'https://app.example.com';

    it('400 malformed JSON', async () => {
      const res = await greet(server, origin, '{"name": ');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Malformed JSON in request body' });
      expectAllowedActual(res.headers, origin);
    });

    it('400 missing body', async () => {
      const res = await greet(server, origin, '{}');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Missing request body' });
      expectAllowedActual(res.headers, origin);
    });

    it('400 validation error', async () => {
      const res = await greet(server, origin, '{"name":42}');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, error: "Field 'name' must be a string" });
      expectAllowedActual(res.headers, origin);
    });

    it('404 unknown route', async () => {
      const res = await request(server.url).post('/nope').set('Origin', origin).send({ name: 'A' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Cannot POST /nope' });
      expectAllowedActual(res.headers, origin);
    });

    it('405 method the route does not serve', async () => {
      const res = await request(server.url).delete('/greet').set('Origin', origin);
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.body).toEqual({ statusCode: 405, error: 'Method not allowed' });
      expectAllowedActual(res.headers, origin);
    });

    it('415 non-JSON content type', async () => {
      const res = await request(server.url)
        .post('/greet')
        .set('Origin', origin)
        .set('Content-Type', 'text/plain')
        .send('{"name":"Alice"}');
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ statusCode: 415, error: 'Content-Type must be application/json' });
      expectAllowedActual(res.headers, origin);
    });

    it('413 with Content-Length', async () => {
      const res = await greet(server, origin, OVERSIZED_BODY);
      expect(res.status).toBe(413);
      expect(res.body).toEqual({ statusCode: 413, error: 'Payload too large' });
      expectAllowedActual(res.headers, origin);
    });

    it('413 chunked', async () => {
      const res = await postChunked(
        server.url,
        '/greet',
        [Buffer.from('{"name":"Alice","pad":"'), Buffer.alloc(150, 'x'), Buffer.from('"}')],
        { Origin: origin },
      );
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toEqual({ statusCode: 413, error: 'Payload too large' });
      expectAllowedActual(res.headers, origin);
    });
  });

  describe('disallowed origin: 403, no CORS header, the handler never runs', () => {
    const evil = 'https://evil.example.com';

    it('valid body → 403', async () => {
      expectRefused(await greet(server, evil));
    });

    it('invalid JSON → 403, not 400', async () => {
      expectRefused(await greet(server, evil, '{"name": '));
    });

    it('missing field → 403, not 400', async () => {
      expectRefused(await greet(server, evil, '{"lang":"es"}'));
    });

    it('non-JSON content type → 403, not 415', async () => {
      const res = await request(server.url)
        .post('/greet')
        .set('Origin', evil)
        .set('Content-Type', 'text/plain')
        .send('{"name":"Alice"}');
      expectRefused(res);
    });

    it('oversized body (Content-Length) → 403, not 413', async () => {
      expectRefused(await greet(server, evil, OVERSIZED_BODY));
    });

    it('oversized chunked body → 403, not 413', async () => {
      const res = await postChunked(
        server.url,
        '/greet',
        [Buffer.from('{"name":"Alice","pad":"'), Buffer.alloc(150, 'x'), Buffer.from('"}')],
        { Origin: evil },
      );
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body)).toEqual(ORIGIN_NOT_ALLOWED);
      expect(corsHeaderNames(res.headers)).toEqual([]);
    });

    it('unknown route → 403, not 404', async () => {
      expectRefused(await request(server.url).post('/nope').set('Origin', evil).send({}));
    });

    it('GET /health → 403', async () => {
      expectRefused(await request(server.url).get('/health').set('Origin', evil));
    });

    it.each([
      ['null', 'null'],
      ['empty', ''],
    ])('Origin %s → 403', async (_label, origin) => {
      expectRefused(await greet(server, origin));
    });

    it('an over-long origin (1000 bytes) → 403', async () => {
      expectRefused(await greet(server, `https://${'a'.repeat(980)}.example.com`));
    });

    it('a refused request leaves the service working for allowed origins', async () => {
      await greet(server, evil, OVERSIZED_BODY);
      const res = await greet(server, 'https://app.example.com');
      expect(res.status).toBe(200);
      expectAllowedActual(res.headers, 'https://app.example.com');
    });
  });

  describe('duplicated Origin lines (raw socket)', () => {
    it.each([
      ['the same allowed origin twice', ['https://app.example.com', 'https://app.example.com']],
      ['two different allowed origins', ['https://app.example.com', 'http://localhost:1234']],
      ['allowed then disallowed', ['https://app.example.com', 'https://evil.com']],
      ['disallowed then allowed', ['https://evil.com', 'https://app.example.com']],
    ])('actual request with %s → 403', async (_label, origins) => {
      const res = await rawGreet(server.url, origins);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body)).toEqual(ORIGIN_NOT_ALLOWED);
      expect(corsHeaderNames(res.headers)).toEqual([]);
    });

    it.each([
      ['the same allowed origin twice', ['https://app.example.com', 'https://app.example.com']],
      ['two different allowed origins', ['https://app.example.com', 'http://localhost:1234']],
    ])('preflight with %s → 403', async (_label, origins) => {
      const res = await rawPreflight(server.url, origins);
      expect(res.status).toBe(403);
      expect(corsHeaderNames(res.headers)).toEqual([]);
    });

    it('a single raw Origin line is allowed (control for the cases above)', async () => {
      const res = await rawGreet(server.url, ['https://app.example.com']);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    });
  });

  describe('requests without Origin', () => {
    it('POST /greet proceeds, no Access-Control-* header, Vary: Origin', async () => {
      const res = await greet(server);
      expect(res.status).toBe(200);
      expect(res.body.greeting).toBe('Hello, Alice!');
      expect(corsHeaderNames(res.headers)).toEqual([]);
      expect(varyOf(res.headers)).toContain('origin');
    });

    it('errors without Origin carry Vary: Origin and no Access-Control-* header', async () => {
      const res = await greet(server, undefined, '{}');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Missing request body' });
      expect(corsHeaderNames(res.headers)).toEqual([]);
      expect(varyOf(res.headers)).toContain('origin');
    });

    it('GET /health proceeds with Vary: Origin', async () => {
      const res = await request(server.url).get('/health');
      expect(res.status).toBe(200);
      expect(corsHeaderNames(res.headers)).toEqual([]);
      expect(varyOf(res.headers)).toContain('origin');
    });
  });

  describe('same-origin (Sec-Fetch-Site)', () => {
    it('Sec-Fetch-Site: same-origin passes as non-CORS', async () => {
      const res = await greet(server, server.url).set('Sec-Fetch-Site', 'same-origin');
      expect(res.status).toBe(200);
      expect(res.body.greeting).toBe('Hello, Alice!');
      expect(corsHeaderNames(res.headers)).toEqual([]);
    });

    it.each(['same-site', 'cross-site', 'none'])(
      'Sec-Fetch-Site: %s with a disallowed origin is still refused',
      async (site) => {
        expectRefused(await greet(server, 'https://evil.com').set('Sec-Fetch-Site', site));
      },
    );

    it('a spoofed Host matching the Origin does not make a request same-origin', async () => {
      const res = await greet(server, 'http://evil.example:8080').set('Host', 'evil.example:8080');
      expectRefused(res);
    });

    it('a spoofed X-Forwarded-Host matching the Origin does not make it same-origin', async () => {
      const res = await greet(server, 'https://evil.example')
        .set('X-Forwarded-Host', 'evil.example')
        .set('X-Forwarded-Proto', 'https');
      expectRefused(res);
    });
  });

  describe('plain OPTIONS is not a preflight', () => {
    it('OPTIONS with an allowed Origin but no Access-Control-Request-Method → routed (405)', async () => {
      const res = await request(server.url)
        .options('/greet')
        .set('Origin', 'https://app.example.com');
      expect(res.status).toBe(405);
      expect(res.body).toEqual({ statusCode: 405, error: 'Method not allowed' });
      expectAllowedActual(res.headers, 'https://app.example.com');
      expect(res.headers['access-control-allow-headers']).toBeUndefined();
    });

    it('OPTIONS with a disallowed Origin and no Access-Control-Request-Method → 403', async () => {
      expectRefused(await request(server.url).options('/greet').set('Origin', 'https://evil.com'));
    });

    it('OPTIONS with Access-Control-Request-Method but no Origin → not CORS (405)', async () => {
      const res = await request(server.url)
        .options('/greet')
        .set('Access-Control-Request-Method', 'POST');
      expect(res.status).toBe(405);
      expect(res.body).toEqual({ statusCode: 405, error: 'Method not allowed' });
      expect(corsHeaderNames(res.headers)).toEqual([]);
    });
  });

  describe('preflight', () => {
    const expected = {
      method: 'POST',
      methods: ['GET', 'HEAD', 'POST'],
      requestHeaders: ['content-type'],
      allowedHeaders: ['Content-Type', 'X-Request-Id'],
      maxAge: '60',
      credentials: false,
    };

    it.each(ORIGINS)('allowed origin %s → 204 with the preflight headers', async (origin) => {
      expectAllowedPreflight(await preflight(server, origin), origin, expected);
    });

    it('the body of a passing preflight is empty (raw socket)', async () => {
      const res = await rawPreflight(server.url, ['https://app.example.com']);
      expect(res.status).toBe(204);
      expect(res.body).toBe('');
      expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    });

    it('without Access-Control-Request-Headers', async () => {
      const res = await preflight(server, 'https://app.example.com', 'GET', undefined);
      expectAllowedPreflight(res, 'https://app.example.com', {
        ...expected,
        method: 'GET',
        requestHeaders: [],
      });
    });

    it.each(['/health', '/nope', '/greet/languages'])('works for any route: %s', async (path) => {
      const res = await preflight(server, 'https://app.example.com', 'POST', 'content-type', path);
      expectAllowedPreflight(res, 'https://app.example.com', expected);
    });

    it('disallowed origin → 403 Origin not allowed, no CORS header', async () => {
      expectRefused(await preflight(server, 'https://evil.com'));
    });

    it.each(['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'])(
      'method %s not in the list → 403',
      async (method) => {
        expectRefusedPreflight(await preflight(server, 'https://app.example.com', method));
      },
    );

    it.each(['x-custom', 'authorization', 'content-type, x-custom', 'x-custom, content-type'])(
      'requested header(s) "%s" not all in the list → 403',
      async (headers) => {
        expectRefusedPreflight(await preflight(server, 'https://app.example.com', 'POST', headers));
      },
    );

    it.each(['CONTENT-TYPE', 'Content-Type', 'content-type', 'cOnTeNt-TyPe'])(
      'header names compare case-insensitively: %s',
      async (name) => {
        const res = await preflight(server, 'https://app.example.com', 'POST', name);
        expectAllowedPreflight(res, 'https://app.example.com', expected);
      },
    );
  });
});

describe('CORS with several allowed headers and methods', () => {
  let server: TestApp;
  const config = {
    method: 'PUT',
    methods: ['GET', 'POST', 'PUT', 'DELETE'],
    requestHeaders: [] as string[],
    allowedHeaders: ['Content-Type', 'X-Requested-With', 'X-Trace-Id'],
    maxAge: '60',
    credentials: false,
  };
  beforeAll(async () => {
    server = await startCorsApp({
      CORS_ALLOWED_ORIGINS: 'https://app.example.com',
      CORS_ALLOWED_METHODS: 'GET, POST,PUT ,DELETE',
      CORS_ALLOWED_HEADERS: 'Content-Type, X-Requested-With ,x-trace-id',
    });
  });
  afterAll(() => server.close());

  it.each(['PUT', 'DELETE', 'GET', 'POST'])('method %s from the list → 204', async (method) => {
    const res = await preflight(server, 'https://app.example.com', method, 'content-type');
    expectAllowedPreflight(res, 'https://app.example.com', {
      ...config,
      method,
      requestHeaders: ['content-type'],
    });
  });

  it.each(['HEAD', 'PATCH'])('method %s not in the configured list → 403', async (method) => {
    expectRefusedPreflight(await preflight(server, 'https://app.example.com', method));
  });

  it.each([
    'content-type,x-requested-with,x-trace-id',
    'X-TRACE-ID, Content-Type',
    ' x-requested-with ,  CONTENT-TYPE ',
    'X-Requested-With',
  ])('several requested headers, any case: "%s"', async (requested) => {
    const res = await preflight(server, 'https://app.example.com', 'PUT', requested);
    expectAllowedPreflight(res, 'https://app.example.com', {
      ...config,
      requestHeaders: listOf(requested),
    });
  });

  it('Access-Control-Allow-Headers names every header asked for, case-insensitively', async () => {
    const res = await preflight(
      server,
      'https://app.example.com',
      'PUT',
      'content-type,x-requested-with,x-trace-id',
    );
    expect(res.status).toBe(204);
    expect(
      listOf(res.headers['access-control-allow-headers'])
        .map((h) => h.toLowerCase())
        .sort(),
    ).toEqual(['content-type', 'x-requested-with', 'x-trace-id']);
  });

  it('one header outside the list among several → 403', async () => {
    expectRefusedPreflight(
      await preflight(server, 'https://app.example.com', 'PUT', 'content-type, x-trace-id, x-evil'),
    );
  });

  it('a header that only shares a prefix with an allowed one → 403', async () => {
    expectRefusedPreflight(
      await preflight(server, 'https://app.example.com', 'PUT', 'x-requested-with-evil'),
    );
  });
});

describe('CORS with credentials, patterns and exposed headers', () => {
  const EXPOSED = ['X-Request-Id', 'X-RateLimit-Remaining'];
  let server: TestApp;
  beforeAll(async () => {
    server = await startCorsApp({
      CORS_ALLOWED_ORIGINS: 'https://app.example.com,https://*.example.org,http://localhost:1234',
      CORS_ALLOW_CREDENTIALS: 'true',
      CORS_EXPOSED_HEADERS: 'X-Request-Id, X-RateLimit-Remaining',
      CORS_ALLOWED_HEADERS: 'Content-Type,Authorization',
      CORS_MAX_AGE: '600',
      BODY_LIMIT: '100',
    });
  });
  afterAll(() => server.close());

  const opts = { credentials: true, exposed: EXPOSED };

  it.each(['https://app.example.com', 'https://shop.example.org', 'http://localhost:1234'])(
    'allowed %s → 200 with Allow-Credentials: true and Expose-Headers',
    async (origin) => {
      const res = await greet(server, origin);
      expect(res.status).toBe(200);
      expectAllowedActual(res.headers, origin, opts);
    },
  );

  it('400 carries the credentials and exposed headers', async () => {
    const res = await greet(server, 'https://shop.example.org', '{"name":""}');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: "Field 'name' cannot be empty" });
    expectAllowedActual(res.headers, 'https://shop.example.org', opts);
  });

  it('404 carries the credentials and exposed headers', async () => {
    const res = await request(server.url).get('/nope').set('Origin', 'https://app.example.com');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Cannot GET /nope' });
    expectAllowedActual(res.headers, 'https://app.example.com', opts);
  });

  it('413 (Content-Length) carries the credentials and exposed headers', async () => {
    const res = await greet(server, 'https://app.example.com', OVERSIZED_BODY);
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ statusCode: 413, error: 'Payload too large' });
    expectAllowedActual(res.headers, 'https://app.example.com', opts);
  });

  it('413 (chunked) carries the credentials and exposed headers', async () => {
    const res = await postChunked(
      server.url,
      '/greet',
      [Buffer.from('{"name":"Alice","pad":"'), Buffer.alloc(120, 'y'), Buffer.from('"}')],
      { Origin: 'https://a.example.org' },
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual({ statusCode: 413, error: 'Payload too large' });
    expectAllowedActual(res.headers, 'https://a.example.org', opts);
  });

  it('415 carries the credentials and exposed headers', async () => {
    const res = await request(server.url)
      .post('/greet')
      .set('Origin', 'https://app.example.com')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('name=Alice');
    expect(res.status).toBe(415);
    expect(res.body).toEqual({ statusCode: 415, error: 'Content-Type must be application/json' });
    expectAllowedActual(res.headers, 'https://app.example.com', opts);
  });

  it('preflight: Allow-Credentials: true and Max-Age 600', async () => {
    const res = await preflight(
      server,
      'https://www.example.org',
      'POST',
      'authorization,content-type',
    );
    expectAllowedPreflight(res, 'https://www.example.org', {
      method: 'POST',
      methods: ['GET', 'HEAD', 'POST'],
      requestHeaders: ['authorization', 'content-type'],
      allowedHeaders: ['Content-Type', 'Authorization'],
      maxAge: '600',
      credentials: true,
    });
  });

  it('a refused origin gets neither Allow-Credentials nor Expose-Headers', async () => {
    expectRefused(await greet(server, 'https://example.org'));
  });

  it('a refused preflight gets no Access-Control-* header', async () => {
    expectRefused(await preflight(server, 'https://evil.com', 'POST', 'authorization'));
    expectRefusedPreflight(await preflight(server, 'https://app.example.com', 'PUT'));
    expectRefusedPreflight(await preflight(server, 'https://app.example.com', 'POST', 'x-evil'));
  });

  describe('per-route policy: GET /greet/languages is public (*)', () => {
    it.each(['https://app.example.com', 'https://anyone.test', 'http://localhost:9999'])(
      'from %s → 200 with * and no Allow-Credentials',
      async (origin) => {
        const res = await request(server.url).get('/greet/languages').set('Origin', origin);
        expect(res.status).toBe(200);
        expect(res.body.languages).toEqual(
          expect.arrayContaining([{ code: 'en', greeting: 'Hello' }]),
        );
        expect(res.headers['access-control-allow-origin']).toBe('*');
        expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      },
    );

    it('its preflight honours * without credentials', async () => {
      const res = await preflight(
        server,
        'https://anyone.test',
        'GET',
        undefined,
        '/greet/languages',
      );
      expectAllowedPreflight(res, '*', {
        method: 'GET',
        methods: ['GET', 'HEAD', 'POST'],
        requestHeaders: [],
        allowedHeaders: ['Content-Type', 'Authorization'],
        maxAge: '600',
        credentials: false,
      });
    });

    it('POST /greet keeps the allowlist for the same origin', async () => {
      expectRefused(await greet(server, 'https://anyone.test'));
    });

    it('the preflight of POST /greet keeps the allowlist for the same origin', async () => {
      expectRefused(await preflight(server, 'https://anyone.test'));
    });

    it('without Origin it still sends `*` and no Vary: Origin (one response for everyone)', async () => {
      const res = await request(server.url).get('/greet/languages');
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(corsHeaderNames(res.headers)).not.toContain('access-control-allow-credentials');
      expect(varyOf(res.headers)).not.toContain('origin');
    });

    it('Origin: null is still refused', async () => {
      expectRefused(await request(server.url).get('/greet/languages').set('Origin', 'null'));
    });
  });
});

describe('CORS with subdomain patterns', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startCorsApp({
      CORS_ALLOWED_ORIGINS: 'https://*.example.com, https://*.example.net:8443',
    });
  });
  afterAll(() => server.close());

  it.each([
    'https://a.example.com',
    'https://app.example.com',
    'https://a-b.example.com',
    'https://0.example.com',
    'https://a--b.example.com',
    'https://xn--bcher-kva.example.com',
    `https://${'a'.repeat(63)}.example.com`,
    `https://a${'-'.repeat(61)}b.example.com`,
    'https://api.example.net:8443',
  ])('%s matches (one LDH label, same scheme and port)', async (origin) => {
    const res = await greet(server, origin);
    expect(res.status).toBe(200);
    expectAllowedActual(res.headers, origin);
    expectAllowedPreflight(await preflight(server, origin), origin, {
      method: 'POST',
      methods: ['GET', 'HEAD', 'POST'],
      requestHeaders: ['content-type'],
      allowedHeaders: ['Content-Type', 'X-Request-Id'],
      maxAge: '60',
      credentials: false,
    });
  });

  it.each([
    ['the apex', 'https://example.com'],
    ['two levels', 'https://a.b.example.com'],
    ['an empty label', 'https://.example.com'],
    ['a 64-character label', `https://${'a'.repeat(64)}.example.com`],
    ['a leading hyphen', 'https://-a.example.com'],
    ['a trailing hyphen', 'https://a-.example.com'],
    ['an underscore', 'https://a_b.example.com'],
    ['an uppercase label', 'https://App.example.com'],
    ['another scheme', 'http://a.example.com'],
    ['an added port', 'https://a.example.com:8443'],
    ['the pattern port missing', 'https://api.example.net'],
    ['another port', 'https://api.example.net:8444'],
    ['the pattern text itself', 'https://*.example.com'],
  ])('refuses %s: %s', async (_label, origin) => {
    expectRefused(await greet(server, origin));
    expectRefused(await preflight(server, origin));
  });
});

describe('CORS_ALLOWED_ORIGINS=*', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startCorsApp({
      CORS_ALLOWED_ORIGINS: '*',
      CORS_EXPOSED_HEADERS: 'X-Request-Id',
    });
  });
  afterAll(() => server.close());

  it.each(['https://anyone.test', 'http://localhost:1234', 'https://evil.com'])(
    'POST /greet from %s → 200 with Access-Control-Allow-Origin: *',
    async (origin) => {
      const res = await greet(server, origin);
      expect(res.status).toBe(200);
      expect(res.body.greeting).toBe('Hello, Alice!');
      expectAllowedActual(res.headers, '*', { exposed: ['X-Request-Id'] });
    },
  );

  it('errors carry * too', async () => {
    const res = await greet(server, 'https://anyone.test', '[]');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Request body must be a JSON object' });
    expectAllowedActual(res.headers, '*', { exposed: ['X-Request-Id'] });
  });

  it('no Origin: the same `*` headers as for any origin, and no Vary: Origin', async () => {
    const res = await greet(server);
    expect(res.status).toBe(200);
    expectAllowedActual(res.headers, '*', { exposed: ['X-Request-Id'] });
    expect(varyOf(res.headers)).not.toContain('origin');
  });

  it('preflight from any origin → 204 with *', async () => {
    expectAllowedPreflight(await preflight(server, 'https://anyone.test'), '*', {
      method: 'POST',
      methods: ['GET', 'HEAD', 'POST'],
      requestHeaders: ['content-type'],
      allowedHeaders: ['Content-Type', 'X-Request-Id'],
      maxAge: '60',
      credentials: false,
    });
  });

  it('preflight for a method outside the list → 403', async () => {
    expectRefusedPreflight(await preflight(server, 'https://anyone.test', 'DELETE'));
  });

  it('preflight for a header outside the list → 403', async () => {
    expectRefusedPreflight(await preflight(server, 'https://anyone.test', 'POST', 'x-evil'));
  });

  it.each([
    ['null', 'null'],
    ['empty', ''],
  ])('Origin %s is refused even with *', async (_label, origin) => {
    expectRefused(await greet(server, origin));
  });

  it('duplicated Origin lines are refused even with *', async () => {
    const res = await rawGreet(server.url, ['https://a.test', 'https://b.test']);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual(ORIGIN_NOT_ALLOWED);
    expect(corsHeaderNames(res.headers)).toEqual([]);
  });

  it('an over-long Origin (10 KB) is refused even with *', async () => {
    expectRefused(await greet(server, `https://${'a'.repeat(10_000)}.test`));
  });
});

describe('CORS_MAX_AGE', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startCorsApp({
      CORS_ALLOWED_ORIGINS: 'https://app.example.com',
      CORS_MAX_AGE: '0',
    });
  });
  afterAll(() => server.close());

  it('0 is sent as Access-Control-Max-Age: 0', async () => {
    const res = await preflight(server, 'https://app.example.com');
    expectAllowedPreflight(res, 'https://app.example.com', {
      method: 'POST',
      methods: ['GET', 'HEAD', 'POST'],
      requestHeaders: ['content-type'],
      allowedHeaders: ['Content-Type', 'X-Request-Id'],
      maxAge: '0',
      credentials: false,
    });
  });

  it('Max-Age is a preflight header only', async () => {
    const res = await greet(server, 'https://app.example.com');
    expect(res.status).toBe(200);
    expect(res.headers['access-control-max-age']).toBeUndefined();
  });

  it('raw preflight: status line 204 and the exact Vary value', async () => {
    const res = await sendRaw(server.url, {
      method: 'OPTIONS',
      path: '/greet',
      headers: [
        ['Origin', 'https://app.example.com'],
        ['Access-Control-Request-Method', 'POST'],
      ],
    });
    expect(res.status).toBe(204);
    expect(res.body).toBe('');
    expect(res.headers['access-control-max-age']).toBe('0');
    expect(varyOf(res.headers)).toEqual(expect.arrayContaining(PREFLIGHT_VARY));
  });
});
