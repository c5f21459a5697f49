import { Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { corsConfig, CorsConfig } from './cors.config';
import { CorsGuard } from './cors.guard';
import { CorsRequestHandler } from './cors-request.handler';
import { CorsRouteTable } from './cors-route-table';

/**
 * The CORS layer. Its CorsRequestHandler must run before routing and the body parser, which Nest's
 * middleware cannot guarantee, so configureApp() puts it in the pre-routing handler; the guard is
 * global.
 */
@Module({
  imports: [DiscoveryModule, ConfigModule.forFeature(corsConfig)],
  providers: [
    CorsRouteTable,
    CorsRequestHandler,
    CorsGuard,
    { provide: APP_GUARD, useExisting: CorsGuard },
  ],
  exports: [CorsRequestHandler, CorsRouteTable],
})
export class CorsModule implements OnModuleInit {
  constructor(@Inject(corsConfig.KEY) private readonly config: CorsConfig) {}

  onModuleInit(): void {
    const logger = new Logger('Cors');
    for (const warning of this.config.warnings) logger.warn(warning);
  }
}
