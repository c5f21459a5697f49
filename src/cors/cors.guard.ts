import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { replaceCorsHeaders } from '../common/http/early-answer';
import { nodeRequest, nodeResponse } from '../common/http/node-http';
import { CorsForbiddenException } from './cors-forbidden.exception';
import { decidedWith, readCorsRequest, recordDecision } from './cors-http';
import { CorsRouteTable } from './cors-route-table';

/**
 * The last word before pipes and the handler: checks the origin against the policy of the handler
 * Nest actually picked (route beats controller beats env, field by field). CorsRequestHandler has
 * normally refused a bad origin before routing already; this guard makes "the handler never runs for a refused origin" hold even if
 * the pre-routing table and the router ever disagree about which route a URL is.
 */
@Injectable()
export class CorsGuard implements CanActivate {
  constructor(private readonly routes: CorsRouteTable) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const req = nodeRequest(http.getRequest<object>());
    const policy = this.routes.forHandler(context.getHandler());
    // Admitted before routing by this very policy: nothing left to check.
    if (decidedWith(req) === policy) return true;
    // Another policy decided before routing: its headers (a `*`, say) must not outlive it.
    const decision = policy.decide(readCorsRequest(req));
    recordDecision(req, decision);
    const res = nodeResponse(http.getResponse<object>());
    replaceCorsHeaders(res, decision.headers);
    if (decision.kind !== 'refused') return true;
    // The access line of this request says why (recordDecision above): one line per refusal.
    throw new CorsForbiddenException(decision.reason);
  }
}
