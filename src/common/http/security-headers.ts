import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * API responses are JSON that no browser should render, frame or load as a document: a CSP that
 * allows nothing, and none of helmet's headers that only matter for HTML pages (each header costs
 * a little on every request).
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

const noop = () => undefined;

export function setSecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  const docs = req.url !== undefined && req.url.startsWith('/docs');
  (docs ? forDocs : forApi)(req, res, noop);
}
