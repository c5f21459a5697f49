import { Inject, Injectable, OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { match } from 'path-to-regexp';
import { corsConfig, CorsConfig } from './cors.config';
import { parseCorsSettings, SettingLabels } from './cors-options.parser';
import { CorsPolicy } from './cors-policy';
import { CorsPolicy as CorsPolicyDecorator } from './cors-policy.decorator';
import { CorsRoutePolicy } from './cors-policy.options';
import {
  describeEnvPolicy,
  describeRoutePolicy,
  PolicyDescription,
} from './cors-policy.description';

interface DynamicRoute {
  readonly method: string;
  readonly template: string;
  readonly matches: (path: string) => boolean;
  readonly policy: CorsPolicy;
}

/**
 * The policy of every route, resolved once at startup from the `@CorsPolicy()` decorators: each
 * field comes from the route's decorator, else the controller's, else the environment. The
 * pre-routing handler needs it by path, to answer preflights and refuse origins before the body
 * is read, when Nest has not yet picked a handler; the guard needs it by handler.
 */
@Injectable()
export class CorsRouteTable implements OnModuleInit {
  readonly defaultPolicy: CorsPolicy;
  /** Where each policy's settings came from (for `cors:explain`). */
  private readonly descriptions = new Map<CorsPolicy, PolicyDescription>();
  private readonly byHandler = new Map<object, CorsPolicy>();
  /** Normalised path → route method → policy. */
  private readonly staticRoutes = new Map<string, Map<string, CorsPolicy>>();
  /** Normalised path → the route as declared, e.g. `/greet/languages`. */
  private readonly staticTemplates = new Map<string, string>();
  private readonly dynamicRoutes: DynamicRoute[] = [];

  constructor(
    @Inject(corsConfig.KEY) private readonly config: CorsConfig,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {
    this.defaultPolicy = new CorsPolicy(config.policy);
    this.descriptions.set(
      this.defaultPolicy,
      describeEnvPolicy(config.policy, config.origins, config.sources),
    );
  }

  /** Which policy this is and where each of its settings came from. */
  describe(policy: CorsPolicy): PolicyDescription {
    return (
      this.descriptions.get(policy) ??
      (this.descriptions.get(this.defaultPolicy) as PolicyDescription)
    );
  }

  onModuleInit(): void {
    const problems: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as () => void;
        const methodPath: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        if (methodPath === undefined) continue;
        const [onRoute, onController] = this.reflector.getAll(CorsPolicyDecorator, [
          handler,
          controller,
        ]);
        const sites = { route: `${controller.name}.${name}`, controller: controller.name };
        const policy = this.compile(onRoute, onController, sites, problems);
        this.byHandler.set(handler, policy);
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        for (const path of joinPaths(Reflect.getMetadata(PATH_METADATA, controller), methodPath)) {
          this.addRoute(method, path, policy);
        }
      }
    }
    if (problems.length > 0) throw new Error(problems.join('\n'));
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

  /** The policy of the handler Nest picked. */
  forHandler(handler: object): CorsPolicy {
    return this.byHandler.get(handler) ?? this.defaultPolicy;
  }

  /**
   * The policy for a request not yet routed, by its path (see requestPath); unknown routes get
   * the environment's.
   */
  forRequest(method: string, path: string): CorsPolicy {
    const byMethod = this.staticRoutes.get(normalizePath(path));
    const found =
      byMethod &&
      (byMethod.get(method) ??
        (method === 'HEAD' ? byMethod.get('GET') : undefined) ??
        byMethod.get('ALL'));
    if (found) return found;
    for (const route of this.dynamicRoutes) {
      if (servesMethod(route.method, method) && route.matches(path)) return route.policy;
    }
    return this.defaultPolicy;
  }

  private compile(
    onRoute: CorsRoutePolicy | undefined,
    onController: CorsRoutePolicy | undefined,
    sites: { route: string; controller: string },
    problems: string[],
  ): CorsPolicy {
    if (onRoute === undefined && onController === undefined) return this.defaultPolicy;
    const route = { ...onController, ...onRoute };
    const env = this.config;
    const origins = route.origins ?? env.origins;
    const parsed = parseCorsSettings(
      {
        // Inherited entries are parsed again: the route's credentials may change what is allowed.
        origins,
        credentials: route.credentials ?? (route.origins === '*' ? false : env.policy.credentials),
        methods: route.methods ?? env.policy.methods,
        allowedHeaders: route.allowedHeaders ?? env.policy.allowedHeaders,
        exposedHeaders: route.exposedHeaders ?? env.policy.exposedHeaders,
        maxAge: route.maxAge ?? env.policy.maxAge,
        allowInsecureOrigins: env.allowInsecureOrigins,
      },
      DECORATOR_LABELS,
    );
    problems.push(...parsed.problems.map((problem) => `@CorsPolicy on ${sites.route}: ${problem}`));
    const policy = new CorsPolicy(parsed.options);
    this.descriptions.set(
      policy,
      describeRoutePolicy(
        parsed.options,
        origins,
        onRoute,
        onController,
        sites,
        this.describe(this.defaultPolicy),
      ),
    );
    return policy;
  }

  private addRoute(method: string, path: string, policy: CorsPolicy): void {
    if (/[:*{]/.test(path)) {
      const matcher = match(path, { sensitive: false, trailing: true, decode: false });
      this.dynamicRoutes.push({
        method,
        template: path,
        policy,
        matches: (p) => matcher(p) !== false,
      });
    } else {
      const key = normalizePath(path);
      if (!this.staticTemplates.has(key)) this.staticTemplates.set(key, path);
      const byMethod = this.staticRoutes.get(key) ?? new Map<string, CorsPolicy>();
      this.staticRoutes.set(key, byMethod.set(method, policy));
    }
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

/** Express matches case-insensitively and ignores one trailing slash; so does the table. */
function normalizePath(path: string): string {
  const lower = path.toLowerCase();
  return lower.length > 1 && lower.endsWith('/') ? lower.slice(0, -1) : lower;
}

function joinPaths(controllerPaths: unknown, methodPaths: unknown): string[] {
  const list = (value: unknown): string[] =>
    (Array.isArray(value) ? value : [value ?? '']).map((p) => String(p).replace(/^\/+|\/+$/g, ''));
  return list(controllerPaths).flatMap((base) =>
    list(methodPaths).map((sub) => `/${[base, sub].filter((p) => p !== '').join('/')}`),
  );
}

const DECORATOR_LABELS: SettingLabels = {
  origins: 'origins',
  credentials: 'credentials',
  methods: 'methods',
  allowedHeaders: 'allowedHeaders',
  exposedHeaders: 'exposedHeaders',
  maxAge: 'maxAge',
  allowInsecureOrigins: 'CORS_ALLOW_INSECURE_ORIGINS',
};
