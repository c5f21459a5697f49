import type { IncomingMessage } from 'node:http';
import type {
  CompiledCorsPolicy,
  RefusalCode,
  StrictCorsHandler,
  StrictCorsRoutes,
} from 'nest-strict-cors';
import { requestPath } from '../common/http/request-target';
import { docsRouteOf } from '../docs/docs-routes';
import { PolicyDescription } from './cors-policy.description';

/** A request as `cors:explain` is asked about it. */
export interface ExplainQuery {
  /** Each value is one `Origin` line; none: the request has no Origin. */
  readonly origins: readonly string[];
  /** The request's method, or with `preflight` the method the preflight asks for. */
  readonly method: string;
  readonly path: string;
  readonly preflight: boolean;
  /** Request header names (a preflight's Access-Control-Request-Headers). */
  readonly headers: readonly string[];
}

export interface Explanation {
  readonly decision: 'allowed' | 'refused' | 'not-cors';
  /** In words, with the values involved. */
  readonly reason: string;
  /** The fixed word the metrics count it under (`cors_decisions_total{reason}`). */
  readonly reasonCode: RefusalCode | 'none';
  /** The status the service answers with, or null when the route's handler decides it. */
  readonly status: number | null;
  /** The declared route the path belongs to, or null when no route matches it. */
  readonly route: string | null;
  readonly policy: PolicyDescription;
  /** The CORS response headers, exactly as the service writes them. */
  readonly headers: Readonly<Record<string, string>>;
  /** What else a front-end developer would want to know. */
  readonly notes: readonly string[];
}

/** Headers a page may set without a preflight (whatever their value, for these three). */
const SAFELISTED_HEADERS = new Set(['accept', 'accept-language', 'content-language']);
const SIMPLE_METHODS = new Set(['GET', 'HEAD', 'POST']);

/**
 * What the service would answer, decided by the very code that answers real requests: the query
 * becomes a request as Node would parse it (Origin lines joined as Node joins them), which
 * nest-strict-cors's handler decides by the policy of the route it is for.
 */
export function explainCors(
  handler: StrictCorsHandler,
  routes: StrictCorsRoutes,
  describe: (policy: CompiledCorsPolicy) => PolicyDescription,
  query: ExplainQuery,
  options: { readonly docsEnabled: boolean },
): Explanation {
  const req = asRequest(query);
  const path = requestPath(req) ?? query.path;
  const decision = handler.decide(req, path);
  const description = describe(routes.forRequest(query.method, path).policy);
  const docsRoute = options.docsEnabled ? docsRouteOf(path) : undefined;
  const route = routes.templateFor(path) ?? docsRoute ?? null;
  const headers = Object.fromEntries(decision.headers);
  const notes: string[] = [];
  if (decision.kind === 'refused') {
    notes.push(...refusalNotes(query, decision.code, description));
    return {
      decision: 'refused',
      reason: decision.reason,
      reasonCode: decision.code,
      status: 403,
      route,
      policy: description,
      headers,
      notes,
    };
  }
  if (!query.preflight) notes.push(...preflightNotes(query));
  const status = query.preflight
    ? 204
    : docsRoute !== undefined && route === docsRoute
      ? docsStatus(query.method)
      : routeStatus(routes, query.method, path, route);
  if (status === 404) notes.push(`no route matches ${query.path}: the service answers 404`);
  if (status === 405) {
    const allow = routes.allowHeaderFor(query.method, path);
    notes.push(
      `${query.path} does not serve ${query.method}: the service answers 405 (Allow: ${allow})`,
    );
  }
  const reason =
    decision.kind === 'not-cors'
      ? 'no Origin header: not a cross-origin request (browsers send Origin on every one; curl does not)'
      : `origin ${JSON.stringify(query.origins[0])} is allowed (origins from ${description.settings.origins.source})`;
  return {
    decision: decision.kind,
    reason,
    reasonCode: 'none',
    status,
    route,
    policy: description,
    headers,
    notes,
  };
}

function asRequest(query: ExplainQuery): IncomingMessage {
  const headers: Record<string, string> = { host: 'localhost' };
  // Node joins repeated Origin lines with ", "; the HTTP layer splits them again.
  if (query.origins.length > 0) headers.origin = query.origins.join(', ');
  if (query.preflight) {
    headers['access-control-request-method'] = query.method;
    if (query.headers.length > 0) {
      headers['access-control-request-headers'] = query.headers.join(', ');
    }
  }
  return {
    method: query.preflight ? 'OPTIONS' : query.method,
    url: query.path,
    headers,
  } as unknown as IncomingMessage;
}

/** Swagger UI answers GET (and HEAD) only; Express gives anything else its 404. */
function docsStatus(method: string): number | null {
  return method === 'GET' || method === 'HEAD' ? null : 404;
}

function routeStatus(
  routes: StrictCorsRoutes,
  method: string,
  path: string,
  route: string | null,
): number | null {
  if (route === null) return 404;
  return routes.allowHeaderFor(method, path) === undefined ? null : 405;
}

function refusalNotes(query: ExplainQuery, code: RefusalCode, policy: PolicyDescription): string[] {
  const listOf = (name: 'methods' | 'allowedHeaders') => {
    const { value, source } = policy.settings[name];
    const list = (value as readonly string[]).join(', ') || '(none)';
    return `${name === 'methods' ? 'methods' : 'request headers'} a preflight may ask for (${source}): ${list}`;
  };
  if (code === 'method_not_allowed') return [listOf('methods')];
  if (code === 'header_not_allowed' || code === 'request_headers_too_long') {
    return [listOf('allowedHeaders')];
  }
  const { value, source } = policy.settings.origins;
  const listed = value === '*' ? '"*"' : (value as readonly string[]).join(', ');
  if (code === 'null_origin') {
    return ['"null" is never allowed: sandboxed iframes, file: pages and redirects all send it'];
  }
  if (code === 'multiple_origins') return ['a browser sends exactly one Origin line'];
  if (code !== 'origin_not_allowed') return [];
  const notes = [`allowed origins (${source}): ${listed}`];
  const [origin] = query.origins;
  const serialized = URL.canParse(origin) ? new URL(origin).origin : undefined;
  if (serialized !== undefined && serialized !== 'null' && serialized !== origin) {
    notes.push(
      `browsers send origins as scheme://host[:port] in lowercase, without a path or trailing slash: ${JSON.stringify(serialized)}, not ${JSON.stringify(origin)}`,
    );
  }
  notes.push('origins match exactly: scheme, host and port must all be as listed');
  return notes;
}

function preflightNotes(query: ExplainQuery): string[] {
  const unsafe = query.headers.filter((name) => !SAFELISTED_HEADERS.has(name.toLowerCase()));
  if (SIMPLE_METHODS.has(query.method) && unsafe.length === 0) return [];
  const why = [
    ...(SIMPLE_METHODS.has(query.method) ? [] : [`method ${query.method}`]),
    ...unsafe.map((name) => `header ${name}`),
  ].join(', ');
  return [
    `a browser sends a preflight first (${why}; Content-Type: application/json needs one too): explain it with --preflight`,
  ];
}
