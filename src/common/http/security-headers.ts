import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

type HeaderPairs = ReadonlyArray<readonly [string, string]>;

/**
 * API responses are JSON that no browser should render, frame or load as a document: a CSP that
 * allows nothing, and none of helmet's headers that only matter for HTML pages.
 */
const forApi = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  },
  xFrameOptions: { action: 'deny' },
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
});

/** The Swagger UI page is HTML with its own scripts and styles: helmet's defaults fit it. */
const forDocs = helmet();

/**
 * helmet's headers do not depend on the request, so they are computed once by running helmet
 * against a recording response, then written with one loop per request: helmet's chain of a dozen
 * middleware calls was measurable on the hot path.
 */
function recordHeaders(middleware: typeof forApi): HeaderPairs {
  const headers: Array<readonly [string, string]> = [];
  const recorder = {
    setHeader: (name: string, value: string | number) => headers.push([name, String(value)]),
    removeHeader: () => undefined,
  };
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, () => undefined);
  return headers;
}

/** The headers of every API response, also written on answers Node's HTTP parser provokes. */
export const API_HEADERS = recordHeaders(forApi);
const DOCS_HEADERS = recordHeaders(forDocs);

/** The same headers as `[name, value, name, value, …]`, the form writeHead takes whole. */
const API_LINES: readonly string[] = API_HEADERS.flat();
const DOCS_LINES: readonly string[] = DOCS_HEADERS.flat();

export function isDocsPath(path: string | undefined): boolean {
  return path !== undefined && path.startsWith('/docs');
}

/** The security headers of a response to `path` (requestPath), flat. */
export function securityLinesFor(path: string | undefined): readonly string[] {
  return isDocsPath(path) ? DOCS_LINES : API_LINES;
}

export function setSecurityHeaders(res: ServerResponse, path: string | undefined): void {
  const headers = isDocsPath(path) ? DOCS_HEADERS : API_HEADERS;
  for (const [name, value] of headers) res.setHeader(name, value);
}
