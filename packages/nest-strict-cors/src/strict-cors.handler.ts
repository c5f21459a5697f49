import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsDecision } from './compiled-policy';
import { setCorsHeaders } from './cors-headers';
import { StrictCorsRoutes } from './cors-routes';
import { decisionReporter } from './decision-hook';
import { refusalMessage } from './messages';
import type { DecisionStage, StrictCorsOptions } from './options';
import { isPreflight, markAdmitted, pathOf, readCorsRequest, readPreflight } from './request-facts';
import { STRICT_CORS_OPTIONS } from './strict-cors.module-definition';

/**
 * The CORS decision before Nest has picked a handler, by the policy of the route the path
 * belongs to (a preflight: the route of the method it asks about). The middleware and the
 * before-routing listener call handle(); an application with request handling of its own
 * (mode `'manual'`) calls decide() and writes the answer itself.
 */
@Injectable()
export class StrictCorsHandler {
  private readonly onDecision: ReturnType<typeof decisionReporter>;

  constructor(
    private readonly routes: StrictCorsRoutes,
    @Inject(STRICT_CORS_OPTIONS) options: StrictCorsOptions,
  ) {
    this.onDecision = decisionReporter(options);
  }

  /**
   * Decides, and remembers an admitted actual request's policy (the guard then has nothing left
   * to check). The caller answers a refusal with a 403 and an allowed preflight (isPreflight)
   * with a 204, each with `decision.headers`, and puts those headers on any other answer.
   * `path` is the request's path without the query, undecoded.
   */
  decide(
    req: IncomingMessage,
    path: string | undefined,
    stage: DecisionStage = 'manual',
  ): CorsDecision {
    const preflight = readPreflight(req);
    const method = preflight?.requestMethod ?? req.method ?? 'GET';
    const { policy, route } = this.routes.forRequest(method, path);
    const decision = preflight
      ? policy.decidePreflight(preflight)
      : policy.decide(readCorsRequest(req));
    if (preflight === undefined && decision.kind !== 'refused') markAdmitted(req, policy);
    this.onDecision?.({
      request: req,
      stage,
      preflight: preflight !== undefined,
      origin: req.headers.origin,
      route,
      decision,
    });
    return decision;
  }

  /**
   * Decides and answers a preflight (204) or a refusal (403 JSON) whole; returns true when it
   * answered. Otherwise the decision's headers are set on `res` and the request goes on.
   */
  handle(req: IncomingMessage, res: ServerResponse, stage: DecisionStage): boolean {
    const url = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url;
    const decision = this.decide(req, pathOf(url), stage);
    setCorsHeaders(res, decision.headers);
    if (decision.kind === 'refused') {
      const body = JSON.stringify({
        statusCode: 403,
        message: refusalMessage(decision.code),
        error: 'Forbidden',
      });
      res.writeHead(403, [
        'Content-Type',
        'application/json; charset=utf-8',
        'Content-Length',
        String(Buffer.byteLength(body)),
      ]);
      res.end(body);
      return true;
    }
    if (isPreflight(req)) {
      // No Content-Length on a 204 (RFC 9110 §8.6): Node sends none for an empty end().
      res.writeHead(204);
      res.end();
      return true;
    }
    return false;
  }
}
