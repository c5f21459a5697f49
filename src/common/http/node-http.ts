import type { IncomingMessage, ServerResponse } from 'node:http';

/** Fastify wraps node's request and response in `raw`; Express extends them. */
export function nodeRequest(req: object): IncomingMessage {
  return ('raw' in req ? req.raw : req) as IncomingMessage;
}

export function nodeResponse(res: object): ServerResponse {
  return ('raw' in res ? res.raw : res) as ServerResponse;
}
