/**
 * The routes Swagger UI serves when DOCS_ENABLED=true (not Nest controllers, so not in the CORS
 * route table): the page and its assets under `/docs`, and the document as `/docs-json` and
 * `/docs-yaml`. Undefined for any other path.
 */
export function docsRouteOf(path: string): string | undefined {
  const lower = path.toLowerCase();
  if (lower === '/docs-json' || lower === '/docs-yaml') return lower;
  if (lower === '/docs' || lower.startsWith('/docs/')) return '/docs';
  return undefined;
}
