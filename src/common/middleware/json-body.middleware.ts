import type { IncomingMessage } from 'node:http';
import { routeOf } from '../../cors/cors-http';
import { hasJsonBody, JsonBodyLimits, readJsonBody } from '../body/json-body.reader';

type RequestWithBody = IncomingMessage & { body?: unknown };

/**
 * Express middleware in place of body-parser's `json()`: sets `req.body` from a JSON body, or
 * passes the contract's 4xx to the error-envelope filter (see readJsonBody for why).
 */
export function jsonBodyMiddleware(limits: JsonBodyLimits) {
  return (req: RequestWithBody, _res: unknown, next: (error?: unknown) => void): void => {
    // A request no declared route serves is the router's 404, which needs no body: never read.
    if (!hasJsonBody(req) || routeOf(req) === undefined) {
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
