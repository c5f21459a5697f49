import {
  MiddlewareConsumer,
  Module,
  NestModule,
  OnApplicationBootstrap,
  RequestMethod,
} from '@nestjs/common';
import { APP_GUARD, DiscoveryModule, HttpAdapterHost } from '@nestjs/core';
import type { Server } from 'node:http';
import { installBeforeRouting } from './before-routing';
import { StrictCorsRoutes } from './cors-routes';
import { StrictCorsGuard } from './strict-cors.guard';
import { StrictCorsHandler } from './strict-cors.handler';
import { StrictCorsMiddleware } from './strict-cors.middleware';
import { StrictCorsModuleClass } from './strict-cors.module-definition';

/**
 * Strict CORS for a NestJS application, on Express or Fastify:
 * `StrictCorsModule.forRoot({ origins: ['https://app.example.com'] })`, or `forRootAsync()` with
 * a factory. Registers the guard globally, and (by `mode`) the middleware or the before-routing
 * listener. Use it instead of `app.enableCors()`, not with it.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    StrictCorsRoutes,
    StrictCorsHandler,
    StrictCorsGuard,
    { provide: APP_GUARD, useExisting: StrictCorsGuard },
  ],
  exports: [StrictCorsRoutes, StrictCorsHandler],
})
export class StrictCorsModule
  extends StrictCorsModuleClass
  implements NestModule, OnApplicationBootstrap
{
  constructor(
    private readonly routes: StrictCorsRoutes,
    private readonly handler: StrictCorsHandler,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    super();
  }

  configure(consumer: MiddlewareConsumer): void {
    if (this.routes.mode !== 'middleware') return;
    consumer.apply(StrictCorsMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }

  onApplicationBootstrap(): void {
    if (this.routes.mode !== 'before-routing') return;
    // An application context (no HTTP) has no adapter: nothing to install.
    const server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (server !== undefined) installBeforeRouting(server, this.handler);
  }
}
