import { Reflector } from '@nestjs/core';

/** What `@RateLimit()` accepts: a budget of its own, or `false` for a route never counted. */
export type RateLimitSetting =
  | false
  | {
      /** Requests per window per client; 0 turns counting off for the route. */
      readonly max: number;
      /** Defaults to RATE_LIMIT_WINDOW_MS. Whole seconds (Redis expires keys in seconds). */
      readonly windowMs?: number;
    };

/**
 * Sets another rate limit for a controller or a single route, or exempts it (`false`); the
 * route's decorator beats the controller's, which beats RATE_LIMIT_MAX. Each decorator is a budget
 * of its own per client, shared by the routes it covers; routes without one share the
 * environment's budget. Read before routing, like `@CorsPolicy()`; validated at startup.
 *
 * @example
 * @RateLimit({ max: 5, windowMs: 60_000 }) // 5 a minute per client, on this route only
 * @Post('login')
 * login() {}
 *
 * @example
 * @RateLimit(false) // probes are never counted
 * @Controller('health')
 * export class HealthController {}
 */
export const RateLimit = Reflector.createDecorator<RateLimitSetting>();
