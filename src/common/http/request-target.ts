import type { IncomingMessage } from 'node:http';
import parseurl from 'parseurl';

/**
 * The request's path (no query, no fragment) exactly as Express's router reads it: with parseurl,
 * the router's own parser, which caches its result on the request, so the target is parsed once
 * for the CORS route lookup, the access log and the router alike. An absolute-form target
 * (`http://host/path`, legal in HTTP/1.1) is reduced to its path, so it neither leaks credentials
 * into logs nor gets another route's CORS policy. Undefined when the target has no usable path
 * (`h://x?/greet`, `http://[::1/x`, `*`), which the pre-routing handler refuses with a 400.
 */
export function requestPath(req: IncomingMessage): string | undefined {
  const target = req.url ?? '';
  // parseurl hands absolute-form targets to url.parse, which prints a deprecation warning quoting
  // an invalid URL to stderr: a raw, client-chosen line in the logs. Such targets are refused
  // before it sees them.
  if (!target.startsWith('/') && !URL.canParse(target)) return undefined;
  try {
    const path = parseurl(req)?.pathname;
    return typeof path === 'string' && path.startsWith('/') ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * HTTP/1.1 requires exactly one Host header (RFC 9112 §3.2); HTTP/1.0 may omit it. Node keeps
 * only the first of several, so the raw lines are counted.
 */
export function hasBadHost(req: IncomingMessage): boolean {
  if (req.headers.host === undefined) return req.httpVersion !== '1.0';
  let count = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === 4 && raw[i].toLowerCase() === 'host') count++;
  }
  return count > 1;
}
