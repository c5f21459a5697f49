import type { IncomingMessage } from 'node:http';

/**
 * The path of a request target without query or fragment, the way Express's router sees it:
 * an absolute-form target (`http://host/path`, legal in HTTP/1.1) is reduced to its path, so it
 * neither leaks credentials into logs nor misses its route's CORS policy.
 */
export function pathOf(target: string): string {
  let path = target;
  if (!path.startsWith('/')) {
    const scheme = path.indexOf('://');
    if (scheme >= 0) {
      const slash = path.indexOf('/', scheme + 3);
      path = slash < 0 ? '/' : path.slice(slash);
    }
  }
  const end = path.search(/[?#]/);
  return end < 0 ? path : path.slice(0, end);
}

/** HTTP/1.1 requires exactly one Host header (RFC 9112 §3.2); HTTP/1.0 may omit it. */
export function lacksRequiredHost(req: IncomingMessage): boolean {
  return req.httpVersion !== '1.0' && req.headers.host === undefined;
}
