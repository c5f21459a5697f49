import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { ShutdownState } from './shutdown.state';

/** Ready unless shutting down; the service has no dependencies whose health could fail it. */
@Injectable()
export class ReadinessIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
  ) {}

  check(): HealthIndicatorResult<'accepting'> {
    const indicator = this.indicators.check('accepting');
    return this.shutdown.isShuttingDown ? indicator.down('shutting down') : indicator.up();
  }
}
