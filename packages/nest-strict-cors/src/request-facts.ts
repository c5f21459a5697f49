import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CompiledCorsPolicy, CorsRequest, PreflightRequest } from './compiled-policy';

/**
 * The only place the package reads HTTP objects. It uses node:http's request and response, which
 * Express extends and Fastify wraps (`raw`), so nothing here depends on either.
 */

/** Fastify wraps node's request and response in `raw`; Express extends them. */
export function nodeRequest(req: object): IncomingMessage {
  return ('raw' in req ? req.raw : req) as IncomingMessage;
}

export function nodeResponse(res: object): ServerResponse {
  return ('raw' in res ? res.raw : res) as ServerResponse;
}

/**
 * The policy that admitted a request before routing, so the guard does not decide twice: a
 * symbol-keyed property, cheaper on the request path than a WeakMap and invisible to JSON.
 */
const ADMITTED_BY = Symbol('nest-strict-cors.admittedBy');
type Carrier = IncomingMessage & { [ADMITTED_BY]?: CompiledCorsPolicy };

export function markAdmitted(req: IncomingMessage, policy: CompiledCorsPolicy): void {
  (req as Carrier)[ADMITTED_BY] = policy;
}

export function admittedBy(req: IncomingMessage): CompiledCorsPolicy | undefined {
  return (req as Carrier)[ADMITTED_BY];
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

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The request's path as a router sees it: the target without its query, not decoded (decoding
 * `%2F` would let `/a%2Fb` pose as `/a/b`). An absolute-form target (`http://host/p`) gives its
 * path; anything else that does not start with `/` gives undefined (the module's policy applies).
 */
export function pathOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let target = url;
  if (!target.startsWith('/')) {
    const scheme = /^https?:\/\/[^/?#]*/i.exec(target);
    if (scheme === null) return undefined;
    target = target.slice(scheme[0].length) || '/';
  }
  const query = target.indexOf('?');
  return query < 0 ? target : target.slice(0, query);
}
