import fc from 'fast-check';
import type http from 'node:http';
import request from 'supertest';
import {
  corsHeaderNames,
  ORIGIN_NOT_ALLOWED,
  rawGreet,
  rawPreflight,
  sendRaw,
  startCorsApp,
} from './helpers/cors-requests';
import { TestApp } from './helpers/test-app';

/**
 * Origins an attacker can send (or a sloppy matcher could confuse with an allowed one). Every one
 * must get 403 and no Access-Control-* header, on an actual request and on a preflight.
 * The allowlist is deliberately dangerous: credentials on.
 */
const ALLOWED_ORIGINS =
  'https://app.example.com,http://localhost:1234,https://*.example.org,https://*.example.net:8443';

const ATTACKS: Array<[label: string, origin: string]> = [
  // Prefix, suffix and substring matching
  ['allowed origin + evil suffix', 'https://app.example.com.evil.com'],
  ['allowed origin + glued suffix', 'https://app.example.comevil.com'],
  ['allowed origin + pattern base', 'https://app.example.com.example.org'],
  ['evil prefix on the host', 'https://evilapp.example.com'],
  ['parent of the allowed host', 'https://example.com'],
  ['truncated host', 'https://app.example.co'],
  ['longer port', 'http://localhost:12345'],
  ['shorter port', 'http://localhost:123'],
  ['no port', 'http://localhost'],
  ['leading-zero port', 'http://localhost:01234'],
  ['empty port', 'https://app.example.com:'],
  // Scheme
  ['scheme downgrade', 'http://app.example.com'],
  ['scheme upgrade', 'https://localhost:1234'],
  ['ws scheme', 'wss://app.example.com'],
  ['extension scheme', 'chrome-extension://app.example.com'],
  ['file scheme', 'file://'],
  ['scheme-relative', '//app.example.com'],
  ['bare host', 'app.example.com'],
  ['one slash', 'https:/app.example.com'],
  ['no slashes', 'https:app.example.com'],
  // Case
  ['uppercase host', 'https://APP.example.com'],
  ['mixed-case host', 'https://app.Example.com'],
  ['uppercase scheme', 'HTTPS://app.example.com'],
  ['uppercase loopback', 'HTTP://LOCALHOST:1234'],
  // Serialisation variants a browser never sends
  ['trailing slash', 'https://app.example.com/'],
  ['trailing dot', 'https://app.example.com.'],
  ['trailing dot before port', 'http://localhost.:1234'],
  ['path', 'https://app.example.com/greet'],
  ['dot-dot path', 'https://app.example.com/..'],
  ['query', 'https://app.example.com?'],
  ['fragment', 'https://app.example.com#'],
  ['trailing backslash', 'https://app.example.com\\'],
  ['explicit default port', 'https://app.example.com:443'],
  ['padded default port', 'https://app.example.com:0443'],
  // Userinfo
  ['userinfo in front of the allowed host', 'https://evil.com@app.example.com'],
  ['allowed host as userinfo', 'https://app.example.com@evil.com'],
  ['user:pass@allowed', 'https://user:pass@app.example.com'],
  ['allowed host + empty password', 'https://app.example.com:@evil.com'],
  ['loopback as userinfo', 'http://localhost:1234@evil.com'],
  // null and empty
  ['null', 'null'],
  ['NULL', 'NULL'],
  ['empty', ''],
  // Whitespace that survives HTTP parsing (SP/HTAB around a value are not part of it)
  ['space-separated origin list', 'https://app.example.com https://evil.com'],
  ['internal space', 'https://app .example.com'],
  ['trailing no-break space', 'https://app.example.com\u00a0'],
  ['leading no-break space', '\u00a0https://app.example.com'],
  ['internal tab', 'https://app.example.com\t.evil.com'],
  // Percent-encoding
  ['percent-encoded dot', 'https://app%2Eexample.com'],
  ['percent-encoded scheme separator', 'https%3A%2F%2Fapp.example.com'],
  ['percent-encoded letter', 'https://%61pp.example.com'],
  ['percent-encoded star label', 'https://%2A.example.org'],
  // The configuration's own text
  ['the whole env value', ALLOWED_ORIGINS],
  ['a comma-joined pair', 'https://app.example.com,http://localhost:1234'],
  [
    'a comma+space-joined pair (how Node joins duplicate lines)',
    'https://app.example.com, http://localhost:1234',
  ],
  ['the pattern text', 'https://*.example.org'],
  ['a star', '*'],
  // Over-long near misses
  ['10 KB label under a pattern', `https://${'a'.repeat(10_240)}.example.org`],
  ['10 KB of levels under a pattern', `https://${'a.'.repeat(5_120)}example.org`],
  ['10 KB port', `http://localhost:${'1234'.repeat(2_560)}`],
  ['10 KB suffix', `https://app.example.com${'.evil'.repeat(2_048)}`],
  // Pattern near misses (https://*.example.org, https://*.example.net:8443)
  ['pattern apex', 'https://example.org'],
  ['two levels', 'https://a.b.example.org'],
  ['empty label', 'https://.example.org'],
  ['empty label after a label', 'https://a..example.org'],
  ['leading hyphen', 'https://-a.example.org'],
  ['trailing hyphen', 'https://a-.example.org'],
  ['underscore', 'https://a_b.example.org'],
  ['64-character label', `https://${'a'.repeat(64)}.example.org`],
  ['uppercase label', 'https://A.example.org'],
  ['http for an https pattern', 'http://a.example.org'],
  ['port added to a port-less pattern', 'https://a.example.org:8443'],
  ['default port on a pattern', 'https://a.example.org:443'],
  ['pattern base glued to the label', 'https://aexample.org'],
  ['pattern match + evil suffix', 'https://a.example.org.evil.com'],
  ['pattern match + glued suffix', 'https://a.example.orgx'],
  ['pattern match + trailing dot', 'https://a.example.org.'],
  ['pattern match + userinfo', 'https://a.example.org@evil.com'],
  ['pattern match + path', 'https://a.example.org/x'],
  ['port pattern without the port', 'https://a.example.net'],
  ['port pattern, wrong port', 'https://a.example.net:8444'],
  ['port pattern, longer port', 'https://a.example.net:84430'],
  ['port pattern, default port', 'https://a.example.net:443'],
  ['port pattern + trailing slash', 'https://a.example.net:8443/'],
  // Unicode / IDN lookalikes (a browser sends punycode; nothing may be normalised)
  ['Cyrillic а in the host', 'https://\u0430pp.example.com'],
  ['punycode of the Cyrillic lookalike', 'https://xn--pp-6kc.example.com'],
  ['Cyrillic а in the domain', 'https://app.ex\u0430mple.com'],
  ['punycode of the domain lookalike', 'https://app.xn--exmple-4nf.com'],
  ['fullwidth letter (IDNA maps it to the allowed host)', 'https://\uff41pp.example.com'],
  ['fullwidth full stop', 'https://app\uff0eexample.com'],
  ['ideographic full stop', 'https://app\u3002example.com'],
  ['fullwidth port digits', 'http://localhost:\uff11\uff12\uff13\uff14'],
  ['unicode label under a pattern', 'https://b\u00fccher.example.org'],
  ['dotless i in the scheme', 'http\u0131://app.example.com'],
  // Loopback aliases
  ['127.0.0.1 for localhost', 'http://127.0.0.1:1234'],
  ['[::1] for localhost', 'http://[::1]:1234'],
  ['0.0.0.0 for localhost', 'http://0.0.0.0:1234'],
  ['short IPv4 for localhost', 'http://127.1:1234'],
  ['decimal IPv4 for localhost', 'http://2130706433:1234'],
  ['subdomain of localhost', 'http://app.localhost:1234'],
];

function title(origin: string): string {
  return JSON.stringify(origin.length > 60 ? `${origin.slice(0, 40)}…(${origin.length})` : origin);
}

function expectRawRefused(res: {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}) {
  expect(res.status).toBe(403);
  expect(JSON.parse(res.body)).toEqual(ORIGIN_NOT_ALLOWED);
  expect(corsHeaderNames(res.headers)).toEqual([]);
}

function expectRefused(res: { status: number; body: unknown; headers: http.IncomingHttpHeaders }) {
  expect(res.status).toBe(403);
  expect(res.body).toEqual(ORIGIN_NOT_ALLOWED);
  expect(corsHeaderNames(res.headers)).toEqual([]);
}

/** The rulebook's matcher, written independently, as the oracle for generated origins. */
const EXACT = new Set(['https://app.example.com', 'http://localhost:1234']);
const PATTERNS: Array<[prefix: string, suffix: string]> = [
  ['https://', '.example.org'],
  ['https://', '.example.net:8443'],
];
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function referenceAllowed(origin: string): boolean {
  if (EXACT.has(origin)) return true;
  return PATTERNS.some(
    ([prefix, suffix]) =>
      origin.length > prefix.length + suffix.length &&
      origin.startsWith(prefix) &&
      origin.endsWith(suffix) &&
      LABEL.test(origin.slice(prefix.length, origin.length - suffix.length)),
  );
}

const SEEDS = [
  'https://app.example.com',
  'http://localhost:1234',
  'https://shop.example.org',
  'https://api.example.net:8443',
];
const EDIT_CHARS = [...'abxzAZ09.-_:/@%*,;?#[] \\'];

type Edit = { kind: 'insert' | 'delete' | 'replace' | 'toggle-case'; at: number; char: string };

function applyEdits(seed: string, edits: readonly Edit[]): string {
  let value = seed;
  for (const { kind, at, char } of edits) {
    const i = value.length === 0 ? 0 : at % (value.length + (kind === 'insert' ? 1 : 0));
    if (kind === 'insert') value = value.slice(0, i) + char + value.slice(i);
    else if (kind === 'delete') value = value.slice(0, i) + value.slice(i + 1);
    else if (kind === 'replace') value = value.slice(0, i) + char + value.slice(i + 1);
    else {
      const c = value.charAt(i);
      const toggled = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
      value = value.slice(0, i) + toggled + value.slice(i + 1);
    }
  }
  return value;
}

const editArb: fc.Arbitrary<Edit> = fc.record({
  kind: fc.constantFrom('insert', 'delete', 'replace', 'toggle-case'),
  at: fc.nat({ max: 64 }),
  char: fc.constantFrom(...EDIT_CHARS),
});

/** Near misses around the allowlist (and, by chance, some hits: the oracle decides). */
const nearMissOrigin: fc.Arbitrary<string> = fc
  .oneof(
    fc
      .tuple(fc.constantFrom(...SEEDS), fc.array(editArb, { minLength: 1, maxLength: 3 }))
      .map(([seed, edits]) => applyEdits(seed, edits)),
    fc
      .tuple(
        fc.constantFrom(...SEEDS),
        fc.constantFrom(
          '.evil.com',
          '/',
          '.',
          ':443',
          ':1',
          '@evil.com',
          'x',
          ',https://a.b',
          '%2F',
        ),
      )
      .map(([seed, suffix]) => seed + suffix),
    fc
      .tuple(
        fc.constantFrom('x', 'a.', 'https://evil.com@', 'http://', ' https://', '.'),
        fc.constantFrom(...SEEDS),
      )
      .map(([prefix, seed]) => prefix + seed),
    fc
      .tuple(
        fc.string({ unit: fc.constantFrom(...'ab09-_.A*'), maxLength: 70 }),
        fc.constantFrom('.example.org', '.example.net:8443', '.example.net', '.example.com'),
        fc.constantFrom('https://', 'http://'),
      )
      .map(([label, base, scheme]) => `${scheme}${label}${base}`),
  )
  // Leading/trailing SP and HTAB are not part of a field value (RFC 9110 §5.5): never sent as such.
  .filter((origin) => !/^[ \t]|[ \t]$/.test(origin));

describe('CORS attack catalogue', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startCorsApp({
      CORS_ALLOWED_ORIGINS: ALLOWED_ORIGINS,
      CORS_ALLOW_CREDENTIALS: 'true',
      CORS_ALLOWED_HEADERS: 'Content-Type, Authorization',
      CORS_EXPOSED_HEADERS: 'X-Request-Id',
      BODY_LIMIT: '100',
    });
  });
  afterAll(() => server.close());

  describe('control: the allowlist itself works over the same raw transport', () => {
    it.each([
      'https://app.example.com',
      'http://localhost:1234',
      'https://a.example.org',
      'https://a.example.net:8443',
    ])('%s is allowed', async (origin) => {
      const res = await rawGreet(server.url, [origin]);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-allow-credentials']).toBe('true');
      const pre = await rawPreflight(server.url, [origin]);
      expect(pre.status).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(origin);
    });

    it('SP/HTAB around the value are not part of it (RFC 9110): same as the exact origin', async () => {
      const res = await rawGreet(server.url, [' \thttps://app.example.com \t']);
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    });
  });

  describe.each(ATTACKS)('%s', (_label, origin) => {
    it(`POST /greet with Origin ${title(origin)} → 403, no CORS header`, async () => {
      expectRawRefused(await rawGreet(server.url, [origin]));
    });

    it(`preflight with Origin ${title(origin)} → 403, no CORS header`, async () => {
      expectRawRefused(await rawPreflight(server.url, [origin]));
    });
  });

  describe('duplicated Origin lines', () => {
    it.each([
      ['two allowed origins', ['https://app.example.com', 'http://localhost:1234']],
      ['an allowed origin twice', ['https://app.example.com', 'https://app.example.com']],
      ['two origins matching a pattern', ['https://a.example.org', 'https://b.example.org']],
      ['allowed then null', ['https://app.example.com', 'null']],
      ['null then allowed', ['null', 'https://app.example.com']],
      ['allowed then empty', ['https://app.example.com', '']],
      ['three lines', ['https://app.example.com', 'https://app.example.com', 'https://evil.com']],
    ])('%s → 403 on POST and on preflight', async (_label, origins) => {
      expectRawRefused(await rawGreet(server.url, origins));
      expectRawRefused(await rawPreflight(server.url, origins));
    });

    it('Origin lines differing only in header-name case are still duplicates', async () => {
      const res = await sendRaw(server.url, {
        method: 'POST',
        path: '/greet',
        headers: [
          ['origin', 'https://app.example.com'],
          ['ORIGIN', 'https://app.example.com'],
          ['Content-Type', 'application/json'],
        ],
        body: '{"name":"Alice"}',
      });
      expectRawRefused(res);
    });
  });

  describe('cross-site requests a browser sends without a preflight never reach the handler', () => {
    it.each([
      ['text/plain', '{"name":"Alice"}'],
      ['application/x-www-form-urlencoded', 'name=Alice'],
      ['multipart/form-data; boundary=x', '--x\r\n\r\nAlice\r\n--x--'],
    ])('simple POST as %s from an evil origin → 403 (not 415)', async (contentType, body) => {
      const res = await request(server.url)
        .post('/greet')
        .set('Origin', 'https://evil.com')
        .set('Content-Type', contentType)
        .send(body);
      expectRefused(res);
    });

    it('an oversized body from an evil origin → 403 (not 413)', async () => {
      const res = await request(server.url)
        .post('/greet')
        .set('Origin', 'https://app.example.com.evil.com')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ name: 'Alice', pad: 'x'.repeat(200) }));
      expectRefused(res);
    });
  });

  describe('the public route policy does not leak to other routes or methods', () => {
    it.each([
      ['POST', '/greet/languages'],
      ['POST', '/greet/'],
      ['POST', '/GREET'],
      ['POST', '/greet?/greet/languages'],
      ['POST', '/greet/languages/..'],
      ['POST', '/greet%2Flanguages'],
      ['GET', '/health'],
      ['GET', '/greet/languagesx'],
      ['GET', '/greet/languages/x'],
    ])('%s %s from an evil origin → 403', async (method, path) => {
      expectRawRefused(
        await sendRaw(server.url, {
          method,
          path,
          headers: [
            ['Origin', 'https://evil.com'],
            ['Content-Type', 'application/json'],
          ],
          body: method === 'POST' ? '{"name":"Alice"}' : undefined,
        }),
      );
    });

    it.each([
      ['POST', '/greet/languages'],
      ['PUT', '/greet/languages'],
      ['POST', '/greet'],
    ])('preflight asking for %s %s from an evil origin → 403', async (method, path) => {
      const res = await request(server.url)
        .options(path)
        .set('Origin', 'https://evil.com')
        .set('Access-Control-Request-Method', method);
      expectRefused(res);
    });
  });

  describe('preflight tricks with an allowed origin', () => {
    it.each(['POST,DELETE', 'POST, PUT', 'DELETE', 'GET POST'])(
      'Access-Control-Request-Method %j → 403',
      async (method) => {
        const res = await request(server.url)
          .options('/greet')
          .set('Origin', 'https://app.example.com')
          .set('Access-Control-Request-Method', method);
        expect(res.status).toBe(403);
        expect(corsHeaderNames(res.headers)).toEqual([]);
      },
    );

    it('two Access-Control-Request-Method lines → 403', async () => {
      const res = await sendRaw(server.url, {
        method: 'OPTIONS',
        path: '/greet',
        headers: [
          ['Origin', 'https://app.example.com'],
          ['Access-Control-Request-Method', 'POST'],
          ['Access-Control-Request-Method', 'DELETE'],
        ],
      });
      expect(res.status).toBe(403);
      expect(corsHeaderNames(res.headers)).toEqual([]);
    });

    it.each([
      'content-type x-evil',
      'content-type;x-evil',
      'content-type, authorization, cookie',
      'content-typex',
      'x-content-type',
      '*',
    ])('Access-Control-Request-Headers %j → 403', async (headers) => {
      const res = await request(server.url)
        .options('/greet')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', headers);
      expect(res.status).toBe(403);
      expect(corsHeaderNames(res.headers)).toEqual([]);
    });
  });

  describe('property: generated near-miss origins (oracle: the rulebook matcher)', () => {
    it('actual requests: allowed exactly when the reference matcher allows', async () => {
      await fc.assert(
        fc.asyncProperty(nearMissOrigin, async (origin) => {
          const res = await request(server.url)
            .post('/greet')
            .set('Origin', origin)
            .set('Content-Type', 'application/json')
            .send('{"name":"Alice"}');
          if (referenceAllowed(origin)) {
            expect(res.status).toBe(200);
            expect(res.headers['access-control-allow-origin']).toBe(origin);
            expect(res.headers['access-control-allow-credentials']).toBe('true');
          } else {
            expectRefused(res);
          }
        }),
        { numRuns: 200 },
      );
    });

    it('preflights: allowed exactly when the reference matcher allows', async () => {
      await fc.assert(
        fc.asyncProperty(nearMissOrigin, async (origin) => {
          const res = await request(server.url)
            .options('/greet')
            .set('Origin', origin)
            .set('Access-Control-Request-Method', 'POST')
            .set('Access-Control-Request-Headers', 'content-type');
          if (referenceAllowed(origin)) {
            expect(res.status).toBe(204);
            expect(res.headers['access-control-allow-origin']).toBe(origin);
          } else {
            expectRefused(res);
          }
        }),
        { numRuns: 150 },
      );
    });

    it('the reference matcher itself separates the rulebook examples', () => {
      expect(referenceAllowed('https://a.example.org')).toBe(true);
      expect(referenceAllowed('https://a.example.net:8443')).toBe(true);
      expect(referenceAllowed('https://example.org')).toBe(false);
      expect(referenceAllowed('https://a.b.example.org')).toBe(false);
      expect(referenceAllowed('https://.example.org')).toBe(false);
      expect(referenceAllowed('https://app.example.com.evil.com')).toBe(false);
    });
  });
});

describe('CORS attacks against exact entries without credentials (default-like allowlist)', () => {
  let server: TestApp;
  beforeAll(async () => {
    server = await startCorsApp({ CORS_ALLOWED_ORIGINS: 'http://localhost:1234' });
  });
  afterAll(() => server.close());

  it.each([
    'http://localhost:12345',
    'http://localhost:123',
    'http://localhost:1234/',
    'http://127.0.0.1:1234',
    'http://[::1]:1234',
    'https://localhost:1234',
    'http://LOCALHOST:1234',
    'http://localhost:1234.evil.com',
    'http://localhost:1234@evil.com',
    'http://evil.com#@localhost:1234',
    'null',
  ])('%s → 403 on POST and on preflight', async (origin) => {
    expectRawRefused(await rawGreet(server.url, [origin]));
    expectRawRefused(await rawPreflight(server.url, [origin]));
  });

  it('http://localhost:1234 itself is allowed (control)', async () => {
    const res = await rawGreet(server.url, ['http://localhost:1234']);
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('http://localhost:1234');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });
});
