import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { DiscoveryModule } from '@nestjs/core';
import { rateLimitConfig } from './rate-limit.config';
import { RateLimitHandler } from './rate-limit.handler';
import { RateLimitRules } from './rate-limit-rules';
import { RateLimitStore } from './rate-limit.store';

/**
 * Per-client rate limits. Like the CORS decision, the count runs before routing and before the
 * body is read: configureApp() puts RateLimitHandler in the pre-routing handler.
 */
@Module({
  imports: [DiscoveryModule, ConfigModule.forFeature(rateLimitConfig)],
  providers: [RateLimitRules, RateLimitStore, RateLimitHandler],
  exports: [RateLimitRules, RateLimitStore, RateLimitHandler],
})
export class RateLimitModule {}
