import { Inject, Injectable, OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { match } from 'path-to-regexp';
import { corsConfig, CorsConfig } from './cors.config';
import { parseCorsSettings, SettingLabels } from './cors-options.parser';
import { CorsPolicy } from './cors-policy';
import { CorsPolicy as CorsPolicyDecorator } from './cors-policy.decorator';
import { CorsRoutePolicy } from './cors-policy.options';

interface DynamicRoute {
  readonly method: string;
  readonly matches: (path: string) => boolean;
  readonly policy: CorsPolicy;
}

/**
 * The policy of every route, resolved once at startup from the `@CorsPolicy()` decorators (route
 * beats controller beats env). The pre-routing middleware needs it to answer preflights and refuse
 * origins before the body is read, when Nest has not yet picked a handler; the guard uses the
 * same compiled policies for the handler it is about to run.
 */
@Injectable()
export class CorsRouteTable implements OnModuleInit {
  readonly defaultPolicy: CorsPolicy;
  private readonly routePolicies = new WeakMap<CorsRoutePolicy, CorsPolicy>();
  private readonly staticRoutes = new Map<string, CorsPolicy>();
  private readonly dynamicRoutes: DynamicRoute[] = [];

  constructor(
    @Inject(corsConfig.KEY) private readonly config: CorsConfig,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {
    this.defaultPolicy = new CorsPolicy(config.policy);
  }

  onModuleInit(): void {
    const problems: string[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as object;
        const methodPath: unknown = Reflect.getMetadata(PATH_METADATA, handler);
        if (methodPath === undefined) continue;
        const where = `@CorsPolicy on ${controller.name}.${name}`;
        const route = this.reflector.getAllAndOverride(CorsPolicyDecorator, [
          handler as () => void,
          controller,
        ]);
        const policy = this.compileRoutePolicy(route, where, problems);
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number];
        for (const path of joinPaths(Reflect.getMetadata(PATH_METADATA, controller), methodPath)) {
          this.addRoute(method, path, policy);
        }
      }
    }
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }

  /** The policy for a decorator value (`undefined`: the environment's). */
  forRoute(route: CorsRoutePolicy | undefined): CorsPolicy {
    return (route && this.routePolicies.get(route)) ?? this.defaultPolicy;
  }

  /** The policy for a request not yet routed; unknown routes get the environment's. */
  forRequest(method: string, url: string): CorsPolicy {
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const lookup = method === 'HEAD' ? ['HEAD', 'GET', 'ALL'] : [method, 'ALL'];
    const key = normalizePath(path);
    for (const candidate of lookup) {
      const policy = this.staticRoutes.get(`${candidate} ${key}`);
      if (policy) return policy;
    }
    for (const route of this.dynamicRoutes) {
      if (lookup.includes(route.method) && route.matches(path)) return route.policy;
    }
    return this.defaultPolicy;
  }

  private compileRoutePolicy(
    route: CorsRoutePolicy | undefined,
    where: string,
    problems: string[],
  ): CorsPolicy {
    if (route === undefined) return this.defaultPolicy;
    const known = this.routePolicies.get(route);
    if (known) return known;
    const env = this.config.policy;
    const parsed = parseCorsSettings(
      {
        origins: route.origins ?? env.allowlist,
        credentials: route.credentials ?? (route.origins === '*' ? false : env.credentials),
        methods: route.methods ?? env.methods,
        allowedHeaders: route.allowedHeaders ?? env.allowedHeaders,
        exposedHeaders: route.exposedHeaders ?? env.exposedHeaders,
        maxAge: route.maxAge ?? env.maxAge,
        allowInsecureOrigins: this.config.allowInsecureOrigins,
      },
      DECORATOR_LABELS,
    );
    problems.push(...parsed.problems.map((problem) => `${where}: ${problem}`));
    if (route.maxAge !== undefined && (!Number.isInteger(route.maxAge) || route.maxAge < 0)) {
      problems.push(`${where}: maxAge must be an integer >= 0, got ${route.maxAge}`);
    }
    const policy = new CorsPolicy(parsed.options);
    this.routePolicies.set(route, policy);
    return policy;
  }

  private addRoute(method: string, path: string, policy: CorsPolicy): void {
    if (/[:*{]/.test(path)) {
      const matcher = match(path, { sensitive: false, trailing: true, decode: false });
      this.dynamicRoutes.push({ method, policy, matches: (p) => matcher(p) !== false });
    } else {
      this.staticRoutes.set(`${method} ${normalizePath(path)}`, policy);
    }
  }
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
  allowInsecureOrigins: 'CORS_ALLOW_INSECURE_ORIGINS',
};
