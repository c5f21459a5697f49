import request from 'supertest';
import { startTestApp, TestApp } from './helpers/test-app';

describe('POST /greet (e2e)', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  const postJson = (body: string, contentType = 'application/json') =>
    request(server.url).post('/greet').set('Content-Type', contentType).send(body);

  describe('success', () => {
    it('greets in the requested language with 200 and an ISO-8601 UTC timestamp', async () => {
      const before = Date.now();
      const res = await postJson(JSON.stringify({ name: 'Alice', lang: 'es' }));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.greeting).toBe('Hola, Alice!');
      expect(res.body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const at = Date.parse(res.body.timestamp);
      expect(at).toBeGreaterThanOrEqual(before - 1000);
      expect(at).toBeLessThanOrEqual(Date.now() + 1000);
    });

    it('defaults to English, trims the name and ignores unknown fields', async () => {
      const res = await postJson(JSON.stringify({ name: '  Bob  ', extra: { a: 1 } }));
      expect(res.status).toBe(200);
      expect(res.body.greeting).toBe('Hello, Bob!');
      expect(Object.keys(res.body).sort()).toEqual(['greeting', 'timestamp']);
    });

    it('treats lang case-insensitively', async () => {
      const res = await postJson(JSON.stringify({ name: 'Zoé', lang: 'FR' }));
      expect(res.status).toBe(200);
      expect(res.body.greeting).toBe('Bonjour, Zoé!');
    });

    it('accepts application/json with a charset parameter', async () => {
      const res = await postJson(
        JSON.stringify({ name: 'Alice' }),
        'application/json; charset=utf-8',
      );
      expect(res.status).toBe(200);
      expect(res.body.greeting).toBe('Hello, Alice!');
    });

    it('accepts a name of exactly 100 characters after trimming', async () => {
      const name = 'a'.repeat(100);
      const res = await postJson(JSON.stringify({ name: `  ${name}  ` }));
      expect(res.status).toBe(200);
      expect(res.body.greeting).toBe(`Hello, ${name}!`);
    });
  });

  describe('errors', () => {
    const cases: Array<[string, string, number, string]> = [
      ['an empty object', '{}', 400, 'Missing request body'],
      ['invalid JSON', '{"name": "Alice"', 400, 'Malformed JSON in request body'],
      ['a JSON array', '[{"name":"Alice"}]', 400, 'Request body must be a JSON object'],
      ['JSON null', 'null', 400, 'Request body must be a JSON object'],
      ['a JSON number', '42', 400, 'Request body must be a JSON object'],
      ['a JSON string', '"Alice"', 400, 'Request body must be a JSON object'],
      ['no name', '{"lang":"es"}', 400, "Missing required field: 'name'"],
      ['a numeric name', '{"name":42}', 400, "Field 'name' must be a string"],
      ['a null name', '{"name":null}', 400, "Field 'name' must be a string"],
      ['an object name', '{"name":{"first":"A"}}', 400, "Field 'name' must be a string"],
      ['a numeric lang', '{"name":"Alice","lang":7}', 400, "Field 'lang' must be a string"],
      ['a blank name', '{"name":"   "}', 400, "Field 'name' cannot be empty"],
      ['an empty name', '{"name":""}', 400, "Field 'name' cannot be empty"],
      [
        'a 101-character name',
        JSON.stringify({ name: 'a'.repeat(101) }),
        400,
        "Field 'name' must be at most 100 characters",
      ],
      [
        'an unsupported lang (reported lowercased)',
        '{"name":"Alice","lang":"FOO"}',
        400,
        "Invalid or unsupported language selection: 'foo'",
      ],
    ];

    it.each(cases)('%s (%s) → %i %s', async (_label, body, status, error) => {
      const res = await postJson(body);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual({ statusCode: status, error });
    });

    it('shortens a long unsupported lang in the message', async () => {
      const res = await postJson(JSON.stringify({ name: 'Alice', lang: 'X'.repeat(5000) }));
      expect(res.status).toBe(400);
      expect(res.body.error).toBe(
        `Invalid or unsupported language selection: '${'x'.repeat(40)}…'`,
      );
    });

    it('no body at all → 400 Missing request body', async () => {
      const res = await request(server.url).post('/greet');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Missing request body' });
    });

    it('an empty body with a JSON content type → 400 Missing request body', async () => {
      const res = await postJson('');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, error: 'Missing request body' });
    });

    it.each([
      ['text/plain', '{"name":"Alice"}'],
      ['application/x-www-form-urlencoded', 'name=Alice'],
      ['multipart/form-data; boundary=x', '--x\r\n\r\nAlice\r\n--x--'],
      ['application/xml', '<name>Alice</name>'],
    ])('Content-Type %s → 415', async (contentType, body) => {
      const res = await postJson(body, contentType);
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ statusCode: 415, error: 'Content-Type must be application/json' });
    });

    // Not a media type at all: answered as a body of another type (Fastify's own check would
    // answer 415 "Unsupported Media Type" before routing; the service's answer is the platform's
    // either way).
    it.each(['a b', ';;;', '/', 'application/', 'application/json, text/plain'])(
      'an unparseable Content-Type %j → 415 on /greet, 400 with no body, 404 elsewhere',
      async (contentType) => {
        const withBody = await postJson('{"name":"Alice"}', contentType);
        expect(withBody.status).toBe(415);
        expect(withBody.body).toEqual({
          statusCode: 415,
          error: 'Content-Type must be application/json',
        });
        const empty = await postJson('', contentType);
        expect(empty.status).toBe(400);
        expect(empty.body).toEqual({ statusCode: 400, error: 'Missing request body' });
        const elsewhere = await request(server.url)
          .post('/nope')
          .set('Content-Type', contentType)
          .send('{"name":"Alice"}');
        expect(elsewhere.status).toBe(404);
        expect(elsewhere.body).toEqual({ statusCode: 404, error: 'Cannot POST /nope' });
      },
    );

    it('a body without any Content-Type → 415', async () => {
      const res = await request(server.url)
        .post('/greet')
        .set('Content-Length', '16')
        .unset('Content-Type')
        .send(Buffer.from('{"name":"Alice"}'));
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ statusCode: 415, error: 'Content-Type must be application/json' });
    });

    it('an unknown route → 404 JSON', async () => {
      const res = await request(server.url).post('/nope').send({ name: 'Alice' });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Cannot POST /nope' });
    });

    it.each(['{', '{"name":', '[1,'])(
      'an unknown route with a malformed JSON body %j → 404 (its body is never read)',
      async (body) => {
        const res = await request(server.url)
          .post('/nope')
          .set('Content-Type', 'application/json')
          .send(body);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ statusCode: 404, error: 'Cannot POST /nope' });
      },
    );

    it('a method the route does not serve → 405 JSON with Allow', async () => {
      const res = await request(server.url).delete('/greet');
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('POST');
      expect(res.body).toEqual({ statusCode: 405, error: 'Method not allowed' });
    });

    it('never leaks a stack trace or a file path in an error body', async () => {
      const res = await postJson('{"name": ');
      expect(JSON.stringify(res.body)).not.toMatch(/\bat |node_modules|\.ts|\.js|\/work\//);
    });
  });
});

describe('other routes (e2e)', () => {
  let server: TestApp;

  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  it('GET /greet/languages lists the supported languages', async () => {
    const res = await request(server.url).get('/greet/languages');
    expect(res.status).toBe(200);
    expect(res.body.languages).toEqual(
      expect.arrayContaining([
        { code: 'en', greeting: 'Hello' },
        { code: 'es', greeting: 'Hola' },
        { code: 'fr', greeting: 'Bonjour' },
      ]),
    );
  });

  it('every listed language is accepted by POST /greet', async () => {
    const { body } = await request(server.url).get('/greet/languages');
    for (const { code, greeting } of body.languages as Array<{ code: string; greeting: string }>) {
      const res = await request(server.url).post('/greet').send({ name: 'Ann', lang: code });
      expect(res.body.greeting).toBe(`${greeting}, Ann!`);
    }
  });

  it('GET /health → 200 {"status":"ok", ...}', async () => {
    const res = await request(server.url).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok' });
  });
});
