import type { IncomingMessage, ServerResponse } from 'node:http';
import { hasJsonBody } from '../body/json-body.reader';

/** `Content-Length: 0` is what fetch and most clients send for a POST without a body. */
export function declaresBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * A body the service will never read — anything but JSON, which only the JSON reader consumes —
 * makes the response say `Connection: close` from the start, whatever it is (a 415, a preflight,
 * even a 200 of a route that takes no body): Node then ends the connection once the answer is
 * out instead of reading, and throwing away, whatever the client still sends (megabytes, at the
 * client's pace, until the request timeout). JSON bodies that are not read (a refusal, a 413)
 * are handled by answerAheadOfBody. Requests without a body pay one header lookup.
 *
 * Not a wrapper around each response's writeHead, which would catch every case in one place:
 * patching every response object cost ~25% of the allowed-POST throughput and doubled the peak
 * RSS in the benchmark, and a ServerResponse subclass (under Express's re-prototyped responses)
 * cost more still.
 */
export function closeIfBodyWillNotBeRead(req: IncomingMessage, res: ServerResponse): void {
  if (declaresNonJsonBody(req)) res.setHeader('Connection', 'close');
}

/** A body that is not JSON: never read, and refused with 415 where a route takes JSON. */
export function declaresNonJsonBody(req: IncomingMessage): boolean {
  return declaresBody(req) && !hasJsonBody(req);
}

/**
 * The most bytes of an unread body Node may read and discard to keep a keep-alive connection: one
 * small JSON request (the usual refused POST) costs nothing to skip, while anything larger, or of
 * unknown length (chunked), could make the service read megabytes at the client's pace.
 */
const DISCARDABLE_BODY_BYTES = 16 * 1024;

/**
 * Runs an answer given before the request body was read (a refusal, a 413, a preflight, an error
 * after a partial read). A body not yet complete keeps the connection only when it declares at
 * most DISCARDABLE_BODY_BYTES: Node reads and discards those once the answer is out. Otherwise the
 * response says `Connection: close`.
 *
 * The answer is given at once, inside Node's parser callback. Waiting one I/O turn (setImmediate)
 * to see whether a small body had arrived kept every refused request's objects alive across the
 * turn: under a flood of refusals the young generation overflowed into the old one and the peak
 * RSS doubled (docs/performance.md).
 */
export function answerAheadOfBody(res: ServerResponse, answer: () => void): void {
  const req = res.req;
  if (!req.complete && declaresBody(req) && !(declaredLength(req) <= DISCARDABLE_BODY_BYTES)) {
    res.setHeader('Connection', 'close');
  }
  answer();
}

/** The declared `Content-Length`; NaN when there is none (chunked) or it is not a number. */
function declaredLength(req: IncomingMessage): number {
  const length = req.headers['content-length'];
  return length === undefined ? NaN : Number(length);
}

/** A `Content-Length` over the limit is refused before a byte of the body is read. */
export function declaresMoreThan(req: IncomingMessage, limitBytes: number): boolean {
  return declaredLength(req) > limitBytes;
}
