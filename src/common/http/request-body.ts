import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasJsonBody } from '../body/json-body.reader';
import { type Exchange, exchangeOf } from './exchange';

/** `Content-Length: 0` is what fetch and most clients send for a POST without a body. */
export function declaresBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * A body that is not JSON: never read (only the JSON reader consumes bodies), and refused with 415
 * where a route takes JSON. A response to it closes the connection, whatever it is (a 415, a
 * preflight, even a 200 of a route that takes no body): Node then ends the connection once the
 * answer is out instead of reading, and throwing away, whatever the client still sends.
 */
export function declaresNonJsonBody(req: IncomingMessage): boolean {
  return declaresBody(req) && !hasJsonBody(req);
}

/**
 * Runs an answer given after routing but before the request body was read (an error after a
 * partial read, a guard's refusal). It closes the connection when an early answer would
 * (mustCloseAfterEarlyAnswer); a small JSON body keeps it, and Node discards that body.
 *
 * The answer is given at once, inside Node's parser callback. Waiting one I/O turn (setImmediate)
 * to see whether a small body had arrived kept every refused request's objects alive across the
 * turn: under a flood of refusals the young generation overflowed into the old one and the peak
 * RSS doubled (docs/performance.md).
 */
export function answerAheadOfBody(res: ServerResponse, answer: () => void): void {
  if (mustCloseAfterEarlyAnswer(res.req, exchangeOf(res))) {
    res.setHeader('Connection', 'close');
  }
  answer();
}

/** The declared `Content-Length`; NaN when there is none (chunked) or it is not a number. */
export function declaredLength(req: IncomingMessage): number {
  const length = req.headers['content-length'];
  return length === undefined ? NaN : Number(length);
}

/** A `Content-Length` over the limit is refused before a byte of the body is read. */
export function declaresMoreThan(req: IncomingMessage, limitBytes: number): boolean {
  return declaredLength(req) > limitBytes;
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
