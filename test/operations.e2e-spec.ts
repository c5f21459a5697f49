import request from 'supertest';
import { ShutdownState } from '../src/health/shutdown.state';
import { rawRequest } from './helpers/raw-http';
import { startTestApp, TestApp } from './helpers/test-app';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const APP_ORIGIN = 'https://app.example.com';

describe('request ids (e2e)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ CORS_ALLOWED_ORIGINS: APP_ORIGIN, BODY_LIMIT: '100' });
  });
  afterAll(() => server.close());

  it('generates a UUID when the caller sends none', async () => {
    const a = await request(server.url).get('/greet/languages');
    const b = await request(server.url).get('/greet/languages');
    expect(a.headers['x-request-id']).toMatch(UUID);
    expect(b.headers['x-request-id']).toMatch(UUID);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('echoes a well-formed X-Request-Id', async () => {
    const res = await request(server.url)
      .get('/health/live')
      .set('X-Request-Id', 'front-end:42.a_b');
    expect(res.headers['x-request-id']).toBe('front-end:42.a_b');
  });

  it.each([['x'.repeat(129)], ['has space'], ['semi;colon'], ['']])(
    'replaces an ill-formed X-Request-Id %j',
    async (given) => {
      const res = await request(server.url).get('/health/live').set('X-Request-Id', given);
      expect(res.headers['x-request-id']).toMatch(UUID);
    },
  );

  it('is on preflights, refusals, 404s and 413s too', async () => {
    const responses = await Promise.all([
      request(server.url)
        .options('/greet')
        .set('Origin', APP_ORIGIN)
        .set('Access-Control-Request-Method', 'POST'),
      request(server.url).post('/greet').set('Origin', 'https://evil.example').send({ name: 'A' }),
      request(server.url).get('/nope'),
      request(server.url)
        .post('/greet')
        .send({ name: 'A'.repeat(200) }),
    ]);
    expect(responses.map((res) => res.status)).toEqual([204, 403, 404, 413]);
    for (const res of responses) expect(res.headers['x-request-id']).toMatch(UUID);
  });

  it('is readable by browsers from an allowed origin', async () => {
    const res = await request(server.url)
      .post('/greet')
      .set('Origin', APP_ORIGIN)
      .send({ name: 'A' });
    expect(res.headers['access-control-expose-headers']).toBe(
      'X-Request-Id, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset',
    );
  });
});

describe('request targets (e2e)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ CORS_ALLOWED_ORIGINS: APP_ORIGIN });
  });
  afterAll(() => server.close());

  it.each([
    ['absolute-form', (port: string) => `http://127.0.0.1:${port}/greet/languages`],
    ['with a fragment', () => '/greet/languages#top'],
  ])('a %s target gets the policy of the route Express serves', async (_label, target) => {
    const port = new URL(server.url).port;
    const res = await rawRequest(
      server.url,
      `GET ${target(port)} HTTP/1.1\r\nHost: x\r\nOrigin: https://other.example\r\nConnection: close\r\n\r\n`,
    );
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(res.body).languages).toBeDefined();
  });
});

describe('security headers (e2e)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ DOCS_ENABLED: 'true' });
  });
  afterAll(() => server.close());

  it.each([
    ['a 200', () => request(server.url).post('/greet').send({ name: 'A' })],
    ['a 400', () => request(server.url).post('/greet').send({})],
    ['a 403', () => request(server.url).get('/health').set('Origin', 'null')],
  ])('API responses (%s) forbid rendering, framing and sniffing', async (_label, send) => {
    const res = await send();
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('the Swagger page gets a CSP that lets its own scripts run', async () => {
    const res = await request(server.url).get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('health (e2e)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ CORS_ALLOWED_ORIGINS: APP_ORIGIN });
  });
  afterAll(() => server.close());

  it('live and ready answer 200 without an Origin', async () => {
    const live = await request(server.url).get('/health/live');
    expect(live.status).toBe(200);
    expect(live.body.status).toBe('ok');
    for (const path of ['/health/ready', '/health']) {
      const ready = await request(server.url).get(path);
      expect(ready.status).toBe(200);
      expect(ready.body).toMatchObject({ status: 'ok', info: { accepting: { status: 'up' } } });
    }
  });

  it('readiness (and its alias) turn 503 once shutdown starts; liveness stays 200', async () => {
    const other = await startTestApp({});
    try {
      other.app.get(ShutdownState).onModuleDestroy();
      for (const path of ['/health/ready', '/health']) {
        const res = await request(other.url).get(path);
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ statusCode: 503, error: 'Service Unavailable' });
      }
      expect((await request(other.url).get('/health/live')).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('OpenAPI docs (e2e)', () => {
  it('serves Swagger UI and the JSON, generated from the DTOs, when enabled', async () => {
    const server = await startTestApp({ DOCS_ENABLED: 'true' });
    try {
      const page = await request(server.url).get('/docs');
      expect(page.status).toBe(200);
      expect(page.text).toContain('swagger-ui');
      const { body, status } = await request(server.url).get('/docs-json');
      expect(status).toBe(200);
      expect(Object.keys(body.paths).sort()).toEqual([
        '/greet',
        '/greet/languages',
        '/health',
        '/health/live',
        '/health/ready',
      ]);
      expect(Object.keys(body.paths['/greet'].post.responses).sort()).toEqual([
        '200',
        '400',
        '403',
        '404',
        '405',
        '408',
        '413',
        '415',
        '429',
        '431',
        '500',
        '503',
      ]);
      expect(body.components.schemas.GreetRequestDto).toMatchObject({
        required: ['name'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 100 },
          lang: { type: 'string', pattern: expect.stringContaining('[Ee][Ss]') },
        },
      });
      expect(body.components.schemas.GreetRequestDto.properties.lang.enum).toBeUndefined();
      expect(body.components.schemas.ErrorEnvelopeDto.required).toEqual(['statusCode', 'error']);
      expect(body.info.description).toContain('Origin not allowed');
    } finally {
      await server.close();
    }
  });

  it.each([
    [{ DOCS_ENABLED: 'false' }],
    [{ NODE_ENV: 'production', CORS_ALLOWED_ORIGINS: APP_ORIGIN }],
  ])('is off with %j', async (env) => {
    const server = await startTestApp(env);
    try {
      for (const path of ['/docs', '/docs-json']) {
        const res = await request(server.url).get(path);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ statusCode: 404, error: `Cannot GET ${path}` });
      }
    } finally {
      await server.close();
    }
  });
});
