import { match } from 'path-to-regexp';

interface DynamicRoute<T> {
  readonly method: string;
  readonly template: string;
  readonly matches: (path: string) => boolean;
  readonly value: T;
}

/**
 * Something known per route (a CORS policy, a rate limit), found by method and path before Nest
 * has routed the request, the way Express will route it: case-insensitive paths, one trailing
 * slash ignored, HEAD served by GET routes, ALL routes serving every method.
 */
export class RouteMap<T> {
  /** Normalised path → route method → value. */
  private readonly staticRoutes = new Map<string, Map<string, T>>();
  /** Normalised path → the route as declared, e.g. `/greet/languages`. */
  private readonly staticTemplates = new Map<string, string>();
  private readonly dynamicRoutes: DynamicRoute<T>[] = [];

  /**
   * Adds a route; false when its path is not one path-to-regexp 8 can match (a legacy `*` that
   * Nest converts itself, a Fastify regex parameter): such a route is not found before routing.
   */
  add(method: string, path: string, value: T): boolean {
    if (/[:*{(]/.test(path)) {
      let matcher: ReturnType<typeof match>;
      try {
        matcher = match(path, { sensitive: false, trailing: true, decode: false });
      } catch {
        return false;
      }
      this.dynamicRoutes.push({
        method,
        template: path,
        value,
        matches: (p) => matcher(p) !== false,
      });
    } else {
      const key = normalizePath(path);
      if (!this.staticTemplates.has(key)) this.staticTemplates.set(key, path);
      const byMethod = this.staticRoutes.get(key) ?? new Map<string, T>();
      this.staticRoutes.set(key, byMethod.set(method, value));
    }
    return true;
  }

  /** The value of the route that serves `method` on `path`; undefined when none does. */
  find(method: string, path: string): T | undefined {
    const byMethod = this.staticRoutes.get(normalizePath(path));
    if (byMethod !== undefined) {
      const found =
        byMethod.get(method) ??
        (method === 'HEAD' ? byMethod.get('GET') : undefined) ??
        byMethod.get('ALL');
      if (found !== undefined) return found;
    }
    for (const route of this.dynamicRoutes) {
      if (servesMethod(route.method, method) && route.matches(path)) return route.value;
    }
    return undefined;
  }

  /**
   * The `Allow` header value when `path` is a known route that does not serve `method` (a 405),
   * else undefined: unknown paths are the router's 404, and routes for every method serve all.
   */
  allowHeaderFor(method: string, path: string): string | undefined {
    const byMethod = this.staticRoutes.get(normalizePath(path));
    // The request path runs this for every request: the usual answers allocate nothing.
    if (byMethod !== undefined && servesFrom(byMethod, method)) return undefined;
    if (byMethod === undefined && this.dynamicRoutes.length === 0) return undefined;
    // Express tries every route that matches the path, static and dynamic alike.
    const methods = [
      ...(byMethod?.keys() ?? []),
      ...this.dynamicRoutes.filter((route) => route.matches(path)).map((route) => route.method),
    ];
    if (methods.length === 0 || methods.includes('ALL')) return undefined;
    if (methods.some((routeMethod) => servesMethod(routeMethod, method))) return undefined;
    if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
    return [...new Set(methods)].join(', ');
  }

  /**
   * The declared route a path belongs to, whatever the method (`/greet` for `OPTIONS /greet/`),
   * or undefined when no route matches: a bounded value, safe as a metric label.
   */
  templateFor(path: string): string | undefined {
    const found = this.staticTemplates.get(normalizePath(path));
    if (found !== undefined) return found;
    for (const route of this.dynamicRoutes) if (route.matches(path)) return route.template;
    return undefined;
  }
}

/** Express serves HEAD with GET routes, and ALL routes serve every method. */
function servesMethod(routeMethod: string, method: string): boolean {
  return (
    routeMethod === method || routeMethod === 'ALL' || (method === 'HEAD' && routeMethod === 'GET')
  );
}

function servesFrom(byMethod: ReadonlyMap<string, unknown>, method: string): boolean {
  return byMethod.has(method) || byMethod.has('ALL') || (method === 'HEAD' && byMethod.has('GET'));
}

/** Express matches case-insensitively and ignores one trailing slash; so does the map. */
function normalizePath(path: string): string {
  const lower = path.toLowerCase();
  return lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower;
}
