import { Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { StrictCorsModule } from 'nest-strict-cors';
import { replaceCorsHeaders } from '../common/http/early-answer';
import { corsConfig, CorsConfig } from './cors.config';
import { recordDecision } from './cors-http';
import { CorsRequestHandler } from './cors-request.handler';

/**
 * The CORS layer: nest-strict-cors with the environment's policy, in `'manual'` mode. Its
 * decision must come before routing and the body parser, which Nest's middleware cannot
 * guarantee, so configureApp() asks CorsRequestHandler from the pre-routing handler; the
 * package's guard stays the last word per handler. Every decision is recorded for the access
 * line and the metrics; the guard replaces headers through the service's header writer.
 */
@Module({
  imports: [
    ConfigModule.forFeature(corsConfig),
    StrictCorsModule.forRootAsync({
      imports: [ConfigModule.forFeature(corsConfig)],
      inject: [corsConfig.KEY],
      useFactory: (config: CorsConfig) => ({
        ...config.options,
        mode: 'manual',
        onDecision: recordDecision,
        replaceHeaders: replaceCorsHeaders,
      }),
    }),
  ],
  providers: [CorsRequestHandler],
  exports: [CorsRequestHandler],
})
export class CorsModule implements OnModuleInit {
  constructor(@Inject(corsConfig.KEY) private readonly config: CorsConfig) {}

  onModuleInit(): void {
    const logger = new Logger('Cors');
    for (const warning of this.config.warnings) logger.warn(warning);
  }
}
