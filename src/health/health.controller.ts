import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { RateLimit } from '../rate-limit/rate-limit.decorator';
import { ReadinessIndicator } from './readiness.indicator';

/**
 * Left on, terminus's decorator would require @nestjs/swagger at import time, costing ~130 ms of
 * start-up even with the docs off; src/docs documents these routes instead.
 */
const NO_SWAGGER = { noCache: true, swaggerDocumentation: false };

/** Probes are never rate limited: a limited probe would take a healthy replica out. */
@RateLimit(false)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessIndicator,
  ) {}

  @Get('live')
  @HealthCheck(NO_SWAGGER)
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck(NO_SWAGGER)
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.readiness.check()]);
  }

  /** Kept for existing probes: the same as /health/ready. */
  @Get()
  @HealthCheck(NO_SWAGGER)
  check(): Promise<HealthCheckResult> {
    return this.ready();
  }
}
