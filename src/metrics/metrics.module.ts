import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { CorsModule } from '../cors/cors.module';
import { HttpMetrics } from './http-metrics';
import { metricsConfig } from './metrics.config';
import { MetricsServer } from './metrics.server';

/**
 * Prometheus metrics. HttpMetrics records every response (configureApp() calls its track() before
 * routing, so preflights, 403s and 413s count too); MetricsServer serves them on their own port.
 */
@Module({
  imports: [ConfigModule.forFeature(metricsConfig), CorsModule],
  providers: [HttpMetrics, MetricsServer],
  exports: [HttpMetrics, MetricsServer],
})
export class MetricsModule {}
