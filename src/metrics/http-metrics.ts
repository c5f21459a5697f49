import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { APP_VERSION } from '../common/app-version';
import { wasAnsweredOnSocket } from '../common/http/client-error';
import { AppConfig, appConfig } from '../config/app.config';
import { docsRouteOf } from '../docs/docs-routes';
import { decisionOf, isPreflight } from '../cors/cors-http';
import { CorsRouteTable } from '../cors/cors-route-table';
import { MetricsConfig, metricsConfig } from './metrics.config';

/** The route label of a request no route matches: never its raw path (an attacker's choice). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * OpenTelemetry's http.request.method: the known methods as sent, anything else `_OTHER`, so a
 * client cannot mint label values.
 */
const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
]);

/** From 100 µs (a preflight answered before routing) to the 30 s request timeout. */
const DURATION_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
  30,
];

type DurationLabel =
  'http_request_method' | 'http_route' | 'http_response_status_code' | 'error_type';

/**
 * The service's Prometheus metrics, named after OpenTelemetry's HTTP semantic conventions. Every
 * label value comes from a fixed set (methods, declared routes, status codes, CORS refusal codes):
 * nothing the client sends becomes a label, so an attacker cannot grow the series count.
 */
@Injectable()
export class HttpMetrics {
  readonly registry = new Registry();
  /** With METRICS_ENABLED=false nothing is recorded and no collector runs. */
  readonly enabled: boolean;
  private readonly duration: Histogram<DurationLabel>;
  private readonly active: Gauge;
  private readonly corsDecisions: Counter<'kind' | 'outcome' | 'reason'>;
  private readonly parserErrors: Counter<'http_response_status_code'>;
  private readonly docsEnabled: boolean;

  constructor(
    private readonly routes: CorsRouteTable,
    @Inject(appConfig.KEY) config: AppConfig,
    @Inject(metricsConfig.KEY) { enabled }: MetricsConfig,
  ) {
    this.enabled = enabled;
    this.docsEnabled = config.docsEnabled;
    const registers = [this.registry];
    // Process and Node metrics (memory, CPU, event-loop lag, GC, heap), sampled at each scrape.
    if (enabled) collectDefaultMetrics({ register: this.registry });
    this.duration = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP server requests, from the request headers to the end of the response.',
      labelNames: ['http_request_method', 'http_route', 'http_response_status_code', 'error_type'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.active = new Gauge({
      name: 'http_server_active_requests',
      help: 'Number of HTTP requests in flight.',
      registers,
    });
    this.corsDecisions = new Counter({
      name: 'cors_decisions_total',
      help: 'CORS decisions by kind (actual, preflight), outcome (allowed, refused, not_cors) and reason.',
      labelNames: ['kind', 'outcome', 'reason'],
      registers,
    });
    this.parserErrors = new Counter({
      name: 'http_server_parser_errors_total',
      help: "Requests Node's HTTP parser refused before they reached the service (malformed, timed out, headers too large).",
      labelNames: ['http_response_status_code'],
      registers,
    });
    new Gauge({
      name: 'app_info',
      help: 'The running service; the value is always 1.',
      labelNames: ['version'],
      registers,
    }).set({ version: APP_VERSION }, 1);
  }

  /**
   * Counts the request as active until its connection is done with it, then records it. The route
   * is read now, before routing: middleware mounted at a path (Swagger UI's) rewrites `req.url`.
   */
  track(req: IncomingMessage, res: ServerResponse, path: string | undefined): void {
    const start = performance.now();
    const route = this.routeOf(path);
    this.active.inc();
    res.once('close', () => {
      this.active.dec();
      this.record(req, res, route, (performance.now() - start) / 1000);
    });
  }

  /**
   * An answer Node's parser provoked (a malformed request, headers too large, a headers timeout).
   * It is a response too, so it counts in the histogram, as `_OTHER` on `unmatched` with a zero
   * duration (there is no request object to time), and in its own counter.
   */
  parserError(status: number): void {
    this.parserErrors.inc({ http_response_status_code: status });
    this.duration.observe(
      {
        http_request_method: '_OTHER',
        http_route: UNMATCHED_ROUTE,
        http_response_status_code: status,
        ...(status >= 500 ? { error_type: String(status) } : {}),
      },
      0,
    );
  }

  private record(req: IncomingMessage, res: ServerResponse, route: string, seconds: number): void {
    const method =
      req.method !== undefined && KNOWN_METHODS.has(req.method) ? req.method : '_OTHER';
    // A response never completed (client gone, connection cut at shutdown) has no status code the
    // client saw; OpenTelemetry records it with error.type instead. The access log agrees. A 5xx
    // carries its status as error.type too, as the conventions say.
    if (res.writableFinished || wasAnsweredOnSocket(res)) {
      const status = res.statusCode;
      this.duration.observe(
        status >= 500
          ? {
              http_request_method: method,
              http_route: route,
              http_response_status_code: status,
              error_type: String(status),
            }
          : { http_request_method: method, http_route: route, http_response_status_code: status },
        seconds,
      );
    } else {
      this.duration.observe(
        { http_request_method: method, http_route: route, error_type: 'aborted' },
        seconds,
      );
    }
    const decision = decisionOf(req);
    if (decision === undefined) return;
    this.corsDecisions.inc({
      kind: isPreflight(req) ? 'preflight' : 'actual',
      outcome: decision.kind === 'not-cors' ? 'not_cors' : decision.kind,
      reason: decision.kind === 'refused' ? decision.code : 'none',
    });
  }

  private routeOf(path: string | undefined): string {
    if (path === undefined) return UNMATCHED_ROUTE;
    return (
      this.routes.templateFor(path) ??
      (this.docsEnabled ? docsRouteOf(path) : undefined) ??
      UNMATCHED_ROUTE
    );
  }
}
