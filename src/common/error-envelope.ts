import type { ServerResponse } from 'node:http';
import { exchangeOf } from './http/exchange';
import { messageSlot } from './http/message-slot';
import { answerAheadOfBody } from './http/request-body';

/** The one JSON shape of every error response. */
export interface ErrorEnvelope {
  readonly statusCode: number;
  readonly error: string;
}

/** The envelope as a class, so the OpenAPI document can describe it (src/docs). */
export class ErrorEnvelopeDto implements ErrorEnvelope {
  readonly statusCode!: number;
  readonly error!: string;
}

const errorReason = messageSlot<string, ServerResponse>('errorReason');

/**
 * Remembers the `error` a response carries, so its access line can say why it failed: on the
 * request's exchange when the pre-routing server tracks it (a field, where one more property on
 * the response cost ~0.1 KB per refusal), else on the response.
 */
export function recordErrorReason(res: ServerResponse, reason: string): void {
  const exchange = exchangeOf(res);
  if (exchange !== undefined) exchange.errorReason = reason;
  else errorReason.set(res, reason);
}

/** Read from where recordErrorReason put it: the exchange when there is one, never both. */
export function errorReasonOf(res: ServerResponse): string | undefined {
  const exchange = exchangeOf(res);
  return exchange !== undefined ? exchange.errorReason : errorReason.get(res);
}

/**
 * Writes the envelope on a bare node response, for answers given before Express and Nest run
 * (pre-routing); everything after goes through ErrorEnvelopeFilter.
 */
export function writeErrorEnvelope(res: ServerResponse, statusCode: number, error: string): void {
  const body = JSON.stringify({ statusCode, error } satisfies ErrorEnvelope);
  recordErrorReason(res, error);
  res.statusCode = statusCode;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  answerAheadOfBody(res, () => res.end(body));
}
