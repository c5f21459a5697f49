import { Inject, Injectable, Logger, OnModuleInit, RequestMethod } from '@nestjs/common';
import { ApplicationConfig, DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { CompiledCorsPolicy } from './compiled-policy';
import { CorsPolicy } from './cors-policy.decorator';
import { discoverRoutes } from './discover-routes';
import type { CorsPolicyOptions, StrictCorsMode, StrictCorsOptions } from './options';
import {
  ModuleSettings,
  resolveModuleOptions,
  resolveRoutePolicy,
  StrictCorsOptionsError,
} from './resolve-options';
import { RouteMap } from './route-map';
import { STRICT_CORS_OPTIONS } from './strict-cors.module-definition';

/** A policy and the declared route it belongs to (undefined: the module's policy). */
export interface RoutePolicy {
  readonly policy: CompiledCorsPolicy;
  readonly route: string | undefined;
}

/** One handler and its policy, as `routes()` lists them (for explain tools and docs). */
export interface CorsRouteInfo {
  /** `AdminController.stats`. */
  readonly site: string;
  readonly controller: string;
  readonly method: string;
  readonly paths: readonly string[];
  readonly policy: CompiledCorsPolicy;
  /** The decorators as written; both undefined: the module's policy. */
  readonly declared: {
    readonly route: CorsPolicyOptions | undefined;
    readonly controller: CorsPolicyOptions | undefined;
  };
}

/**
 * The policy of every route, resolved once at bootstrap from the `@CorsPolicy()` decorators:
 * each field from the route's decorator, else the controller's, else the module's options. Found
 * by path before routing (preflights, refusals: Nest has not picked a handler yet) and by handler
 * in the guard. A bad option or decorator stops bootstrap with every problem listed.
 */
@Injectable()
export class StrictCorsRoutes implements OnModuleInit {
  readonly defaultPolicy: CompiledCorsPolicy;
  readonly mode: StrictCorsMode;
  /** The module's settings with defaults filled in: what decorators inherit. */
  private readonly settings: ModuleSettings;
  private readonly moduleRoute: RoutePolicy;
  private readonly byHandler = new Map<object, RoutePolicy>();
  private readonly routeMap = new RouteMap<RoutePolicy>();
  private readonly listing: CorsRouteInfo[] = [];
  private readonly logger = new Logger('StrictCorsModule');

  constructor(
    @Inject(STRICT_CORS_OPTIONS) options: StrictCorsOptions,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly appConfig: ApplicationConfig,
  ) {
    const resolved = resolveModuleOptions(options);
    this.settings = resolved.settings;
    this.mode = resolved.mode;
    this.defaultPolicy = new CompiledCorsPolicy(resolved.policy);
    this.moduleRoute = { policy: this.defaultPolicy, route: undefined };
  }

  onModuleInit(): void {
    const problems: string[] = [];
    const served = servedPaths(this.appConfig);
    for (const found of discoverRoutes(this.discovery, this.scanner)) {
      const [onRoute, onController] = this.reflector.getAll(CorsPolicy, [
        found.handler,
        found.controller,
      ]);
      let policy = this.defaultPolicy;
      if (onRoute !== undefined || onController !== undefined) {
        const resolved = resolveRoutePolicy(
          onRoute,
          onController,
          this.settings,
          `@CorsPolicy on ${found.site}`,
        );
        problems.push(...resolved.problems);
        policy = new CompiledCorsPolicy(resolved.policy);
      }
      const paths = found.paths.map((path) => served(path, found.method));
      this.byHandler.set(found.handler, { policy, route: paths[0] });
      for (const path of paths) {
        if (!this.routeMap.add(found.method, path, { policy, route: path })) {
          this.logger.warn(
            `${found.site}: path "${path}" is not matched before routing (the module's policy answers its preflights; the guard applies the route's to its requests)`,
          );
        }
      }
      this.listing.push({
        site: found.site,
        controller: found.controller.name,
        method: found.method,
        paths,
        policy,
        declared: { route: onRoute, controller: onController },
      });
    }
    if (problems.length > 0) throw new StrictCorsOptionsError(problems);
  }

  /** Every handler with its policy. */
  routes(): readonly CorsRouteInfo[] {
    return this.listing;
  }

  /** The policy of the handler Nest picked. */
  forHandler(handler: object): RoutePolicy {
    return this.byHandler.get(handler) ?? this.moduleRoute;
  }

  /**
   * The policy for a request not yet routed, by method and path (undecoded, without the query);
   * unknown routes get the module's. Matches as Express routes: case-insensitive, one trailing
   * slash ignored, HEAD served by GET routes.
   */
  forRequest(method: string, path: string | undefined): RoutePolicy {
    if (path === undefined) return this.moduleRoute;
    return this.routeMap.find(method, path) ?? this.moduleRoute;
  }

  /**
   * The `Allow` header value when `path` is a known route that does not serve `method` (a 405),
   * else undefined: unknown paths are the router's 404, and routes for every method serve all.
   */
  allowHeaderFor(method: string, path: string): string | undefined {
    return this.routeMap.allowHeaderFor(method, path);
  }

  /**
   * The declared route a path belongs to, whatever the method (`/greet` for `OPTIONS /greet/`),
   * or undefined when no route matches: a bounded value, safe as a metric label.
   */
  templateFor(path: string): string | undefined {
    return this.routeMap.templateFor(path);
  }
}

/**
 * The paths Nest serves a route on: with the global prefix (`app.setGlobalPrefix()`, set before
 * `app.init()`), unless the route is excluded from it. URI versioning and RouterModule paths are
 * not added: such routes get the module's policy before routing, and the guard still applies
 * the route's own to their requests.
 */
function servedPaths(config: ApplicationConfig): (path: string, method: string) => string {
  const prefix = config.getGlobalPrefix().replace(/^\/+|\/+$/g, '');
  if (prefix === '') return (path) => path;
  const excluded = config.getGlobalPrefixOptions().exclude ?? [];
  return (path, method) => {
    const requestMethod = RequestMethod[method as keyof typeof RequestMethod];
    const isExcluded = excluded.some(
      (route) =>
        (route.requestMethod === RequestMethod.ALL || route.requestMethod === requestMethod) &&
        route.pathRegex.test(path),
    );
    if (isExcluded) return path;
    return path === '/' ? `/${prefix}` : `/${prefix}${path}`;
  };
}
