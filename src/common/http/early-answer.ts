import type { ServerResponse } from 'node:http';
import { recordErrorReason, type ErrorEnvelope } from '../error-envelope';
import { REQUEST_ID_HEADER } from '../request-id';
import { type Exchange, exchangeOf } from './exchange';
import { mustCloseAfterEarlyAnswer } from './request-body';
import {
  ALLOW_ORIGIN,
  attachExtraLines,
  attachFixedLines,
  canWriteFixedLines,
  fixedLinesFor,
  fixedLinesOf,
  HeaderList,
  JSON_CONTENT_TYPE,
} from './fixed-header-lines';
import { isDocsPath, securityLinesFor, setSecurityHeaders } from './security-headers';

export { canWriteFixedLines, JSON_CONTENT_TYPE };
export type { HeaderList };

/** An answer with no CORS headers (a request refused before CORS looked at it). */
export const NO_HEADERS: HeaderList = [];

/** An error envelope serialised once: its body, and its length as the header's text. */
export interface PreparedEnvelope {
  readonly statusCode: number;
  readonly error: string;
  readonly body: string;
  readonly bytes: number;
  readonly contentLength: string;
}

const prepared = new Map<number, Map<string, PreparedEnvelope>>();

/**
 * The envelope of a fixed message, serialised on first use and then reused: the messages of early
 * answers are constants (error-messages.ts), so the set stays small.
 */
export function preparedEnvelope(statusCode: number, error: string): PreparedEnvelope {
  let byError = prepared.get(statusCode);
  if (byError === undefined)
    prepared.set(statusCode, (byError = new Map<string, PreparedEnvelope>()));
  let envelope = byError.get(error);
  if (envelope === undefined) {
    const body = JSON.stringify({ statusCode, error } satisfies ErrorEnvelope);
    const bytes = Buffer.byteLength(body);
    envelope = { statusCode, error, body, bytes, contentLength: String(bytes) };
    byError.set(error, envelope);
  }
  return envelope;
}

/**
 * Writes a whole answer given before routing — a preflight, a CORS refusal, a 400, 405 or 413 —
 * in one writeHead: the fixed lines (security headers, the policy's CORS lines, the envelope's
 * Content-Type; fixed-header-lines.ts) as precomputed text, then X-Request-Id, the echoed origin,
 * `extra` (e.g. `Allow`), Content-Length and Connection. No setHeader per line, no header object.
 * early-answer.spec compares every kind of answer with what the plain setHeader path writes.
 */
export function writeEarlyAnswer(
  res: ServerResponse,
  exchange: Exchange,
  statusCode: number,
  cors: HeaderList,
  envelope?: PreparedEnvelope,
  extra?: readonly string[],
): void {
  if (!canWriteFixedLines) {
    writeEveryLine(res, exchange, statusCode, cors, envelope, extra);
    return;
  }
  const fixed = fixedLinesFor(exchange.path, cors, envelope !== undefined);
  let head: string[];
  if (extra === undefined) head = headLines(exchange.id, fixed.allowOrigin, envelope);
  else {
    // Rare (405's Allow): the lines in the order the setHeader path writes them.
    head = headLines(exchange.id, fixed.allowOrigin, undefined);
    for (let i = 0; i < extra.length; i++) head.push(extra[i]);
    if (envelope !== undefined) head.push('Content-Length', envelope.contentLength);
  }
  attachFixedLines(res, fixed);
  finishAnswer(res, exchange, statusCode, head, envelope);
}

/**
 * The per-request lines as one array literal of the right length: pushing Content-Length onto a
 * shorter literal made V8 grow its backing store, ~0.2 KB of garbage per refusal
 * (`npm run bench:request-cost`). Lines after these (`extra`, Connection) are rare.
 */
function headLines(
  id: string,
  allowOrigin: string | undefined,
  envelope: PreparedEnvelope | undefined,
): string[] {
  if (envelope === undefined) {
    return allowOrigin === undefined
      ? [REQUEST_ID_HEADER, id]
      : [REQUEST_ID_HEADER, id, ALLOW_ORIGIN, allowOrigin];
  }
  return allowOrigin === undefined
    ? [REQUEST_ID_HEADER, id, 'Content-Length', envelope.contentLength]
    : [REQUEST_ID_HEADER, id, ALLOW_ORIGIN, allowOrigin, 'Content-Length', envelope.contentLength];
}

/** Connection, the figures the access line reads, then the head and the body. */
function finishAnswer(
  res: ServerResponse,
  exchange: Exchange,
  statusCode: number,
  head: string[],
  envelope: PreparedEnvelope | undefined,
): void {
  if (mustCloseAfterEarlyAnswer(res.req, exchange)) head.push('Connection', 'close');
  exchange.bytes = envelope === undefined ? 0 : envelope.bytes;
  if (envelope !== undefined) recordErrorReason(res, envelope.error);
  res.writeHead(statusCode, head);
  // No Content-Length on a 204 (RFC 9110 §8.6): Node sends none for an empty end().
  if (envelope === undefined) res.end();
  else res.end(envelope.body);
}

/**
 * The headers of a request let through to the platform, before anything can fail: the fixed
 * lines (security and the decision's CORS lines) attached as text, the request id and the echoed
 * origin with setHeader, so the platform's own headers join them. Under /docs (Swagger UI's
 * static files set headers of their own) and on a Node without the fixed-lines hook, every line
 * goes through setHeader.
 */
export function writePassThroughHeaders(
  res: ServerResponse,
  exchange: Exchange,
  cors: HeaderList,
  /** Flat name/value pairs the service produced (the rate limit's counts; attachExtraLines). */
  extra?: readonly string[],
): void {
  if (canWriteFixedLines && !isDocsPath(exchange.path)) {
    const fixed = fixedLinesFor(exchange.path, cors, false);
    attachFixedLines(res, fixed);
    if (extra !== undefined) attachExtraLines(res, extra);
    res.setHeader(REQUEST_ID_HEADER, exchange.id);
    if (fixed.allowOrigin !== undefined) res.setHeader(ALLOW_ORIGIN, fixed.allowOrigin);
  } else {
    setSecurityHeaders(res, exchange.path);
    res.setHeader(REQUEST_ID_HEADER, exchange.id);
    for (const [name, value] of cors) res.setHeader(name, value);
    if (extra !== undefined)
      for (let i = 0; i < extra.length; i += 2) res.setHeader(extra[i], extra[i + 1]);
  }
  if (exchange.closeConnection) res.setHeader('Connection', 'close');
}

/**
 * Replaces the CORS lines of a response not yet written (the guard, when the handler Nest picked
 * has another policy than the route table found): no Access-Control-* line of the old decision
 * survives.
 */
export function replaceCorsHeaders(res: ServerResponse, cors: HeaderList): void {
  for (const name of res.getHeaderNames()) {
    if (name.startsWith('access-control-') || name === 'vary') res.removeHeader(name);
  }
  // Fixed lines are attached only to responses the pre-routing server tracks.
  const exchange = exchangeOf(res);
  if (exchange !== undefined && fixedLinesOf(res) !== undefined) {
    const fixed = fixedLinesFor(exchange.path, cors, false);
    attachFixedLines(res, fixed);
    if (fixed.allowOrigin !== undefined) res.setHeader(ALLOW_ORIGIN, fixed.allowOrigin);
  } else {
    for (const [name, value] of cors) res.setHeader(name, value);
  }
}

/** The same answer with every line handed to Node (the fallback, and the spec's reference). */
export function writeEveryLine(
  res: ServerResponse,
  exchange: Exchange,
  statusCode: number,
  cors: HeaderList,
  envelope?: PreparedEnvelope,
  extra?: readonly string[],
): void {
  const head = securityLinesFor(exchange.path).slice();
  head.push(REQUEST_ID_HEADER, exchange.id);
  for (let i = 0; i < cors.length; i++) head.push(cors[i][0], cors[i][1]);
  if (extra !== undefined) for (let i = 0; i < extra.length; i++) head.push(extra[i]);
  if (envelope !== undefined) {
    head.push('Content-Type', JSON_CONTENT_TYPE, 'Content-Length', envelope.contentLength);
  }
  finishAnswer(res, exchange, statusCode, head, envelope);
}
