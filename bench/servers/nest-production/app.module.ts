import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { GreetController } from '../nest-enable-cors/greet.controller';
import { GreetService } from '../nest-enable-cors/greet.service';
import { HealthController } from '../nest-enable-cors/health.controller';
import { MetricsController } from './metrics.controller';
import { RequestDurationMiddleware } from './request-duration.middleware';

/**
 * The reference app's controllers and service, plus request logging (nestjs-pino with its default
 * pino-http settings: one JSON line per request on stdout) and a request-duration histogram.
 */
@Module({
  imports: [LoggerModule.forRoot()],
  controllers: [GreetController, HealthController, MetricsController],
  providers: [GreetService],
})
export class ProductionAppModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(RequestDurationMiddleware)
      .forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }
}
