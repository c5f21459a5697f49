import { Reflector } from '@nestjs/core';
import type { CorsPolicyOptions } from './options';

/**
 * Overrides the module's CORS policy for a controller or a single route; the route's decorator
 * beats the controller's, which beats the module's options, field by field. Validated at
 * bootstrap like the module's options: a bad entry stops the application, naming the route.
 * Preflights for the route honour it too. `origins: '*'` without `credentials` answers `*`
 * without credentials, even in a module with credentials; `'*'` with `credentials: true` is
 * refused (browsers reject it).
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
export const CorsPolicy = Reflector.createDecorator<CorsPolicyOptions>();
