import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { sendRaw } from './helpers/cors-requests';
import { stalledRequest } from './helpers/raw-http';
import { startTestApp, TestApp } from './helpers/test-app';

const OPENAPI_FILE = path.resolve(__dirname, '../openapi.json');
const APP = 'https://app.example.com';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The contract front ends generate clients from: the committed openapi.json is what the code
 * generates (run `npm run openapi` after changing an endpoint or a DTO), and real responses match
 * it — status, headers and body schema — for the successes and every documented error.
 */
describe('OpenAPI contract', () => {
  let app: TestApp;
  /** A budget of one request, for the 429; a store that is down (closed), for the 503. */
  let limited: TestApp;
  let storeDown: TestApp;
  let served: Json;
  const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Json;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addSchema({ components: committed.components }, 'openapi');
  // OpenAPI 3.0 refs point into the document: #/components/schemas/X.
  const validatorFor = (schema: Json) =>
    ajv.compile(
      JSON.parse(
        JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'),
      ) as object,
    );

  beforeAll(async () => {
    app = await startTestApp({
      DOCS_ENABLED: 'true',
      CORS_ALLOWED_ORIGINS: APP,
      BODY_LIMIT: '1kb',
      // Limits on, so the 200s carry the documented X-RateLimit-* headers.
      RATE_LIMIT_MAX: '100000',
    });
    limited = await startTestApp({ CORS_ALLOWED_ORIGINS: APP, RATE_LIMIT_MAX: '1' });
    storeDown = await startTestApp({
      CORS_ALLOWED_ORIGINS: APP,
      RATE_LIMIT_MAX: '10',
      RATE_LIMIT_STORE: 'redis',
      // Nothing listens on port 1.
      REDIS_URL: 'redis://127.0.0.1:1/0',
      RATE_LIMIT_ON_STORE_ERROR: 'closed',
    });
    served = (await request(app.url).get('/docs-json').expect(200)).body as Json;
  });
  afterAll(async () => {
    await Promise.all([app.close(), limited.close(), storeDown.close()]);
  });

  it('openapi.json is what the code generates (run `npm run openapi` when this fails)', () => {
    expect(served).toEqual(committed);
  });

  const cases: Array<{
    name: string;
    operation: [string, string];
    send: (app: TestApp) => Promise<{ status: number; headers: Json; body: unknown }>;
    status: number;
  }> = [
    {
      name: 'POST /greet 200',
      operation: ['/greet', 'post'],
      status: 200,
      send: (a) =>
        request(a.url).post('/greet').set('Origin', APP).send({ name: 'Ann', lang: 'ES' }),
    },
    {
      name: 'POST /greet 400 (missing name)',
      operation: ['/greet', 'post'],
      status: 400,
      send: (a) => request(a.url).post('/greet').send({ lang: 'es' }),
    },
    {
      name: 'POST /greet 400 (name over maxLength)',
      operation: ['/greet', 'post'],
      status: 400,
      send: (a) =>
        request(a.url)
          .post('/greet')
          .send({ name: 'x'.repeat(101) }),
    },
    {
      name: 'POST /greet 403 (origin)',
      operation: ['/greet', 'post'],
      status: 403,
      send: (a) =>
        request(a.url).post('/greet').set('Origin', 'https://evil.example').send({ name: 'A' }),
    },
    {
      name: 'POST /greet 413',
      operation: ['/greet', 'post'],
      status: 413,
      send: (a) =>
        request(a.url)
          .post('/greet')
          .send({ name: 'x'.repeat(2000) }),
    },
    {
      name: 'POST /greet 415',
      operation: ['/greet', 'post'],
      status: 415,
      send: (a) => request(a.url).post('/greet').set('Content-Type', 'text/plain').send('name=A'),
    },
    {
      name: 'GET /greet 405',
      operation: ['/greet', 'post'],
      status: 405,
      send: (a) => request(a.url).get('/greet'),
    },
    {
      name: 'GET /nope 404',
      operation: ['/greet/languages', 'get'],
      status: 404,
      send: (a) => request(a.url).get('/nope'),
    },
    {
      name: 'GET /greet/languages 200',
      operation: ['/greet/languages', 'get'],
      status: 200,
      send: (a) => request(a.url).get('/greet/languages').set('Origin', 'https://anyone.example'),
    },
    {
      name: 'GET /health/live 200',
      operation: ['/health/live', 'get'],
      status: 200,
      send: (a) => request(a.url).get('/health/live'),
    },
    {
      name: 'OPTIONS /greet 403 (preflight for a method)',
      operation: ['/greet', 'post'],
      status: 403,
      send: (a) =>
        request(a.url)
          .options('/greet')
          .set('Origin', APP)
          .set('Access-Control-Request-Method', 'DELETE'),
    },
    {
      name: 'OPTIONS /greet 403 (preflight for a header)',
      operation: ['/greet', 'post'],
      status: 403,
      send: (a) =>
        request(a.url)
          .options('/greet')
          .set('Origin', APP)
          .set('Access-Control-Request-Method', 'POST')
          .set('Access-Control-Request-Headers', 'x-secret'),
    },
    {
      name: 'GET /greet/languages 413 (a body on any route)',
      operation: ['/greet/languages', 'get'],
      status: 413,
      send: (a) =>
        request(a.url)
          .get('/greet/languages')
          .set('Content-Type', 'application/json')
          .send({ x: 'y'.repeat(2000) }),
    },
    {
      name: 'headers over 16 KB 431',
      operation: ['/greet', 'post'],
      status: 431,
      send: async (a) => {
        const res = await sendRaw(a.url, {
          method: 'GET',
          path: '/greet',
          headers: [['X-Big', 'x'.repeat(20_000)]],
        });
        return { status: res.status, headers: res.headers, body: JSON.parse(res.body) as unknown };
      },
    },
    {
      name: 'POST /greet 429 (over budget)',
      operation: ['/greet', 'post'],
      status: 429,
      send: async () => {
        await request(limited.url).post('/greet').send({ name: 'A' });
        return request(limited.url).post('/greet').send({ name: 'A' });
      },
    },
    {
      name: 'GET /greet/languages 503 (rate-limit store down, closed)',
      operation: ['/greet/languages', 'get'],
      status: 503,
      send: () => request(storeDown.url).get('/greet/languages'),
    },
    {
      name: 'GET /health/ready 200',
      operation: ['/health/ready', 'get'],
      status: 200,
      send: (a) => request(a.url).get('/health/ready'),
    },
    {
      name: 'bad request target 400',
      operation: ['/greet', 'post'],
      status: 400,
      send: async (a) => {
        const res = await sendRaw(a.url, { method: 'GET', path: '*' });
        return { status: res.status, headers: res.headers, body: JSON.parse(res.body) as unknown };
      },
    },
  ];

  it.each(cases)('$name matches the documented response', async ({ operation, send, status }) => {
    const res = await send(app);
    expect(res.status).toBe(status);
    const [route, method] = operation;
    const documented = served.paths[route][method].responses[String(status)] as Json | undefined;
    expect(documented).toBeDefined();
    // Every response carries X-Request-Id, as documented.
    expect(Object.keys(documented?.headers ?? {})).toContain('X-Request-Id');
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
    const schema = documented?.content?.['application/json']?.schema as Json | undefined;
    if (schema === undefined) return;
    const validate = validatorFor(schema);
    const valid = validate(res.body);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    if (status >= 400) expect(res.body).toMatchObject({ statusCode: status });
    // Every documented header is sent (the 405's Allow included).
    for (const name of Object.keys(documented?.headers ?? {})) {
      expect(res.headers[name.toLowerCase()]).toEqual(expect.any(String));
    }
  });

  it('a body that times out gets the documented 408', async () => {
    const slow = await startTestApp({ REQUEST_TIMEOUT_MS: '1000' });
    try {
      const { response } = await stalledRequest(
        slow.url,
        'POST /greet HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{"na',
      );
      expect(response.status).toBe(408);
      const documented = served.paths['/greet'].post.responses['408'] as Json;
      const validate = validatorFor(documented.content['application/json'].schema as Json);
      const body = JSON.parse(response.body) as unknown;
      expect(validate(body)).toBe(true);
      expect(body).toEqual({ statusCode: 408, error: 'Request timeout' });
      expect(response.headers['x-request-id']).toEqual(expect.any(String));
    } finally {
      await slow.close();
    }
  });

  it('documents lang as case-insensitive, name with its bounds, X-Request-Id as a request header', () => {
    const { properties } = served.components.schemas.GreetRequestDto as Json;
    const lang = new RegExp(properties.lang.pattern as string);
    for (const value of ['es', 'ES', 'Es', 'fr']) expect(lang.test(value)).toBe(true);
    for (const value of ['xx', 'esp', '']) expect(lang.test(value)).toBe(false);
    expect(properties.name).toMatchObject({ minLength: 1, maxLength: 100 });
    const statusCode = (served.components.schemas.ErrorEnvelopeDto as Json).properties.statusCode;
    expect(statusCode.type).toBe('integer');
    const parameters = served.paths['/greet'].post.parameters as Json[];
    expect(parameters).toContainEqual(
      expect.objectContaining({ name: 'X-Request-Id', in: 'header', required: false }),
    );
  });
});
