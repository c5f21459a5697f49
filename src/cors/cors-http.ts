import type { IncomingMessage } from 'node:http';
import type { CorsDecision, CorsDecisionEvent } from 'nest-strict-cors';
import { messageSlot } from '../common/http/message-slot';

const finalDecision = messageSlot<CorsDecisionEvent, IncomingMessage>('corsDecision');

/**
 * The request's final CORS decision, for the metrics counted and the access line written when it
 * is done (a refusal's line carries its reason). nest-strict-cors reports every decision
 * (onDecision): the one before routing, and the guard's when the handler's policy decides again.
 */
export function recordDecision(event: CorsDecisionEvent): void {
  finalDecision.set(event.request, event);
}

/** The request's CORS decision, or undefined when it was answered before CORS looked at it. */
export function decisionOf(req: IncomingMessage): CorsDecision | undefined {
  return finalDecision.get(req)?.decision;
}

/**
 * The declared route the request matched before routing (`/greet`), or undefined: no route serves
 * its method and path (the router's 404), or CORS never looked at it.
 */
export function routeOf(req: IncomingMessage): string | undefined {
  return finalDecision.get(req)?.route;
}
