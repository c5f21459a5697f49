import { Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_GUARD, DiscoveryModule } from '@nestjs/core';
import { corsConfig, CorsConfig } from './cors.config';
import { CorsGuard } from './cors.guard';
import { CorsMiddleware } from './cors.middleware';
import { CorsRouteTable } from './cors-route-table';

/**
 * The CORS layer. Its CorsMiddleware must be mounted before the body parser, which Nest's module
 * middleware cannot guarantee, so configureApp() does it with `app.use()`; the guard is global.
 */
@Module({
  imports: [DiscoveryModule, ConfigModule.forFeature(corsConfig)],
  providers: [
    CorsRouteTable,
    CorsMiddleware,
    CorsGuard,
    { provide: APP_GUARD, useExisting: CorsGuard },
  ],
  exports: [CorsMiddleware, CorsRouteTable],
})
export class CorsModule implements OnModuleInit {
  constructor(@Inject(corsConfig.KEY) private readonly config: CorsConfig) {}

  onModuleInit(): void {
    const logger = new Logger('Cors');
    for (const warning of this.config.warnings) logger.warn(warning);
  }
}
