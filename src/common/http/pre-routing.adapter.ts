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

  setPreRouting(handler: PreRoutingHandler): void {
    this.preRouting = handler;
  }

  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions) throw new Error('HTTPS is terminated in front of this service');
    const express = this.getInstance<(req: IncomingMessage, res: ServerResponse) => void>();
    this.setHttpServer(
      http.createServer((req, res) => {
        if (!this.runPreRouting(req, res)) express(req, res);
      }),
    );
  }

  private runPreRouting(req: IncomingMessage, res: ServerResponse): boolean {
    try {
      return this.preRouting(req, res);
    } catch (error) {
      // A throw here would escape the server's request listener and crash the process.
      this.preRoutingLogger.error(`Pre-routing failed: ${String(error)}`, (error as Error).stack);
      if (!res.headersSent) writeErrorEnvelope(res, 500, ErrorMessages.internal);
      return true;
    }
  }
}
