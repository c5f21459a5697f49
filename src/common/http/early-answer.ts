import type { IncomingMessage, ServerResponse } from 'node:http';
import { recordErrorReason, type ErrorEnvelope } from '../error-envelope';
import { REQUEST_ID_HEADER } from '../request-id';
import type { Exchange } from './exchange';
import { declaresBody, declaredLength } from './request-body';
import { securityLinesFor } from './security-headers';

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
 * Writes a whole answer given before routing — a preflight, a CORS refusal, a 400, 405 or 413 —
 * in one writeHead with the header lines in a flat array: the security headers (precomputed),
 * X-Request-Id, the CORS headers the policy precomputed, `extra` (e.g. `Allow`), then the
 * envelope's framing. No setHeader per line, no header object: Node serialises the array as it
 * is. The order is the one the setHeader path gives (early-answer.spec compares the two).
 */
export function writeEarlyAnswer(
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
  // No Content-Length on a 204 (RFC 9110 §8.6): Node sends none for an empty end().
  if (envelope === undefined) res.end();
  else res.end(envelope.body);
}
