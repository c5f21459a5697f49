import { Inject, Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { discoverRoutes, RouteMap } from 'nest-strict-cors';
import { MAX_LIMIT, RateLimitConfig, rateLimitConfig, windowProblem } from './rate-limit.config';
import { RateLimit, RateLimitSetting } from './rate-limit.decorator';

/** One budget per client: the environment's, or one `@RateLimit()` declaration's. */
export interface RateLimitRule {
  /** What the budget is keyed under: `env`, `GreetController` or `GreetController.greet`. */
  readonly scope: string;
  readonly max: number;
  readonly windowMs: number;
  /** `max` as the X-RateLimit-Limit header's text. */
  readonly limitText: string;
}

/** No budget: the route is not counted (exempt, or limits off). Not null: RouteMap's lookups skip nullish values. */
const UNCOUNTED = 'uncounted';

/**
 * Which budget each route counts against, resolved once at startup from the `@RateLimit()`
 * decorators (route beats controller beats RATE_LIMIT_MAX), and found by method and path before
 * routing, like the CORS policies. Paths no route serves (404s) count against the environment's
 * budget: probing for paths is traffic too.
 */
@Injectable()
export class RateLimitRules {
  /** The environment's budget; undefined when RATE_LIMIT_MAX is 0. */
  readonly envRule: RateLimitRule | undefined;
  /** Every budget in use, the environment's included (the store builds a limiter for each). */
  readonly rules: readonly RateLimitRule[];
  private readonly routes = new RouteMap<RateLimitRule | typeof UNCOUNTED>();
  /** Whether any request is counted at all: when not, the pre-routing step is skipped. */
  readonly active: boolean;

  constructor(
    @Inject(rateLimitConfig.KEY) config: RateLimitConfig,
    discovery: DiscoveryService,
    scanner: MetadataScanner,
    reflector: Reflector,
  ) {
    this.envRule = config.max > 0 ? rule('env', config.max, config.windowMs) : undefined;
    const rules = new Map<string, RateLimitRule>();
    if (this.envRule !== undefined) rules.set('env', this.envRule);
    const problems: string[] = [];
    /** A budget's scope is a class name: two classes of one name would share one budget. */
    const scopeOwners = new Map<string, object>();
    for (const { controller, handler, site, method, paths } of discoverRoutes(discovery, scanner)) {
      const owner = scopeOwners.get(controller.name) ?? controller;
      scopeOwners.set(controller.name, owner);
      if (
        owner !== controller &&
        reflector.getAll(RateLimit, [handler, controller]).some(Boolean)
      ) {
        problems.push(
          `@RateLimit on ${site}: another controller is also named ${controller.name}; rate-limit budgets are named after controllers, rename one`,
        );
        continue;
      }
      const [onRoute, onController] = reflector.getAll(RateLimit, [handler, controller]);
      let found: RateLimitRule | typeof UNCOUNTED | undefined;
      if (onRoute !== undefined) found = compile(site, onRoute, config, problems);
      else if (onController !== undefined) {
        found = compile(controller.name, onController, config, problems);
      } else found = this.envRule ?? UNCOUNTED;
      if (found !== UNCOUNTED && found !== undefined) {
        // One limiter per scope, though several handlers share a controller's.
        found = rules.get(found.scope) ?? found;
        rules.set(found.scope, found);
      }
      for (const path of paths) this.routes.add(method, path, found ?? UNCOUNTED);
    }
    if (problems.length > 0) throw new Error(problems.join('\n'));
    this.rules = [...rules.values()];
    this.active = this.rules.length > 0;
  }

  /** The budget a request not yet routed counts against; undefined when it is not counted. */
  ruleFor(method: string, path: string): RateLimitRule | undefined {
    const found = this.routes.find(method, path);
    if (found === undefined) return this.envRule;
    return found === UNCOUNTED ? undefined : found;
  }
}

function rule(scope: string, max: number, windowMs: number): RateLimitRule {
  return { scope, max, windowMs, limitText: String(max) };
}

function compile(
  site: string,
  setting: RateLimitSetting,
  config: RateLimitConfig,
  problems: string[],
): RateLimitRule | typeof UNCOUNTED | undefined {
  if (setting === false) return UNCOUNTED;
  const at = `@RateLimit on ${site}`;
  if (typeof setting !== 'object' || setting === null) {
    problems.push(`${at}: expected { max, windowMs? } or false, got ${JSON.stringify(setting)}`);
    return undefined;
  }
  const { max, windowMs = config.windowMs } = setting;
  let valid = true;
  if (!Number.isSafeInteger(max) || max < 0 || max > MAX_LIMIT) {
    problems.push(`${at}: max must be an integer 0-${MAX_LIMIT}, got ${JSON.stringify(max)}`);
    valid = false;
  }
  const windowError = windowProblem(`${at}: windowMs`, windowMs);
  if (windowError !== undefined) {
    problems.push(windowError);
    valid = false;
  }
  if (!valid) return undefined;
  return max === 0 ? UNCOUNTED : rule(site, max, windowMs);
}
