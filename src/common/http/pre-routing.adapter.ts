import { Logger, NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { writeErrorEnvelope } from '../error-envelope';
import { ErrorMessages } from '../error-messages';

/** Returns true when it has answered the request itself. */
export type PreRoutingHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * An Express adapter whose HTTP server offers every request to a pre-routing handler before
 * Express sees it. Preflights and refused origins are answered there without Express's router,
 * body parser or Nest's pipeline — the cheapest possible place, which the benchmark showed
 * matters (see README "Performance") — and the headers every response needs (security, request
 * id, CORS) are written before anything else can fail.
 */
export class PreRoutingExpressAdapter extends ExpressAdapter {
  private readonly preRoutingLogger = new Logger(PreRoutingExpressAdapter.name);
  private preRouting: PreRoutingHandler = () => false;
  private closing = false;

  setPreRouting(handler: PreRoutingHandler): void {
    this.preRouting = handler;
  }

  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions) throw new Error('HTTPS is terminated in front of this service');
    const express = this.getInstance<(req: IncomingMessage, res: ServerResponse) => void>();
    this.setHttpServer(
      // The missing-Host refusal is the pre-routing handler's, so it gets the JSON envelope.
      http.createServer({ requireHostHeader: false }, (req, res) => {
        // While draining, ask keep-alive clients to reconnect elsewhere after this response.
        if (this.closing) res.setHeader('Connection', 'close');
        if (!this.runPreRouting(req, res)) express(req, res);
      }),
    );
  }

  /**
   * Stops accepting connections and waits for in-flight requests. Node closes idle keep-alive
   * connections only once, when close() starts; a connection whose request finishes later stays
   * open, so the drain would wait for its keep-alive timeout. Closing idle ones every 100 ms ends
   * the drain as soon as the last request is done.
   */
  override async close(): Promise<void> {
    this.closing = true;
    const server = this.getHttpServer() as http.Server;
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    try {
      await super.close();
    } finally {
      clearInterval(sweep);
    }
  }

  private runPreRouting(req: IncomingMessage, res: ServerResponse): boolean {
    try {
      return this.preRouting(req, res);
    } catch (error) {
      // A throw here would escape the server's request listener and crash the process.
      const stack = error instanceof Error ? error.stack : undefined;
      this.preRoutingLogger.error(`Pre-routing failed: ${String(error)}`, stack);
      if (res.headersSent) res.destroy();
      else writeErrorEnvelope(res, 500, ErrorMessages.internal);
      return true;
    }
  }
}
