import { Logger } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageSlot } from '../common/http/message-slot';
import { answerAheadOfBody } from '../common/http/request-body';
import { requestPath } from '../common/http/request-target';
import { requestIdOf } from '../common/request-id';
import { shorten } from '../common/shorten';
import {
  CorsDecision,
  CorsPolicy,
  RefusalCode,
  CorsRequest,
  HeaderList,
  PreflightRequest,
  quote,
} from './cors-policy';

/**
 * The only place the CORS layer touches the HTTP objects. It uses node:http's request and
 * response, which Express and Fastify both expose, so the module is not tied to Express.
 */

const admittedBy = messageSlot<CorsPolicy, IncomingMessage>('corsPolicy');

/** Remembers which policy already admitted the request before routing. */
export const markDecided = admittedBy.set;
export const decidedWith = admittedBy.get;

const finalDecision = messageSlot<CorsDecision, IncomingMessage>('corsDecision');

/** Remembers the request's final CORS decision, for the metrics counted when it is done. */
export const recordDecision = finalDecision.set;
/** The request's CORS decision, or undefined when it was answered before CORS looked at it. */
export const decisionOf = finalDecision.get;

const logger = new Logger('Cors');

/**
 * One warn line per refusal, with the reason: the browser only says "CORS error", so this is what
 * an operator debugging a front end reads. The request id, the origin and the reason's fixed word
 * are fields too, so the line joins the access line and can be filtered. Hostile values are
 * quoted and shortened.
 */
export function logRefusal(
  req: IncomingMessage,
  res: ServerResponse,
  decision: { readonly code: RefusalCode; readonly reason: string },
): void {
  const origin = req.headers.origin;
  logger.warn({
    msg: `CORS refused ${req.method ?? '?'} ${quote(requestPath(req) ?? '?')}: ${decision.reason}`,
    reqId: requestIdOf(res),
    ...(origin === undefined ? {} : { origin: shorten(origin, 200) }),
    reason: decision.code,
  });
}

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

export function writeHeaders(res: ServerResponse, headers: HeaderList): void {
  for (const [name, value] of headers) res.setHeader(name, value);
}

/** Removes what an earlier step wrote, so a refusal carries no Access-Control-* header. */
export function clearCorsHeaders(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) {
    if (name.startsWith('access-control-')) res.removeHeader(name);
  }
}

/** No Content-Length: a 204 must not send one (RFC 9110 §8.6). */
export function endEmpty(res: ServerResponse, status: number): void {
  res.statusCode = status;
  answerAheadOfBody(res, () => res.end());
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
