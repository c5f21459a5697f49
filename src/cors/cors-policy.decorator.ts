import { Reflector } from '@nestjs/core';
import { CorsRoutePolicy } from './cors-policy.options';

/**
 * Overrides the environment's CORS policy for a controller or a single route; the route's
 * decorator beats the controller's, which beats the environment. Fields left out come from the
 * environment. Validated at startup like the CORS_* variables: a bad entry stops the process.
 * Preflights for the route honour it too.
 *
 * @example
 * // readable by any origin, without credentials
 * @CorsPolicy({ origins: '*' })
 * @Get('languages')
 * languages() {}
 *
 * @example
 * // only the admin front end, for every route of the controller
 * @CorsPolicy({ origins: ['https://admin.example.com'], credentials: true })
 * @Controller('admin')
 * export class AdminController {}
 */
export const CorsPolicy = Reflector.createDecorator<CorsRoutePolicy>();
