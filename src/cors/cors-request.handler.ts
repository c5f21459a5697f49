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
  recordDecision,
  writeHeaders,
} from './cors-http';
import {
  CorsDecision,
  CorsPolicy,
  CorsRequest,
  PreflightRequest,
  RefusalCode,
} from './cors-policy';
import { CorsRouteTable } from './cors-route-table';

export interface CorsEvaluation {
  /** The policy of the route the request is for (a preflight: the route it asks about). */
  readonly policy: CorsPolicy;
  readonly decision: CorsDecision;
}

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
    const { policy, decision } = this.evaluate(
      req.method ?? 'GET',
      path,
      preflight ?? readCorsRequest(req),
    );
    recordDecision(req, decision);
    writeHeaders(res, decision.headers);
    if (decision.kind === 'refused') {
      logRefusal(req, res, decision);
      writeErrorEnvelope(res, 403, refusalMessage(decision.code));
      return true;
    }
    if (preflight) {
      endEmpty(res, 204);
      return true;
    }
    markDecided(req, policy);
    return false;
  }

  /**
   * The decision alone, from the request's facts: what handle() answers with, and what
   * `cors:explain` reports. `request` is a PreflightRequest exactly when it is a preflight.
   */
  evaluate(method: string, path: string, request: CorsRequest | PreflightRequest): CorsEvaluation {
    const preflight = 'requestMethod' in request ? request : undefined;
    const policy = this.routes.forRequest(preflight?.requestMethod ?? method, path);
    const decision = preflight ? policy.decidePreflight(preflight) : policy.decide(request);
    return { policy, decision };
  }
}

/** The 403's `error`: a preflight refused for its method or headers says so, not "Origin". */
export function refusalMessage(code: RefusalCode): string {
  switch (code) {
    case 'method_not_allowed':
      return ErrorMessages.corsMethodNotAllowed;
    case 'header_not_allowed':
    case 'request_headers_too_long':
      return ErrorMessages.corsHeaderNotAllowed;
    default:
      return ErrorMessages.originNotAllowed;
  }
}
