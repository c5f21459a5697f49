import type { IncomingMessage, ServerResponse } from 'node:http';
import pino, { Logger } from 'pino';
import { recordErrorReason } from '../common/error-envelope';
import { Exchange } from '../common/http/exchange';
import { traceIdOf } from '../common/http/trace-context';
import { shorten } from '../common/shorten';
import { AccessLogMode } from '../config/app.config';
import { recordDecision } from '../cors/cors-http';
import type { CorsDecision } from 'nest-strict-cors';
import { quote } from '../common/quote';
import { AccessLog, LOG_VALUE_LIMIT } from './access-log';
import { FdLineWriter } from './fd-line-writer';
import { rootLoggerOptions, withJsonDestination } from './root-logger';

/** Lines written to a destination, as pino's sonic-boom would get them. */
class Capture {
  readonly lines: string[] = [];
  write(line: string): boolean {
    this.lines.push(line);
    return true;
  }
}

interface Case {
  readonly name: string;
  readonly method?: string;
  readonly path: string | undefined;
  readonly headers?: Record<string, string>;
  readonly status: number;
  readonly completed?: boolean;
  readonly contentLength?: number;
  readonly earlyBytes?: number;
  readonly reason?: string;
  readonly decision?: CorsDecision;
  /** Request bytes discarded while the connection closed in stages. */
  readonly lingered?: number;
  /** The client's address (per TRUST_PROXY). */
  readonly client?: string;
}

const HOSTILE = 'https://e.example" ok="\\\u0000\u2028\u{1F600}' + 'x'.repeat(300);

const CASES: readonly Case[] = [
  {
    name: 'an allowed POST',
    method: 'POST',
    path: '/greet',
    headers: { origin: 'https://app.example.com', 'user-agent': 'browser/1.0' },
    status: 200,
    contentLength: 63,
    client: '203.0.113.9',
  },
  {
    name: 'a large response from an IPv6 client',
    method: 'GET',
    path: '/greet/languages',
    status: 200,
    contentLength: 1_234_567_890,
    client: '2001:db8::1',
  },
  { name: 'a preflight', method: 'OPTIONS', path: '/greet', status: 204, earlyBytes: 0 },
  {
    name: 'a refusal with a hostile origin and user agent',
    method: 'POST',
    path: '/greet',
    headers: { origin: HOSTILE, 'user-agent': HOSTILE },
    status: 403,
    earlyBytes: 47,
    reason: 'Origin not allowed',
    decision: {
      kind: 'refused',
      code: 'origin_not_allowed',
      reason: `origin ${quote(HOSTILE)} not allowed`,
      headers: [],
    },
  },
  {
    name: 'a refusal of a long path that needs escaping',
    method: 'DELETE',
    path: `/x"y\\z/\u0001/é/${'p'.repeat(150)}`,
    headers: { origin: 'https://evil.example' },
    status: 403,
    earlyBytes: 47,
    reason: 'Origin not allowed',
    decision: {
      kind: 'refused',
      code: 'origin_not_allowed',
      reason: 'origin "https://evil.example" not allowed',
      headers: [],
    },
  },
  {
    name: 'a preflight refused for its method',
    method: 'OPTIONS',
    path: '/greet',
    headers: { origin: 'https://app.example.com' },
    status: 403,
    earlyBytes: 60,
    reason: 'Method not allowed by CORS policy',
    decision: {
      kind: 'refused',
      code: 'method_not_allowed',
      reason: 'method "PUT" not in CORS_ALLOWED_METHODS',
      headers: [],
    },
  },
  {
    name: 'a 404 whose message quotes a path',
    method: 'GET',
    path: '/a"b\\c/é/\u{1F600}',
    status: 404,
    contentLength: 60,
    reason: 'Cannot GET /a"b\\c/é/\u{1F600}',
  },
  { name: 'a long path', method: 'GET', path: `/${'p'.repeat(500)}`, status: 404 },
  { name: 'a target without a path', method: 'GET', path: undefined, status: 400 },
  {
    name: 'a traced request',
    method: 'POST',
    path: '/greet',
    headers: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` },
    status: 200,
    contentLength: 10,
  },
  { name: 'a health probe', method: 'GET', path: '/health/live', status: 200, contentLength: 9 },
  { name: 'a 500', method: 'POST', path: '/greet', status: 500, reason: 'Internal server error' },
  { name: 'an aborted request', method: 'POST', path: '/greet', status: 200, completed: false },
  {
    name: 'a 413 whose connection closed in stages',
    method: 'POST',
    path: '/greet',
    headers: { origin: 'https://app.example.com' },
    status: 413,
    earlyBytes: 48,
    reason: 'Payload too large',
    lingered: 3_145_728,
  },
];

function fakeExchange(c: Case): {
  req: IncomingMessage;
  res: ServerResponse;
  exchange: Exchange;
} {
  const req = { method: c.method, headers: c.headers ?? {} } as unknown as IncomingMessage;
  const res = {
    statusCode: c.status,
    writableFinished: c.completed ?? true,
    getHeader: (name: string) => (name === 'content-length' ? c.contentLength : undefined),
  } as unknown as ServerResponse;
  const exchange = new Exchange('req-1', c.path, false);
  exchange.bytes = c.earlyBytes;
  exchange.lingered = c.lingered;
  exchange.client = c.client;
  if (c.reason !== undefined) recordErrorReason(res, c.reason);
  if (c.decision !== undefined) {
    const event = { request: req, stage: 'manual' as const, preflight: false, origin: undefined };
    recordDecision({ ...event, route: undefined, decision: c.decision });
  }
  return { req, res, exchange };
}

/** The plain, obvious version: the fields as an object, through pino. */
function plainLine(logger: Logger, c: Case): void {
  const completed = c.completed ?? true;
  const refusal = c.decision?.kind === 'refused' ? c.decision : undefined;
  const path = shorten(c.path ?? '?', LOG_VALUE_LIMIT);
  const level =
    completed && c.status >= 500
      ? 'error'
      : refusal
        ? 'warn'
        : /^\/health(?:\/|$)/.test(path)
          ? 'debug'
          : 'info';
  const bytes = c.earlyBytes ?? c.contentLength ?? (c.status === 204 ? 0 : undefined);
  const origin = c.headers?.origin;
  const userAgent = c.headers?.['user-agent'];
  logger[level](
    {
      reqId: 'req-1',
      traceId: traceIdOf({ headers: c.headers ?? {} } as IncomingMessage),
      method: c.method,
      path,
      client: c.client,
      status: completed ? c.status : undefined,
      aborted: completed ? undefined : true,
      ms: 0,
      bytes: completed ? bytes : undefined,
      reason:
        completed && c.status >= 400 && c.reason !== undefined
          ? shorten(c.reason, LOG_VALUE_LIMIT)
          : undefined,
      cors: refusal?.code,
      lingered: c.lingered,
      origin: origin === undefined ? undefined : shorten(origin, LOG_VALUE_LIMIT),
      userAgent: userAgent === undefined ? undefined : shorten(userAgent, LOG_VALUE_LIMIT),
    },
    refusal
      ? `CORS refused ${c.method} ${quote(c.path ?? '?')}: ${refusal.reason}`
      : completed
        ? 'request completed'
        : 'request aborted',
  );
}

/** Time and duration differ between two writes; everything else must be byte for byte. */
const normalise = (line: string) =>
  line.replace(/"time":"[^"]+"/, '"time":"T"').replace(/"ms":[0-9.]+/, '"ms":0');

function accessLog(mode: AccessLogMode, level = 'debug') {
  const capture = new Capture();
  const logger = withJsonDestination(
    pino(rootLoggerOptions({ logLevel: level } as never), capture),
    capture,
  );
  return { log: new AccessLog(logger, { accessLog: mode }), capture };
}

/** The process's log writer, its write(2) replaced by a capture of the bytes. */
function bufferedAccessLog(capacity = 16 * 1024) {
  const written: Buffer[] = [];
  const writer = new FdLineWriter(99, capacity, (_fd, buffer, offset, length) => {
    written.push(Buffer.from(buffer.subarray(offset, offset + length)));
    return length;
  });
  const logger = withJsonDestination(
    pino(rootLoggerOptions({ logLevel: 'debug' } as never), new Capture()),
    writer,
  );
  const lines = () => {
    writer.drain();
    return Buffer.concat(written)
      .toString('utf8')
      .split('\n')
      .slice(0, -1)
      .map((l) => `${l}\n`);
  };
  return { log: new AccessLog(logger, { accessLog: 'all' }), lines };
}

describe('AccessLog', () => {
  it("writes every case into the log writer's buffer with the same bytes as the string path", () => {
    const buffered = bufferedAccessLog();
    const strings = accessLog('all');
    for (const c of CASES) {
      const { req, res, exchange } = fakeExchange(c);
      buffered.log.write(req, res, exchange);
      strings.log.write(req, res, exchange);
    }
    expect(buffered.lines().map(normalise)).toEqual(strings.capture.lines.map(normalise));
  });

  it('prints durations in tenths of a millisecond as the number would', () => {
    const buffered = bufferedAccessLog();
    const durations = [0, 0.04, 0.05, 0.96, 1, 9.95, 10, 12.34, 99.99, 1234.5];
    const expected: string[] = [];
    for (const ms of durations) {
      const { req, res, exchange } = fakeExchange(CASES[0]);
      exchange.end = exchange.start + ms;
      // The same subtraction the service does, then the number's own text.
      expected.push(String(Math.round((exchange.end - exchange.start) * 10) / 10));
      buffered.log.write(req, res, exchange);
    }
    const printed = buffered.lines().map((line) => /"ms":([0-9.]+)/.exec(line)?.[1]);
    expect(printed).toEqual(expected);
  });

  it('bounds a line with every field at its longest, so the buffer is never overrun', () => {
    const buffered = bufferedAccessLog(32 * 1024);
    const long = 'é"\\\u0001'.repeat(LOG_VALUE_LIMIT);
    for (let i = 0; i < 30; i++) {
      const { req, res, exchange } = fakeExchange({
        name: 'longest',
        method: 'PROPPATCH',
        path: `/${long}`,
        headers: {
          origin: long,
          'user-agent': long,
          traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
        },
        status: 403,
        earlyBytes: 47,
        reason: long,
        client: 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255',
        decision: { kind: 'refused', code: 'origin_not_allowed', reason: long, headers: [] },
      });
      exchange.end = exchange.start + 123_456.7;
      buffered.log.write(req, res, exchange);
    }
    const lines = buffered.lines();
    expect(lines).toHaveLength(30);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ status: 403, ms: 123456.7 });
    // Even a client field far longer than any address (the service never makes one) is counted.
    const huge = bufferedAccessLog(32 * 1024);
    for (let i = 0; i < 3; i++) {
      const { req, res, exchange } = fakeExchange({ ...CASES[0], client: '1'.repeat(20_000) });
      expect(() => huge.log.write(req, res, exchange)).not.toThrow();
    }
    expect(huge.lines()).toHaveLength(3);
  });

  it('falls back to a string when a line could not fit the buffer, and drains when it is full', () => {
    const small = bufferedAccessLog(2048);
    const hostile = CASES.find((c) => c.name.startsWith('a refusal')) as Case;
    for (let i = 0; i < 20; i++) {
      const { req, res, exchange } = fakeExchange(i % 2 === 0 ? hostile : CASES[0]);
      small.log.write(req, res, exchange);
    }
    const lines = small.lines();
    expect(lines).toHaveLength(20);
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it.each(CASES.map((c) => [c.name, c] as const))(
    'writes %s exactly as pino writes the same fields',
    (_name, c) => {
      const { log, capture } = accessLog('all');
      const { req, res, exchange } = fakeExchange(c);
      log.write(req, res, exchange);

      const plain = new Capture();
      plainLine(pino(rootLoggerOptions({ logLevel: 'debug' } as never), plain), c);

      expect(capture.lines).toHaveLength(1);
      expect(normalise(capture.lines[0])).toBe(normalise(plain.lines[0]));
      expect(() => JSON.parse(capture.lines[0]) as unknown).not.toThrow();
    },
  );

  it('ACCESS_LOG=errors keeps 4xx, 5xx, aborted and refused responses; off keeps none', () => {
    const errors = accessLog('errors');
    const off = accessLog('off');
    for (const c of CASES) {
      const { req, res, exchange } = fakeExchange(c);
      errors.log.write(req, res, exchange);
      off.log.write(req, res, exchange);
    }
    const kept = errors.capture.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(kept.map((line) => line.status ?? 'aborted')).toEqual([
      403,
      403,
      403,
      404,
      404,
      400,
      500,
      'aborted',
      413,
    ]);
    expect(off.capture.lines).toEqual([]);
  });

  it('follows the log level: a health probe only at debug, a refusal still at warn', () => {
    const { log, capture } = accessLog('all', 'warn');
    for (const c of CASES) {
      const { req, res, exchange } = fakeExchange(c);
      log.write(req, res, exchange);
    }
    const levels = capture.lines.map((line) => (JSON.parse(line) as { level: string }).level);
    expect(levels).toEqual(['warn', 'warn', 'warn', 'error']);
  });
});
