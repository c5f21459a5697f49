import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeErrorEnvelope } from '../common/error-envelope';
import { ErrorMessages } from '../common/error-messages';
import { declaresBody } from '../common/http/request-body';
import { listenError } from '../common/startup-error';
import { HttpMetrics } from './http-metrics';
import { MetricsConfig, metricsConfig } from './metrics.config';

/**
 * `GET /metrics` on its own listener (METRICS_HOST:METRICS_PORT), apart from the public port:
 * metrics name routes, versions and traffic, which the internet need not see, and a scrape must
 * keep working while the public port drains. main.ts starts it before the public listener, so a
 * port clash stops the service at startup; it closes after the public port has drained.
 */
@Injectable()
export class MetricsServer implements OnApplicationShutdown {
  private readonly logger = new Logger(MetricsServer.name);
  private server?: http.Server;

  constructor(
    @Inject(metricsConfig.KEY) private readonly config: MetricsConfig,
    private readonly metrics: HttpMetrics,
  ) {}

  /** Listens when METRICS_ENABLED; resolves with the URL of /metrics, or undefined when off. */
  async start(): Promise<string | undefined> {
    if (!this.config.enabled) return undefined;
    const { host, port } = this.config;
    const server = http.createServer((req, res) => void this.answer(req, res));
    server.headersTimeout = 5_000;
    server.requestTimeout = 10_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          listenError(
            error,
            { name: 'METRICS_PORT', value: port },
            { name: 'METRICS_HOST', value: host },
            'set another METRICS_PORT, or METRICS_ENABLED=false',
          ),
        ),
      );
      server.listen(port, host, resolve);
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/metrics`;
    // Reported in main.ts's one startup line.
    this.logger.debug(`Metrics on ${url}`);
    return url;
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Nothing here reads a body: a client that sends one gets no second request.
    if (declaresBody(req)) res.setHeader('Connection', 'close');
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== '/metrics') return writeErrorEnvelope(res, 404, ErrorMessages.notFound);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return writeErrorEnvelope(res, 405, ErrorMessages.methodNotAllowed);
    }
    try {
      const body = await this.metrics.registry.metrics();
      res.writeHead(200, {
        'Content-Type': this.metrics.registry.contentType,
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      this.logger.error(`Collecting metrics failed: ${String(error)}`);
      writeErrorEnvelope(res, 500, ErrorMessages.internal);
    }
  }
}
