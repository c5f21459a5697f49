import type { IncomingMessage } from 'node:http';
import { routeOf } from '../../cors/cors-http';
import { hasJsonBody, JsonBodyLimits, readJsonBody } from '../body/json-body.reader';

type RequestWithBody = IncomingMessage & { body?: unknown };

/**
 * Whether the platform reads the request's body (as JSON), on Express and Fastify alike: only a
 * JSON body of a request a declared route serves (an unknown route's 404 needs none), and never
 * for GET or HEAD, whose content has no meaning (RFC 9110 §9.3.1): a health probe or the
 * languages list is answered whatever body comes along, as Fastify does by itself. An unread
 * body still closes the connection when it is not done by the answer (early-answer.ts).
 */
export function readsJsonBody(req: IncomingMessage): boolean {
  return (
    req.method !== 'GET' && req.method !== 'HEAD' && hasJsonBody(req) && routeOf(req) !== undefined
  );
}

/**
 * Express middleware in place of body-parser's `json()`: sets `req.body` from a JSON body, or
 * passes the contract's 4xx to the error-envelope filter (see readJsonBody for why).
 */
export function jsonBodyMiddleware(limits: JsonBodyLimits) {
  return (req: RequestWithBody, _res: unknown, next: (error?: unknown) => void): void => {
    if (!readsJsonBody(req)) {
      next();
      return;
    }
    readJsonBody(req, limits).then(
      (body) => {
        req.body = body;
        next();
      },
      (error: unknown) => {
        // The client went away mid-body (or a timeout answered on the socket): nobody is left to
        // read an answer, and the request is logged and counted as aborted, not as a 400.
        if (req.socket.destroyed) return;
        next(error);
      },
    );
  };
}
