import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { RateLimitStore } from '../rate-limit/rate-limit.store';
import { ShutdownState } from './shutdown.state';

/**
 * Ready unless shutting down, or, under RATE_LIMIT_ON_STORE_ERROR=closed, while the rate-limit
 * store is down: such a replica would answer every counted request 503, and a rollout with a
 * wrong REDIS_URL should stall on its new pods rather than replace working ones. Under `open` a
 * store outage costs only the limits, so the replica stays ready.
 */
@Injectable()
export class ReadinessIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
    private readonly rateLimitStore: RateLimitStore,
  ) {}

  check(): HealthIndicatorResult<'accepting'> {
    const indicator = this.indicators.check('accepting');
    if (this.shutdown.isShuttingDown) return indicator.down('shutting down');
    if (this.rateLimitStore.failClosed && !this.rateLimitStore.available) {
      return indicator.down(`rate-limit store unavailable (${this.rateLimitStore.storeName})`);
    }
    return indicator.up();
  }
}
