import { Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CorsForbiddenException } from './cors-forbidden.exception';
import {
  describeRequest,
  endEmpty,
  readCorsRequest,
  readPreflight,
  writeHeaders,
} from './cors-http';
import { CorsRouteTable } from './cors-route-table';

/**
 * Runs before routing and before the body parser (configureApp registers it first), which is
 * what lets it:
 * - answer preflights without ever reaching a controller;
 * - refuse a disallowed origin before its body is read or parsed;
 * - write the CORS headers of an allowed origin before anything can fail, so 400, 404, 413, 415
 *   and 500 responses are readable by the front end, not just 200s.
 * Refusals go to the global error filter as a CorsForbiddenException, so they share the envelope.
 */
@Injectable()
export class CorsMiddleware {
  private readonly logger = new Logger('Cors');

  constructor(private readonly routes: CorsRouteTable) {}

  readonly handle = (
    req: IncomingMessage,
    res: ServerResponse,
    next: (error?: unknown) => void,
  ): void => {
    const url = req.url ?? '/';
    const preflight = readPreflight(req);
    const decision = preflight
      ? this.routes.forRequest(preflight.requestMethod, url).decidePreflight(preflight)
      : this.routes.forRequest(req.method ?? 'GET', url).decide(readCorsRequest(req));
    if (decision.kind === 'refused') {
      writeHeaders(res, decision.headers);
      this.logger.warn(`CORS refused ${describeRequest(req)}: ${decision.reason}`);
      next(new CorsForbiddenException(decision.reason));
      return;
    }
    if (preflight) {
      endEmpty(res, 204, decision.headers);
      return;
    }
    writeHeaders(res, decision.headers);
    next();
  };
}
