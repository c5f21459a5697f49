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
 * are handled by answerAfterArrivedBytes. Requests without a body pay one header lookup.
 *
 * Not a wrapper around each response's writeHead, which would catch every case in one place:
 * patching every response object cost ~25% of the allowed-POST throughput and doubled the peak
 * RSS in the benchmark, and a ServerResponse subclass (under Express's re-prototyped responses)
 * cost more still.
 */
export function closeIfBodyWillNotBeRead(req: IncomingMessage, res: ServerResponse): void {
  if (declaresBody(req) && !hasJsonBody(req)) res.setHeader('Connection', 'close');
}

/**
 * Runs an answer given while the request body may still be arriving one I/O turn later
 * (setImmediate). Answers given before routing run inside Node's parser callback, before it has
 * parsed the rest of the bytes read with the headers (even process.nextTick runs before that): a
 * small body sent in the same packet as its headers (the usual refused POST) has arrived one turn
 * later and keeps its keep-alive connection; one still on the way gets `Connection: close`.
 */
export function answerAfterArrivedBytes(res: ServerResponse, answer: () => void): void {
  const req = res.req;
  if (req.complete || !declaresBody(req)) {
    answer();
    return;
  }
  setImmediate(() => {
    // Nothing else answers meanwhile today; if something ever did, it owns the response.
    if (res.headersSent || res.writableEnded) return;
    if (!req.complete) res.setHeader('Connection', 'close');
    answer();
  });
}

/** A `Content-Length` over the limit is refused before a byte of the body is read. */
export function declaresMoreThan(req: IncomingMessage, limitBytes: number): boolean {
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) > limitBytes;
}
