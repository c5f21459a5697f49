import {
  IncomingMessage,
  ServerResponse,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import { recordErrorReason, type ErrorEnvelope } from '../error-envelope';
import { REQUEST_ID_HEADER } from '../request-id';
import type { Exchange } from './exchange';
import { declaresBody, declaredLength } from './request-body';
import { isDocsPath, securityLinesFor } from './security-headers';

/** Header pairs as a policy precomputes them (e.g. the CORS headers of a decision). */
export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** An answer with no CORS headers (a request refused before CORS looked at it). */
export const NO_HEADERS: HeaderList = [];

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

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
 * The most bytes of an unread body Node may read and discard to keep a keep-alive connection: one
 * small JSON request (the usual refused POST) costs nothing to skip, while anything larger, or of
 * unknown length (chunked), could make the service read megabytes at the client's pace.
 */
export const DISCARDABLE_BODY_BYTES = 16 * 1024;

/**
 * Whether an answer given now, before the body was read, must close the connection: when the
 * exchange says so already (a body that is not JSON, a draining server, a confused client), or a
 * body still on its way is larger than Node may skip, or of unknown length.
 */
export function mustCloseAfterEarlyAnswer(
  req: IncomingMessage,
  exchange: Exchange | undefined,
): boolean {
  return (
    exchange?.closeConnection === true ||
    (!req.complete && declaresBody(req) && !(declaredLength(req) <= DISCARDABLE_BODY_BYTES))
  );
}

/**
 * Header lines that do not change from one answer to the next — the security headers, a policy's
 * CORS headers but Access-Control-Allow-Origin, the envelope's Content-Type — serialised once as
 * `Name: value\r\n` text. Validated here, once, as Node validates every line it is given.
 */
function serialise(pairs: HeaderList): string {
  let text = '';
  for (const [name, value] of pairs) {
    validateHeaderName(name);
    validateHeaderValue(name, value);
    text += `${name}: ${value}\r\n`;
  }
  return text;
}

const SECURITY_TEXT = {
  api: serialise(pairsOf(securityLinesFor('/'))),
  docs: serialise(pairsOf(securityLinesFor('/docs'))),
};

function pairsOf(flat: readonly string[]): HeaderList {
  const pairs: Array<readonly [string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
  return pairs;
}

const ALLOW_ORIGIN = 'Access-Control-Allow-Origin';

/** A policy's CORS lines, split once: the origin echoed (if any) and the text of the rest. */
interface CorsText {
  readonly allowOrigin: string | undefined;
  readonly text: string;
}

/** Keyed by the policy's own (cached, immutable) header lists: bounded like those caches. */
const corsTexts = new WeakMap<HeaderList, CorsText>();

function corsTextOf(cors: HeaderList): CorsText {
  let found = corsTexts.get(cors);
  if (found === undefined) {
    const echoes = cors.length > 0 && cors[0][0] === ALLOW_ORIGIN;
    found = {
      allowOrigin: echoes ? cors[0][1] : undefined,
      text: serialise(echoes ? cors.slice(1) : cors),
    };
    corsTexts.set(cors, found);
  }
  return found;
}

const CONTENT_TYPE_TEXT = serialise([['Content-Type', JSON_CONTENT_TYPE]]);

/** The fixed lines to write after the status line, while writeHead runs (see below). */
const fixedLines = Symbol('fixedLines');
type WithFixedLines = ServerResponse & { [fixedLines]?: string };

const storeHeader = (
  ServerResponse.prototype as unknown as {
    _storeHeader: (this: ServerResponse, firstLine: string, headers: unknown) => void;
  }
)._storeHeader;

/**
 * Node builds a response's head in `_storeHeader(statusLine, headers)`, validating and
 * serialising each header it is given. The fixed lines are handed over already serialised, after
 * the status line, so only the lines that change per request (the request id, the echoed origin,
 * Content-Length, Connection) go through Node's per-line work. Framing headers are never among the
 * fixed lines: Node must see Content-Length and Connection to frame the body and the connection.
 */
function storeHeaderWithFixedLines(
  this: WithFixedLines,
  firstLine: string,
  headers: unknown,
): void {
  storeHeader.call(this, firstLine + (this[fixedLines] ?? ''), headers);
}

/**
 * Whether this Node builds heads the way storeHeaderWithFixedLines relies on: checked once by
 * writing a head on a detached response. If a future Node changes its internals, early answers
 * fall back to handing Node every line (the same bytes, a little slower), never to fewer headers.
 */
export const canWriteFixedLines = ((): boolean => {
  try {
    if (typeof storeHeader !== 'function') return false;
    const res = new ServerResponse(new IncomingMessage(null as never)) as WithFixedLines & {
      _header?: unknown;
    };
    res[fixedLines] = 'X-Fixed: 1\r\n';
    (res as unknown as { _storeHeader: unknown })._storeHeader = storeHeaderWithFixedLines;
    res.writeHead(204, ['X-Dynamic', '2']);
    return (
      typeof res._header === 'string' &&
      res._header.startsWith('HTTP/1.1 204 No Content\r\nX-Fixed: 1\r\nX-Dynamic: 2\r\n')
    );
  } catch {
    return false;
  }
})();

/**
 * Writes a whole answer given before routing — a preflight, a CORS refusal, a 400, 405 or 413 —
 * in one writeHead: the fixed lines (security headers, the policy's CORS headers, the envelope's
 * Content-Type) precomputed as text, then X-Request-Id, the echoed origin, `extra` (e.g. `Allow`),
 * Content-Length and Connection. No setHeader per line, no header object. early-answer.spec
 * compares every kind of answer with what the plain setHeader path writes.
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
  const { allowOrigin, text } = corsTextOf(cors);
  const security = isDocsPath(exchange.path) ? SECURITY_TEXT.docs : SECURITY_TEXT.api;
  const fixed = envelope === undefined ? security + text : security + text + CONTENT_TYPE_TEXT;
  const head: string[] =
    allowOrigin === undefined
      ? [REQUEST_ID_HEADER, exchange.id]
      : [REQUEST_ID_HEADER, exchange.id, ALLOW_ORIGIN, allowOrigin];
  if (extra !== undefined) for (let i = 0; i < extra.length; i++) head.push(extra[i]);
  if (envelope !== undefined) {
    head.push('Content-Length', envelope.contentLength);
    recordErrorReason(res, envelope.error);
  }
  if (mustCloseAfterEarlyAnswer(res.req, exchange)) head.push('Connection', 'close');
  exchange.bytes = envelope === undefined ? 0 : envelope.bytes;
  const target = res as WithFixedLines;
  target[fixedLines] = fixed;
  (target as unknown as { _storeHeader: unknown })._storeHeader = storeHeaderWithFixedLines;
  res.writeHead(statusCode, head);
  // No Content-Length on a 204 (RFC 9110 §8.6): Node sends none for an empty end().
  if (envelope === undefined) res.end();
  else res.end(envelope.body);
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
    recordErrorReason(res, envelope.error);
  }
  if (mustCloseAfterEarlyAnswer(res.req, exchange)) head.push('Connection', 'close');
  exchange.bytes = envelope === undefined ? 0 : envelope.bytes;
  res.writeHead(statusCode, head);
  if (envelope === undefined) res.end();
  else res.end(envelope.body);
}
