import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorMessages } from '../common/error-messages';
import { PreparedEnvelope, preparedEnvelope, writeEarlyAnswer } from '../common/http/early-answer';
import type { Exchange } from '../common/http/exchange';
import { markDecided, readCorsRequest, readPreflight, recordDecision } from './cors-http';
import {
  CorsDecision,
  CorsPolicy,
  CorsRequest,
  PreflightRequest,
  REFUSAL_CODES,
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
   * Answers a preflight or a refusal whole, in one writeHead, and returns true; otherwise returns
   * the decision, whose headers the caller writes with the rest of the response. `path` is the
   * request's path as the router will see it (requestPath). The decision is recorded either way
   * (decisionOf): the access line and the metrics read it.
   */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    exchange: Exchange,
    path: string,
  ): true | CorsDecision {
    const preflight = readPreflight(req);
    const { policy, decision } = this.evaluate(
      req.method ?? 'GET',
      path,
      preflight ?? readCorsRequest(req),
    );
    recordDecision(req, decision);
    if (decision.kind === 'refused') {
      writeEarlyAnswer(res, exchange, 403, decision.headers, REFUSALS[decision.code]);
      return true;
    }
    if (preflight) {
      writeEarlyAnswer(res, exchange, 204, decision.headers);
      return true;
    }
    markDecided(req, policy);
    return decision;
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

/** The 403 of each refusal, serialised once. */
const REFUSALS: Readonly<Record<RefusalCode, PreparedEnvelope>> = Object.fromEntries(
  REFUSAL_CODES.map((code) => [code, preparedEnvelope(403, refusalMessage(code))]),
) as Record<RefusalCode, PreparedEnvelope>;

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
