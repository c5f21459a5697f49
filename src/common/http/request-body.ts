import type { IncomingMessage, ServerResponse } from 'node:http';

/** `Content-Length: 0` is what fetch and most clients send for a POST without a body. */
export function declaresBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * Sends an answer given while the request body may still be unread (a CORS refusal, a 413, a
 * 415, a 404 …) with `Connection: close` if the body has not fully arrived, so Node ends the
 * connection once the answer is out instead of reading, and throwing away, whatever the client
 * still sends — megabytes, at the client's pace.
 *
 * "Arrived" is judged after the current I/O callback (setImmediate): answers given before routing
 * run inside Node's parser callback, before it has parsed the rest of the bytes read with the
 * headers, and even process.nextTick runs before that. A small body sent in the same packet as
 * its headers (the usual refused POST) has arrived by then and keeps its keep-alive connection;
 * one still on the way closes it.
 */
export function answerClosingIfBodyUnread(res: ServerResponse, answer: () => void): void {
  const req = res.req;
  if (req.complete || !declaresBody(req)) {
    answer();
    return;
  }
  setImmediate(() => {
    if (!req.complete) res.setHeader('Connection', 'close');
    answer();
  });
}

/** A `Content-Length` over the limit is refused before a byte of the body is read. */
export function declaresMoreThan(req: IncomingMessage, limitBytes: number): boolean {
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) > limitBytes;
}
