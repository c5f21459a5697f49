import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { discoverRoutes } from '../common/routing/discover-routes';
import { RouteMap } from '../common/routing/route-map';
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
  private readonly routes = new RouteMap<CorsPolicy>();

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
    for (const { controller, handler, site, method, paths } of discoverRoutes(
      this.discovery,
      this.scanner,
    )) {
      const [onRoute, onController] = this.reflector.getAll(CorsPolicyDecorator, [
        handler,
        controller,
      ]);
      const sites = { route: site, controller: controller.name };
      const policy = this.compile(onRoute, onController, sites, problems);
      this.byHandler.set(handler, policy);
      for (const path of paths) this.routes.add(method, path, policy);
    }
    if (problems.length > 0) throw new Error(problems.join('\n'));
  }

  /**
   * The `Allow` header value when `path` is a known route that does not serve `method` (a 405),
   * else undefined: unknown paths are the router's 404, and routes for every method serve all.
   */
  allowHeaderFor(method: string, path: string): string | undefined {
    return this.routes.allowHeaderFor(method, path);
  }

  /**
   * The declared route a path belongs to, whatever the method (`/greet` for `OPTIONS /greet/`),
   * or undefined when no route matches: a bounded value, safe as a metric label.
   */
  templateFor(path: string): string | undefined {
    return this.routes.templateFor(path);
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
    return this.routes.find(method, path) ?? this.defaultPolicy;
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
