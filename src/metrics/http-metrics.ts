import { Inject, Injectable } from '@nestjs/common';
import { isPreflight, StrictCorsRoutes } from 'nest-strict-cors';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { APP_VERSION } from '../common/app-version';
import { wasAnsweredOnSocket } from '../common/http/client-error';
import type { Exchange } from '../common/http/exchange';
import { AppConfig, appConfig } from '../config/app.config';
import { docsRouteOf } from '../docs/docs-routes';
import { decisionOf } from '../cors/cors-http';
import { BoundCounter, BoundHistogram, CounterSeries, HistogramSeries } from './bound-metrics';
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

/** The status of a response never completed, as a cache key (it has no status label). */
const ABORTED = 0;

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
  private readonly duration: BoundHistogram;
  /**
   * Requests in flight, read at each scrape (nothing counted per request): the pre-routing
   * server's list, which holds every request from its headers until its connection is done with
   * it, whether or not it got as far as pre-routing.
   */
  private activeCount: () => number = () => 0;
  private readonly corsDecisions: BoundCounter;
  private readonly parserErrors: Counter<'http_response_status_code'>;
  private readonly rateLimitRejections: BoundCounter;
  /** route → the bound rejection series (routes are a fixed set). */
  private readonly rejectionSeries = new Map<string, CounterSeries>();
  private readonly rateLimitStoreErrors: Counter;
  private readonly docsEnabled: boolean;
  /** method → route → status (ABORTED for none) → the bound histogram child. */
  private readonly durationSeries = new Map<string, Map<string, Map<number, HistogramSeries>>>();
  /** kind → outcome → reason → the bound counter series. */
  private readonly decisionSeries = new Map<string, Map<string, Map<string, CounterSeries>>>();

  constructor(
    private readonly routes: StrictCorsRoutes,
    @Inject(appConfig.KEY) config: AppConfig,
    @Inject(metricsConfig.KEY) { enabled }: MetricsConfig,
  ) {
    this.enabled = enabled;
    this.docsEnabled = config.docsEnabled;
    const registers = [this.registry];
    // Process and Node metrics (memory, CPU, event-loop lag, GC, heap), sampled at each scrape.
    if (enabled) collectDefaultMetrics({ register: this.registry });
    this.duration = new BoundHistogram(
      'http_server_request_duration_seconds',
      'Duration of HTTP server requests, from the request headers to the end of the response.',
      DURATION_BUCKETS,
      registers,
    );
    const activeCount = () => this.activeCount();
    new Gauge({
      name: 'http_server_active_requests',
      help: 'Number of HTTP requests in flight.',
      registers,
      collect() {
        this.set(activeCount());
      },
    });
    this.corsDecisions = new BoundCounter(
      'cors_decisions_total',
      'CORS decisions by kind (actual, preflight), outcome (allowed, refused, not_cors) and reason.',
      registers,
    );
    this.parserErrors = new Counter({
      name: 'http_server_parser_errors_total',
      help: "Requests Node's HTTP parser refused before they reached the service (malformed, timed out, headers too large).",
      labelNames: ['http_response_status_code'],
      registers,
    });
    this.rateLimitRejections = new BoundCounter(
      'rate_limit_rejections_total',
      'Requests answered 429 because the client had spent its budget, by route.',
      registers,
    );
    this.rateLimitStoreErrors = new Counter({
      name: 'rate_limit_store_errors_total',
      help: 'Counted requests the rate-limit store could not count (down, timed out); each was served unlimited or answered 503 as RATE_LIMIT_ON_STORE_ERROR says.',
      registers,
    });
    new Gauge({
      name: 'app_info',
      help: 'The running service; the value is always 1.',
      labelNames: ['version'],
      registers,
    }).set({ version: APP_VERSION }, 1);
  }

  /** Where the gauge of requests in flight reads its value. */
  countActiveWith(count: () => number): void {
    this.activeCount = count;
  }

  /**
   * An answer Node's parser provoked (a malformed request, headers too large, a headers timeout).
   * It is a response too, so it counts in the histogram, as `_OTHER` on `unmatched` with a zero
   * duration (there is no request object to time), and in its own counter.
   */
  parserError(status: number): void {
    this.parserErrors.inc({ http_response_status_code: status });
    this.durationOf('_OTHER', UNMATCHED_ROUTE, status).observe(0);
  }

  /** A request refused with 429 (its route as the duration histogram labels it). */
  rateLimited(path: string | undefined): void {
    const route = this.routeOf(path);
    let series = this.rejectionSeries.get(route);
    if (series === undefined) {
      series = this.rateLimitRejections.series({ http_route: route });
      this.rejectionSeries.set(route, series);
    }
    series.inc();
  }

  /** A request the rate-limit store failed to count. */
  rateLimitStoreError(): void {
    this.rateLimitStoreErrors.inc();
  }

  /**
   * Records a response when its connection is done with it. The route comes from the path read
   * before routing (the exchange's): middleware mounted at a path (Swagger UI's) rewrites
   * `req.url`.
   */
  record(req: IncomingMessage, res: ServerResponse, exchange: Exchange): void {
    const seconds = (performance.now() - exchange.start) / 1000;
    const method =
      req.method !== undefined && KNOWN_METHODS.has(req.method) ? req.method : '_OTHER';
    const route = this.routeOf(exchange.path);
    // A response never completed (client gone, connection cut at shutdown) has no status code the
    // client saw; OpenTelemetry records it with error.type instead. The access log agrees. A 5xx
    // carries its status as error.type too, as the conventions say.
    const status = res.writableFinished || wasAnsweredOnSocket(res) ? res.statusCode : ABORTED;
    this.durationOf(method, route, status).observe(seconds);
    const decision = decisionOf(req);
    if (decision === undefined) return;
    this.decisionsOf(
      isPreflight(req) ? 'preflight' : 'actual',
      decision.kind === 'not-cors' ? 'not_cors' : decision.kind,
      decision.kind === 'refused' ? decision.code : 'none',
    ).inc();
  }

  /**
   * The duration series of one label set, bound on first use and then reused. Every key comes
   * from a fixed set (methods, routes, status codes), so the cache is bounded like the series.
   */
  private durationOf(method: string, route: string, status: number): HistogramSeries {
    return boundIn(this.durationSeries, method, route, status, this.bindDuration);
  }

  /** Created once (no closure per request); called only for a label set not yet bound. */
  private readonly bindDuration = (method: string, route: string, status: number) => {
    const labels: Partial<Record<DurationLabel, string | number>> = {
      http_request_method: method,
      http_route: route,
    };
    if (status === ABORTED) labels.error_type = 'aborted';
    else {
      labels.http_response_status_code = status;
      if (status >= 500) labels.error_type = String(status);
    }
    return this.duration.series(labels);
  };

  private decisionsOf(kind: string, outcome: string, reason: string): CounterSeries {
    return boundIn(this.decisionSeries, kind, outcome, reason, this.bindDecision);
  }

  private readonly bindDecision = (kind: string, outcome: string, reason: string) =>
    this.corsDecisions.series({ kind, outcome, reason });

  private routeOf(path: string | undefined): string {
    if (path === undefined) return UNMATCHED_ROUTE;
    return (
      this.routes.templateFor(path) ??
      (this.docsEnabled ? docsRouteOf(path) : undefined) ??
      UNMATCHED_ROUTE
    );
  }
}

/** The value under three keys, made by `bind` the first time: no key string per call. */
function boundIn<A, B, C, V>(
  root: Map<A, Map<B, Map<C, V>>>,
  a: A,
  b: B,
  c: C,
  bind: (a: A, b: B, c: C) => V,
): V {
  let byB = root.get(a);
  if (byB === undefined) root.set(a, (byB = new Map<B, Map<C, V>>()));
  let byC = byB.get(b);
  if (byC === undefined) byB.set(b, (byC = new Map<C, V>()));
  let value = byC.get(c);
  if (value === undefined) byC.set(c, (value = bind(a, b, c)));
  return value;
}
