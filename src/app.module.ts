import { DynamicModule, Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { ErrorEnvelopeFilter } from './common/filters/error-envelope.filter';
import { AppConfig, appConfig } from './config/app.config';
import { envFilePaths } from './config/env-files';
import { CorsModule } from './cors/cors.module';
import { unknownVariableWarnings, validateEnv } from './config/env.validation';
import { GreetModule } from './greet/greet.module';
import { HealthModule } from './health/health.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';

@Module({})
export class AppModule implements OnModuleInit {
  constructor(@Inject(appConfig.KEY) private readonly config: AppConfig) {}

  /** Production refuses to start with a misspelt variable; elsewhere it is a warning. */
  onModuleInit(): void {
    if (this.config.nodeEnv === 'production') return;
    const logger = new Logger('Config');
    for (const warning of unknownVariableWarnings(process.env)) logger.warn(warning);
  }

  /**
   * Built on demand rather than in the decorator: ConfigModule.forRoot reads and validates the
   * environment when it is called, so awaiting it here lets a bad value reject app creation (and
   * main.ts report it) instead of surfacing as an unhandled rejection at import time.
   */
  static async register(): Promise<DynamicModule> {
    const config = await ConfigModule.forRoot({
      isGlobal: true,
      cache: true,
      envFilePath: envFilePaths(process.env),
      validate: validateEnv,
      load: [appConfig],
    });
    return {
      module: AppModule,
      imports: [
        config,
        LoggingModule,
        CorsModule,
        RateLimitModule,
        MetricsModule,
        GreetModule,
        HealthModule,
      ],
      providers: [{ provide: APP_FILTER, useClass: ErrorEnvelopeFilter }],
    };
  }
}
