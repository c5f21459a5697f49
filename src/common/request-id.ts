import type { IncomingMessage } from 'node:http';
import { randomUuid } from './uuid';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** What a caller's id may look like to be reused: short, and safe in logs and headers. */
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request's id: the caller's `X-Request-Id` when well-formed (so a front end or a proxy can
 * correlate), otherwise a new UUID. Every response echoes it.
 */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && WELL_FORMED.test(given) ? given : randomUuid();
}

export { requestIdOf } from './http/exchange';
