import { Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CorsDecision,
  isPreflight,
  REFUSAL_CODES,
  refusalMessage,
  RefusalCode,
  StrictCorsHandler,
} from 'nest-strict-cors';
import { PreparedEnvelope, preparedEnvelope, writeEarlyAnswer } from '../common/http/early-answer';
import type { Exchange } from '../common/http/exchange';

/**
 * The service's glue to nest-strict-cors, which runs in `'manual'` mode: configureApp() calls
 * handle() in the pre-routing handler, before routing and before the body is read, which is what
 * lets the service
 * - answer preflights without ever reaching a controller;
 * - refuse a disallowed origin before its body is read or parsed;
 * - write the CORS headers of an allowed origin before anything can fail, so 400, 404, 413, 415
 *   and 500 responses are readable by the front end, not just 200s.
 * The package decides; the answers are the service's own (envelope, request id, security headers,
 * one writeHead).
 */
@Injectable()
export class CorsRequestHandler {
  constructor(private readonly strict: StrictCorsHandler) {}

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
    const decision = this.strict.decide(req, path);
    if (decision.kind === 'refused') {
      writeEarlyAnswer(res, exchange, 403, decision.headers, REFUSALS[decision.code]);
      return true;
    }
    if (isPreflight(req)) {
      writeEarlyAnswer(res, exchange, 204, decision.headers);
      return true;
    }
    return decision;
  }
}

/** The 403 of each refusal, serialised once. */
const REFUSALS: Readonly<Record<RefusalCode, PreparedEnvelope>> = Object.fromEntries(
  REFUSAL_CODES.map((code) => [code, preparedEnvelope(403, refusalMessage(code))]),
) as Record<RefusalCode, PreparedEnvelope>;
