import type { Server, Socket } from 'node:net';
import zlib from 'node:zlib';
import request from 'supertest';
import { openConnection, postBytes, rawRequest, stalledRequest } from './helpers/raw-http';
import { startTestApp, TestApp } from './helpers/test-app';

const APP_ORIGIN = 'https://app.example.com';
const TOO_DEEP = { statusCode: 400, error: 'Request body nested too deeply' };
const TOO_MANY = { statusCode: 400, error: 'Request body has too many elements' };
const TOO_LARGE = { statusCode: 413, error: 'Payload too large' };

function manyKeys(count: number): string {
  const keys = Array.from({ length: count }, (_, i) => `"key${i}":${i}`);
  return `{"name":"a",${keys.join(',')}}`;
}

const nested = (open: string, close: string, depth: number) =>
  open.repeat(depth) + close.repeat(depth);

/** Posts `body` as JSON and returns the response. */
function postJson(url: string, body: string, headers: Record<string, string> = {}) {
  return request(url)
    .post('/greet')
    .set({ 'Content-Type': 'application/json', ...headers })
    .send(body);
}

function head(lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** The head of a POST /greet with these header lines after Host. */
function postHead(...headers: string[]): string {
  return head(['POST /greet HTTP/1.1', 'Host: x', ...headers]);
}

/** Bytes the server read from each connection when it closed, by the client's port. */
function recordBytesRead(server: Server): Map<number, number> {
  const counts = new Map<number, number>();
  server.on('connection', (socket: Socket) => {
    const clientPort = socket.remotePort ?? 0;
    socket.on('close', () => counts.set(clientPort, socket.bytesRead));
  });
  return counts;
}

describe('hostile request bodies (e2e)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({ CORS_ALLOWED_ORIGINS: APP_ORIGIN });
  });
  afterAll(() => server.close());

  describe('the bodies an attacker tried (all under 1 MiB)', () => {
    it('60,000 unknown keys (880 KB): 400 before parsing', async () => {
      const body = manyKeys(60_000);
      expect(body.length).toBeGreaterThan(850_000);
      const res = await postJson(server.url, body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(TOO_MANY);
    });

    it('an unknown field nested 400,000 deep: 400, not a 500 from a stack overflow', async () => {
      const res = await postJson(server.url, `{"name":"a","x":${nested('[', ']', 400_000)}}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(TOO_DEEP);
    });

    it('name nested 300,000 deep: 400', async () => {
      const res = await postJson(server.url, `{"name":${nested('[', ']', 300_000)}}`);
      expect(res.body).toEqual(TOO_DEEP);
    });

    it('100,000 nested objects: 400', async () => {
      const res = await postJson(server.url, `{"name":"a","x":${nested('{"a":', '}', 100_000)}}`);
      expect(res.body).toEqual(TOO_DEEP);
    });

    it('80,000 small objects in an unknown field: 400', async () => {
      const res = await postJson(
        server.url,
        `{"name":"a","x":[${Array(80_000).fill('{"i":0}').join(',')}]}`,
      );
      expect(res.body).toEqual(TOO_MANY);
    });

    it('an unclosed depth bomb (malformed too) is refused for its depth, by the scan', async () => {
      const res = await postJson(server.url, '['.repeat(500_000));
      expect(res.body).toEqual(TOO_DEEP);
    });
  });

  describe('what stays accepted', () => {
    it('ignores unknown fields up to the element limit', async () => {
      const res = await postJson(server.url, manyKeys(998));
      expect(res.status).toBe(200);
      expect(res.body.greeting).toBe('Hello, a!');
    });

    it('accepts nesting up to BODY_MAX_DEPTH (32) in an unknown field', async () => {
      const res = await postJson(server.url, `{"name":"a","x":${nested('[', ']', 31)}}`);
      expect(res.status).toBe(200);
      const deeper = await postJson(server.url, `{"name":"a","x":${nested('[', ']', 32)}}`);
      expect(deeper.body).toEqual(TOO_DEEP);
    });

    it('does not count brackets inside strings', async () => {
      const res = await postJson(
        server.url,
        JSON.stringify({ name: 'a', note: '[{'.repeat(10_000) + ',"\\'.repeat(1000) }),
      );
      expect(res.status).toBe(200);
    });

    it('reports a structured name as "must be a string" whatever it holds', async () => {
      const res = await postJson(server.url, `{"name":[${Array(400).fill('{"a":1}').join(',')}]}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ statusCode: 400, error: "Field 'name' must be a string" });
    });
  });

  describe('compressed bodies', () => {
    const greeting = JSON.stringify({ name: 'Alice', lang: 'es' });

    it.each([
      ['gzip', zlib.gzipSync],
      ['deflate', zlib.deflateSync],
      ['br', zlib.brotliCompressSync],
    ])('accepts a %s body', async (encoding, compress) => {
      const res = await postBytes(server.url, '/greet', compress(greeting), {
        'Content-Encoding': encoding,
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).greeting).toBe('Hola, Alice!');
    });

    it.each([
      ['deflate', Buffer.from('garbage!')],
      ['gzip', zlib.gzipSync(greeting).subarray(0, 20)],
      ['br', Buffer.from('garbage!')],
    ])('answers a broken %s body with a fixed message, never zlib text', async (encoding, body) => {
      const res = await postBytes(server.url, '/greet', body, { 'Content-Encoding': encoding });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body)).toEqual({
        statusCode: 400,
        error: 'Malformed compressed request body',
      });
    });

    it('refuses a decompression bomb at the limit (counted after decompression)', async () => {
      const bomb = zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024, ' '));
      expect(bomb.length).toBeLessThan(100_000);
      const res = await postBytes(server.url, '/greet', bomb, { 'Content-Encoding': 'gzip' });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body)).toEqual(TOO_LARGE);
    });

    it('refuses a depth bomb inside a compressed body', async () => {
      const body = zlib.gzipSync(`{"name":"a","x":${nested('[', ']', 100_000)}}`);
      const res = await postBytes(server.url, '/greet', body, { 'Content-Encoding': 'gzip' });
      expect(JSON.parse(res.body)).toEqual(TOO_DEEP);
    });

    it('refuses an unknown Content-Encoding with 415', async () => {
      const res = await postJson(server.url, greeting, { 'Content-Encoding': 'compress' });
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ statusCode: 415, error: 'Unsupported Content-Encoding' });
    });
  });

  it.each(['utf-16', 'utf-16le', 'utf-7', 'latin1'])(
    'refuses JSON in charset %s with 415 (JSON on the wire is UTF-8)',
    async (charset) => {
      const res = await postJson(server.url, '{"name":"a"}', {
        'Content-Type': `application/json; charset=${charset}`,
      });
      expect(res.status).toBe(415);
      expect(res.body).toEqual({ statusCode: 415, error: 'Unsupported charset in Content-Type' });
    },
  );

  it.each([
    ['bytes that are no UTF-8 (FF FE)', [0xff, 0xfe]],
    ['a truncated sequence (E2 82)', [0xe2, 0x82]],
    ['an encoded surrogate (ED A0 80)', [0xed, 0xa0, 0x80]],
    ['an overlong slash (C0 AF)', [0xc0, 0xaf]],
  ])('refuses a name with %s as malformed JSON, never greets U+FFFD', async (_case, bytes) => {
    const body = Buffer.concat([Buffer.from('{"name":"A'), Buffer.from(bytes), Buffer.from('"}')]);
    // fetch sends the bytes as they are (superagent would serialise a Buffer as JSON).
    const res = await fetch(`${server.url}/greet`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ statusCode: 400, error: 'Malformed JSON in request body' });
  });

  it('greets a name in valid multi-byte UTF-8', async () => {
    const res = await postJson(server.url, '{"name":"Zo\u00eb \ud83d\ude00 \u6771"}');
    const raw = await postJson(server.url, JSON.stringify({ name: 'Zo\u00eb \u{1F600} \u6771' }));
    expect(res.status).toBe(200);
    expect(raw.status).toBe(200);
    expect(raw.body.greeting).toBe(res.body.greeting);
  });
});

describe('bodies the service will not read are not read (e2e)', () => {
  let server: TestApp;
  let bytesRead: Map<number, number>;
  beforeAll(async () => {
    server = await startTestApp({ CORS_ALLOWED_ORIGINS: APP_ORIGIN });
    bytesRead = recordBytesRead(server.app.getHttpServer() as Server);
  });
  afterAll(() => server.close());

  it('answers a declared 50 MB body with 413 at once and closes the connection', async () => {
    const { response, ms } = await stalledRequest(
      server.url,
      postHead(
        `Origin: ${APP_ORIGIN}`,
        'Content-Type: application/json',
        'Content-Length: 50000000',
      ),
      ['{'],
    );
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual(TOO_LARGE);
    expect(response.headers.connection).toBe('close');
    // The front end can read the 413.
    expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    // Not a timing target: "at once" as opposed to never (body-parser waited for 50 MB).
    expect(ms).toBeLessThan(2000);
  });

  it('answers a chunked body with 413 as soon as it crosses the limit', async () => {
    const chunk = Buffer.alloc(256 * 1024, 'x');
    const size = chunk.length.toString(16);
    const { response } = await stalledRequest(
      server.url,
      postHead(
        `Origin: ${APP_ORIGIN}`,
        'Content-Type: application/json',
        'Transfer-Encoding: chunked',
      ),
      // 1.25 MiB and never the final chunk: the answer cannot wait for the end.
      [
        ...Array(5)
          .fill(null)
          .flatMap(() => [`${size}\r\n`, chunk, '\r\n']),
      ],
    );
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual(TOO_LARGE);
    expect(response.headers.connection).toBe('close');
    expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
  });

  it.each([
    ['nested too deeply', '{"name":"a","x":' + '['.repeat(100), TOO_DEEP],
    ['with too many elements', '{"name":"a",' + '"k":1,'.repeat(2000), TOO_MANY],
  ])(
    'refuses a body %s from its first bytes, without waiting for the rest',
    async (_, start, refusal) => {
      const { response } = await stalledRequest(
        server.url,
        postHead(
          `Origin: ${APP_ORIGIN}`,
          'Content-Type: application/json',
          'Content-Length: 900000',
        ),
        [start],
      );
      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual(refusal);
      expect(response.headers.connection).toBe('close');
      expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    },
  );

  it("refuses a disallowed origin's 5 MB body before reading it, then discards what is still sent while it closes", async () => {
    const { response, localPort } = await stalledRequest(
      server.url,
      postHead(
        'Origin: https://evil.example',
        'Content-Type: application/json',
        'Content-Length: 5000000',
      ),
      Array(20).fill(Buffer.alloc(250_000, ' ')),
    );
    expect(response.status).toBe(403);
    expect(response.headers.connection).toBe('close');
    // The client sees the server's FIN a moment before the server's socket reports 'close'.
    for (let waited = 0; !bytesRead.has(localPort) && waited < 2000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const read = bytesRead.get(localPort);
    expect(read).toBeDefined();
    // The answer came first; then the connection closed in stages (issue 21): what the client
    // still sent was read and discarded, never parsed (the bound, 4 × BODY_LIMIT but at least
    // 32 MiB, is past this body), so the client got the 403 instead of a reset.
    expect(read).toBeGreaterThan(4_000_000);
    expect(read).toBeLessThan(5_000_000 + 1000);
  });

  it('keeps the connection of a refusal whose small body came with its headers', async () => {
    // Node's client sends the headers and a small body in one write, as browsers do.
    const res = await postBytes(server.url, '/greet', Buffer.from('{"name":"Bob"}'), {
      Origin: 'https://evil.example',
      Connection: 'keep-alive',
    });
    expect(res.status).toBe(403);
    expect(res.headers.connection).toBe('keep-alive');
  });

  it('keeps the connection of a refusal whose small body is still on the way, and skips it', async () => {
    const connection = openConnection(server.url);
    connection.write(
      postHead(
        'Origin: https://evil.example',
        'Content-Type: application/json',
        'Content-Length: 14',
      ),
    );
    const refusal = await connection.until((text) => text.includes('"statusCode":403'));
    expect(refusal).toMatch(/^HTTP\/1\.1 403 /);
    expect(refusal).toMatch(/\r\nConnection: keep-alive\r\n/i);
    // The body arrives after the answer; Node discards it and reads the next request.
    connection.write('{"name":"Bob"}' + head(['GET /health/live HTTP/1.1', 'Host: x']));
    const both = await connection.until((text) => text.split('HTTP/1.1 ').length === 3);
    expect(both.split('HTTP/1.1 ')[2]).toMatch(/^200 /);
    connection.close();
  });

  it.each([
    ['declares more than 16 KiB', ['Content-Length: 16385']],
    ['has no declared length (chunked)', ['Transfer-Encoding: chunked']],
  ])(
    'closes the connection of a refusal whose body %s and is still on the way',
    async (_, lines) => {
      const { response } = await stalledRequest(
        server.url,
        postHead('Origin: https://evil.example', 'Content-Type: application/json', ...lines),
      );
      expect(response.status).toBe(403);
      expect(response.headers.connection).toBe('close');
    },
  );

  it('closes the connection of a 200 whose body the route never reads', async () => {
    const { response } = await stalledRequest(
      server.url,
      head([
        'GET /greet/languages HTTP/1.1',
        'Host: x',
        'Content-Type: text/plain',
        'Transfer-Encoding: chunked',
      ]),
      ['4\r\nabcd\r\n'],
    );
    expect(response.status).toBe(200);
    expect(response.headers.connection).toBe('close');
  });

  it('closes the connection of a preflight that declares a body it will never send', async () => {
    const { response } = await stalledRequest(
      server.url,
      head([
        'OPTIONS /greet HTTP/1.1',
        'Host: x',
        `Origin: ${APP_ORIGIN}`,
        'Access-Control-Request-Method: POST',
        'Content-Length: 10000000000',
      ]),
    );
    expect(response.status).toBe(204);
    expect(response.headers.connection).toBe('close');
  });

  it('closes the connection after a 415 whose body was never read', async () => {
    const { response } = await stalledRequest(
      server.url,
      postHead('Content-Type: text/plain', 'Content-Length: 1000000'),
      ['name=a'],
    );
    expect(response.status).toBe(415);
    expect(response.headers.connection).toBe('close');
  });

  it('keeps the connection of an error whose body was read in full', async () => {
    const res = await rawRequest(
      server.url,
      postHead('Content-Type: application/json', 'Content-Length: 2'),
      '{}',
    );
    expect(res.status).toBe(400);
    expect(res.headers.connection).toBe('keep-alive');
  });

  it.each([
    ['malformed JSON', '{"name":'],
    ['a body nested too deeply', '['.repeat(100)],
  ])(
    'keeps the connection of a 400 for %s read in full, and answers the next request on it',
    async (_, body) => {
      const connection = openConnection(server.url);
      connection.write(
        postHead('Content-Type: application/json', `Content-Length: ${body.length}`) + body,
      );
      const error = await connection.until((text) => text.includes('"statusCode":400'));
      expect(error).toMatch(/^HTTP\/1\.1 400 /);
      expect(error).toMatch(/\r\nConnection: keep-alive\r\n/i);
      expect(error).toMatch(/\r\nKeep-Alive: timeout=65\r\n/i);
      connection.write(head(['GET /health/live HTTP/1.1', 'Host: x']));
      const both = await connection.until((text) => text.split('HTTP/1.1 ').length === 3);
      expect(both.split('HTTP/1.1 ')[2]).toMatch(/^200 /);
      connection.close();
    },
  );

  it('announces Keep-Alive: timeout=65, above common load balancer idle timeouts', async () => {
    const res = await rawRequest(server.url, head(['GET /health/live HTTP/1.1', 'Host: x']));
    expect(res.status).toBe(200);
    expect(res.headers['keep-alive']).toBe('timeout=65');
  });
});

describe("errors from Node's HTTP parser get the JSON envelope (e2e)", () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp();
  });
  afterAll(() => server.close());

  it('a request without Host: 400', async () => {
    const res = await rawRequest(server.url, head(['GET /greet/languages HTTP/1.1']));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ statusCode: 400, error: 'Bad request' });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.headers.connection).toBe('close');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'none';frame-ancestors 'none'",
    );
  });

  it('a header block over 16 KB: 431', async () => {
    const res = await rawRequest(
      server.url,
      head(['GET /greet/languages HTTP/1.1', 'Host: x', `Cookie: a=${'x'.repeat(20_000)}`]),
    );
    expect(res.status).toBe(431);
    expect(JSON.parse(res.body)).toEqual({
      statusCode: 431,
      error: 'Request header fields too large',
    });
  });

  it('a chunk extension over 16 KB: 413, as Node itself would answer', async () => {
    const res = await rawRequest(
      server.url,
      head([
        'POST /greet HTTP/1.1',
        'Host: x',
        'Content-Type: application/json',
        'Transfer-Encoding: chunked',
      ]) + `1;${'a'.repeat(20_000)}\r\nx\r\n0\r\n\r\n`,
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toEqual(TOO_LARGE);
  });

  it('a request refused for its headers keeps that answer, whatever its body does', async () => {
    // No Content-Type: the 415 is decided before the body is read, as it is when the bad chunk
    // arrives in a later write; the parser's complaint about a body never read changes nothing.
    const res = await rawRequest(
      server.url,
      head(['POST /greet HTTP/1.1', 'Host: x', 'Transfer-Encoding: chunked']) +
        `1;${'a'.repeat(20_000)}\r\nx\r\n0\r\n\r\n`,
    );
    expect(res.status).toBe(415);
    expect(JSON.parse(res.body)).toEqual({
      statusCode: 415,
      error: 'Content-Type must be application/json',
    });
  });

  it('two Host lines: 400 (RFC 9112 §3.2)', async () => {
    const res = await rawRequest(
      server.url,
      head(['GET /greet/languages HTTP/1.1', 'Host: a', 'Host: b']),
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ statusCode: 400, error: 'Bad request' });
  });

  it('control bytes in a header: 400', async () => {
    const res = await rawRequest(server.url, head(['GET / HTTP/1.1', 'Host: x', 'X-A: a\x01b']));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ statusCode: 400, error: 'Bad request' });
  });
});

describe('slow clients are cut (REQUEST_TIMEOUT_MS=2000, HEADERS_TIMEOUT_MS=2000)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startTestApp({
      CORS_ALLOWED_ORIGINS: APP_ORIGIN,
      REQUEST_TIMEOUT_MS: '2000',
      HEADERS_TIMEOUT_MS: '2000',
    });
  });
  afterAll(() => server.close());

  // Bounds on when a timeout bites, not speed targets: Node's own default would be 30 s or more.
  const CUT_BY_MS = 3000;

  it('headers that never finish: 408 within ~3 s', async () => {
    const { response, ms } = await stalledRequest(
      server.url,
      'GET /greet/languages HTTP/1.1\r\nHo',
    );
    expect(response.status).toBe(408);
    expect(JSON.parse(response.body)).toEqual({ statusCode: 408, error: 'Request timeout' });
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(CUT_BY_MS);
  });

  it('a body that never finishes: 408 within ~3 s, readable by the allowed origin', async () => {
    const { response, ms } = await stalledRequest(
      server.url,
      postHead(`Origin: ${APP_ORIGIN}`, 'Content-Type: application/json', 'Content-Length: 100'),
      ['{"name":'],
    );
    expect(response.status).toBe(408);
    expect(JSON.parse(response.body)).toEqual({ statusCode: 408, error: 'Request timeout' });
    expect(response.headers['access-control-allow-origin']).toBe(APP_ORIGIN);
    // One id, the request's own (not a second header line).
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(ms).toBeGreaterThanOrEqual(1900);
    expect(ms).toBeLessThan(CUT_BY_MS);
  });
});
