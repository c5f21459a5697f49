import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { writeErrorEnvelope } from '../common/error-envelope';
import { ErrorMessages } from '../common/error-messages';
import {
  logRefusal,
  endEmpty,
  markDecided,
  readCorsRequest,
  readPreflight,
  writeHeaders,
} from './cors-http';
import { CorsRouteTable } from './cors-route-table';

/**
 * The CORS decision before routing and before the body is read (configureApp() puts it in the
 * pre-routing handler), which is what lets it:
 * - answer preflights without ever reaching a controller;
 * - refuse a disallowed origin before its body is read or parsed;
 * - write the CORS headers of an allowed origin before anything can fail, so 400, 404, 413, 415
 *   and 500 responses are readable by the front end, not just 200s.
 */
@Injectable()
export class CorsRequestHandler {
  constructor(private readonly routes: CorsRouteTable) {}

  /**
   * Returns true when it answered the request (preflight or refusal). `path` is the request's
   * path as the router will see it (requestPath).
   */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const preflight = readPreflight(req);
    const policy = this.routes.forRequest(preflight?.requestMethod ?? req.method ?? 'GET', path);
    const decision = preflight
      ? policy.decidePreflight(preflight)
      : policy.decide(readCorsRequest(req));
    writeHeaders(res, decision.headers);
    if (decision.kind === 'refused') {
      logRefusal(req, decision.reason);
      writeErrorEnvelope(res, 403, ErrorMessages.originNotAllowed);
      return true;
    }
    if (preflight) {
      endEmpty(res, 204);
      return true;
    }
    markDecided(req, policy);
    return false;
  }
}
