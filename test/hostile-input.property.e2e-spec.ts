import fc from 'fast-check';
import { WarnAndErrorCollector } from './helpers/log-collectors';
import { postBytes, RawResponse } from './helpers/raw-http';
import { startTestApp, TestApp } from './helpers/test-app';

const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'name'];

const key = fc.oneof(fc.constantFrom(...DANGEROUS_KEYS, 'lang'), fc.string({ maxLength: 20 }));

/** Leaves are what JSON can hold, with the edges: huge and tiny numbers, odd strings. */
const leaf = fc.oneof(
  fc.constantFrom('1e999999', '-1e-999999', '-0', '9'.repeat(400), 'true', 'null', '""'),
  fc.string({ unit: 'binary', maxLength: 200 }).map((text) => JSON.stringify(text)),
  fc.double().map((value) => (Number.isFinite(value) ? String(value) : '0')),
  // A long string full of escapes.
  fc.integer({ min: 1, max: 2_000 }).map((n) => `"${'\\u0000\\"\\\\'.repeat(n)}"`),
);

/** JSON text built as text, so depth and width go far past what a sane client sends. */
const jsonText: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 8 }).map((items) => `[${items.join(',')}]`),
    fc
      .array(fc.tuple(key, tie('value')), { maxLength: 8 })
      .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;

/** Shapes that cost a naive server: deep, wide, long. */
const bomb = fc.oneof(
  // Deep in a field the DTO reads, and in one it ignores.
  fc
    .tuple(
      fc.integer({ min: 1, max: 200_000 }),
      fc.constantFrom(['[', ']'], ['{"a":', '}']),
      fc.constantFrom('name', 'lang', 'x'),
    )
    .map(
      ([depth, [open, close], field]) =>
        `{"name":"a","${field}":${open.repeat(depth)}1${close.repeat(depth)}}`,
    ),
  fc
    .integer({ min: 1, max: 60_000 })
    .map((n) => `{"name":"a",${Array.from({ length: n }, (_, i) => `"k${i}":${i}`).join(',')}}`),
  fc.integer({ min: 1, max: 200_000 }).map((n) => `{"name":[${Array(n).fill('0').join(',')}]}`),
  fc.integer({ min: 1, max: 900_000 }).map((n) => `{"name":"${'a'.repeat(n)}"}`),
);

/** A greeting whose fields carry dangerous keys or any JSON at all. */
const greetingLike = fc
  .tuple(jsonText, jsonText, fc.array(fc.tuple(key, jsonText), { maxLength: 5 }))
  .map(
    ([name, lang, extra]) =>
      `{"name":${name},"lang":${lang}${extra.map(([k, v]) => `,${JSON.stringify(k)}:${v}`).join('')}}`,
  );

/** Bytes that are not valid UTF-8 (or not JSON at all), spliced into a valid body. */
const invalidBytes = fc
  .tuple(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat({ max: 30 }))
  .map(([bytes, at]) => {
    const valid = Buffer.from('{"name":"Alice","lang":"es"}');
    const cut = Math.min(at, valid.length);
    return Buffer.concat([valid.subarray(0, cut), bytes, valid.subarray(cut)]);
  });

const body = fc.oneof(
  jsonText.map((text) => Buffer.from(text)),
  greetingLike.map((text) => Buffer.from(text)),
  bomb.map((text) => Buffer.from(text)),
  invalidBytes,
);

describe('no client body produces a 5xx (property, through the real app)', () => {
  let server: TestApp;
  // At most one warn line and no error line per request.
  const lines = new WarnAndErrorCollector();
  beforeAll(async () => {
    server = await startTestApp({}, lines);
  });
  afterAll(() => server.close());

  function expectContained(res: RawResponse): void {
    expect(res.status).toBeGreaterThanOrEqual(200);
    expect(res.status).toBeLessThan(500);
    const parsed = JSON.parse(res.body) as Record<string, unknown>;
    if (res.status === 200) {
      expect(Object.keys(parsed).sort()).toEqual(['greeting', 'timestamp']);
    } else {
      expect(parsed).toEqual({ statusCode: res.status, error: expect.any(String) });
      expect(String(parsed.error)).not.toMatch(/\n\s+at |node_modules|\.ts:\d|\.js:\d/);
    }
  }

  it('answers every generated body with a 2xx/4xx envelope, no stack, at most one warn line', async () => {
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        lines.reset();
        const res = await postBytes(server.url, '/greet', payload);
        expectContained(res);
        expect(lines.errors).toEqual([]);
        expect(lines.warnings.length).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it('the same holds when the body is chunked and from an allowed origin', async () => {
    await fc.assert(
      fc.asyncProperty(greetingLike, async (text) => {
        lines.reset();
        const res = await postBytes(server.url, '/greet', Buffer.from(text), {
          'Transfer-Encoding': 'chunked',
          Origin: 'http://localhost:1234',
        });
        expectContained(res);
        expect(res.headers['access-control-allow-origin']).toBe('http://localhost:1234');
        expect(lines.errors).toEqual([]);
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});
