import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { replaceCorsHeaders } from './cors-headers';
import { CorsRefusedException } from './cors-refused.exception';
import { StrictCorsRoutes } from './cors-routes';
import { decisionReporter } from './decision-hook';
import type { HeaderList, StrictCorsOptions } from './options';
import { admittedBy, nodeRequest, nodeResponse, readCorsRequest } from './request-facts';
import { STRICT_CORS_OPTIONS } from './strict-cors.module-definition';

/**
 * The last word before pipes and the handler: checks the origin against the policy of the handler
 * Nest actually picked (route beats controller beats module, field by field), and puts that
 * policy's headers on the response, where any later answer (the handler's, a pipe's 400, a
 * filter's 500) keeps them. Before routing a request was decided by its path; when that policy is
 * the handler's, there is nothing left to do. Otherwise (the path lookup and the router disagreed,
 * or nothing decided before routing) the handler's policy decides again, and a refused request
 * never reaches its handler.
 */
@Injectable()
export class StrictCorsGuard implements CanActivate {
  private readonly replaceHeaders: (response: ServerResponse, headers: HeaderList) => void;
  private readonly onDecision: ReturnType<typeof decisionReporter>;

  constructor(
    private readonly routes: StrictCorsRoutes,
    @Inject(STRICT_CORS_OPTIONS) options: StrictCorsOptions,
  ) {
    this.replaceHeaders = options.replaceHeaders ?? replaceCorsHeaders;
    this.onDecision = decisionReporter(options);
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const req = nodeRequest(http.getRequest<object>());
    const { policy, route } = this.routes.forHandler(context.getHandler());
    if (admittedBy(req) === policy) return true;
    const decision = policy.decide(readCorsRequest(req));
    this.onDecision?.({
      request: req,
      stage: 'guard',
      preflight: false,
      origin: req.headers.origin,
      route,
      decision,
    });
    // Another policy's headers (a `*`, say) must not outlive it.
    this.replaceHeaders(nodeResponse(http.getResponse<object>()), decision.headers);
    if (decision.kind === 'refused') throw new CorsRefusedException(decision.code, decision.reason);
    return true;
  }
}
