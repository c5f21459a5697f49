import type { IncomingMessage, ServerResponse } from 'node:http';

/** `Content-Length: 0` is what fetch and most clients send for a POST without a body. */
export function declaresBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * For an answer given while the request body is still unread (a CORS refusal, a 413, a 415, a
 * 404 …): `Connection: close`, so Node ends the connection once the answer is sent instead of
 * reading, and throwing away, whatever the client still sends — megabytes, at the client's pace.
 */
export function closeIfBodyUnread(res: ServerResponse): void {
  const req = res.req;
  if (!req.complete && declaresBody(req)) res.setHeader('Connection', 'close');
}

/** A `Content-Length` over the limit is refused before a byte of the body is read. */
export function declaresMoreThan(req: IncomingMessage, limitBytes: number): boolean {
  const length = req.headers['content-length'];
  return length !== undefined && Number(length) > limitBytes;
}
