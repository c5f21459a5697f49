import type { IncomingMessage } from 'node:http';
import type { CorsDecision, CorsDecisionEvent } from 'nest-strict-cors';
import { messageSlot } from '../common/http/message-slot';

const finalDecision = messageSlot<CorsDecision, IncomingMessage>('corsDecision');

/**
 * The request's final CORS decision, for the metrics counted and the access line written when it
 * is done (a refusal's line carries its reason). nest-strict-cors reports every decision
 * (onDecision): the one before routing, and the guard's when the handler's policy decides again.
 */
export function recordDecision(event: CorsDecisionEvent): void {
  finalDecision.set(event.request, event.decision);
}

/** The request's CORS decision, or undefined when it was answered before CORS looked at it. */
export const decisionOf = finalDecision.get;
