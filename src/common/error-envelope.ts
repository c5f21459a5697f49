import type { ServerResponse } from 'node:http';
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

/** Remembers the `error` a response carries, so its access line can say why it failed. */
export const recordErrorReason = errorReason.set;
export const errorReasonOf = errorReason.get;

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
