import type { IncomingMessage } from 'node:http';
import { messageSlot } from '../common/http/message-slot';
import { CorsDecision, CorsPolicy, CorsRequest, PreflightRequest } from './cors-policy';

/**
 * The only place the CORS layer touches the HTTP objects. It uses node:http's request and
 * response, which Express and Fastify both expose, so the module is not tied to Express.
 */

const admittedBy = messageSlot<CorsPolicy, IncomingMessage>('corsPolicy');

/** Remembers which policy already admitted the request before routing. */
export const markDecided = admittedBy.set;
export const decidedWith = admittedBy.get;

const finalDecision = messageSlot<CorsDecision, IncomingMessage>('corsDecision');

/**
 * Remembers the request's final CORS decision, for the metrics counted and the access line written
 * when it is done (a refusal's line carries its reason).
 */
export const recordDecision = finalDecision.set;
/** The request's CORS decision, or undefined when it was answered before CORS looked at it. */
export const decisionOf = finalDecision.get;

export function readCorsRequest(req: IncomingMessage): CorsRequest {
  return { origins: originLines(req), fetchSite: header(req, 'sec-fetch-site') };
}

/**
 * Node joins repeated Origin lines as "a, b"; a serialised origin never contains a comma, so
 * splitting recovers the lines without building headersDistinct for every request.
 */
function originLines(req: IncomingMessage): readonly string[] | undefined {
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  return origin.includes(',') ? origin.split(',') : [origin];
}

/** A preflight is OPTIONS with both Origin and Access-Control-Request-Method. */
export function isPreflight(req: IncomingMessage): boolean {
  return (
    req.method === 'OPTIONS' &&
    req.headers.origin !== undefined &&
    req.headers['access-control-request-method'] !== undefined
  );
}

/** The preflight's facts, or undefined when the request is not one (isPreflight). */
export function readPreflight(req: IncomingMessage): PreflightRequest | undefined {
  if (!isPreflight(req)) return undefined;
  const requestMethod = header(req, 'access-control-request-method') as string;
  return {
    ...readCorsRequest(req),
    requestMethod,
    requestHeaders: header(req, 'access-control-request-headers'),
  };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
