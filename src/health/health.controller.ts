import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { ErrorEnvelopeDto } from '../common/error-envelope';
import { ReadinessIndicator } from './readiness.indicator';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessIndicator,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ summary: 'Readiness: 503 as soon as shutdown starts' })
  @ApiServiceUnavailableResponse({ type: ErrorEnvelopeDto, description: 'Shutting down' })
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.readiness.check()]);
  }

  /** Kept for existing probes: the same as /health/ready. */
  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Alias of /health/ready' })
  @ApiServiceUnavailableResponse({ type: ErrorEnvelopeDto, description: 'Shutting down' })
  check(): Promise<HealthCheckResult> {
    return this.ready();
  }
}
