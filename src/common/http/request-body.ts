import type { IncomingMessage, ServerResponse } from 'node:http';

/** `Content-Length: 0` is what fetch and most clients send for a POST without a body. */
export function declaresBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Makes every response to `req` say `Connection: close` when the request body has not fully
 * arrived by the time the response's headers are written — a CORS refusal, a 413, a 405, a
 * preflight, even a 200 for a route that reads no body — so Node ends the connection once the
 * answer is out instead of reading, and throwing away, whatever the client still sends
 * (megabytes, at the client's pace, until the request timeout). Requests that declare no body
 * pay nothing.
 */
export function closeWhenBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  if (!declaresBody(req)) return;
  const writeHead = res.writeHead;
  // res.end() without an explicit writeHead() goes through writeHead() too.
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (!req.complete) this.setHeader('Connection', 'close');
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}

/**
 * Runs an answer given while the request body may still be arriving one I/O turn later
 * (setImmediate). Answers given before routing run inside Node's parser callback, before it has
 * parsed the rest of the bytes read with the headers (even process.nextTick runs before that): a
 * small body sent in the same packet as its headers (the usual refused POST) has arrived one turn
 * later, so closeWhenBodyUnread keeps its keep-alive connection; one still on the way closes it.
 */
export function answerAfterArrivedBytes(res: ServerResponse, answer: () => void): void {
  const req = res.req;
  if (req.complete || !declaresBody(req)) {
    answer();
    return;
  }
  setImmediate(() => {
    // Nothing else answers meanwhile today; if something ever did, it owns the response.
    if (!res.headersSent && !res.writableEnded) answer();
  });
}

/** A `Content-Length` over the limit is refused before a byte of the body is read. */
export function declaresMoreThan(req: IncomingMessage, limitBytes: number): boolean {
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) > limitBytes;
}
