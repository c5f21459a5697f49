import { Logger, NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { writeErrorEnvelope } from '../error-envelope';
import { ErrorMessages } from '../error-messages';
import { requestIdOf } from '../request-id';
import { closeIfBodyWillNotBeRead } from './request-body';

/** Responses whose connections the shutdown timeout cut (their access lines say so). */
const cutAtShutdown = new WeakSet<ServerResponse>();

export function wasCutAtShutdown(res: ServerResponse): boolean {
  return cutAtShutdown.has(res);
}

/** Returns true when it has answered the request itself. */
export type PreRoutingHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * An Express adapter whose HTTP server offers every request to a pre-routing handler before
 * Express sees it. Preflights and refused origins are answered there without Express's router,
 * body parser or Nest's pipeline — the cheapest possible place, which the benchmark showed
 * matters (see docs/performance.md) — and the headers every response needs (security, request
 * id, CORS) are written before anything else can fail.
 */
export class PreRoutingExpressAdapter extends ExpressAdapter {
  private readonly preRoutingLogger = new Logger(PreRoutingExpressAdapter.name);
  private preRouting: PreRoutingHandler = () => false;
  private closing = false;
  private readonly inFlight = new Set<ServerResponse>();

  /** Responses not yet done: at the shutdown timeout, the requests about to be cut. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** The shutdown timeout: marks the requests still in flight, closes every connection. */
  cutInFlight(): number {
    for (const res of this.inFlight) cutAtShutdown.add(res);
    (this.getHttpServer() as http.Server).closeAllConnections();
    return this.inFlight.size;
  }

  setPreRouting(handler: PreRoutingHandler): void {
    this.preRouting = handler;
  }

  override initHttpServer(options: NestApplicationOptions): void {
    if (options.httpsOptions) throw new Error('HTTPS is terminated in front of this service');
    const express = this.getInstance<(req: IncomingMessage, res: ServerResponse) => void>();
    // The missing-Host refusal is the pre-routing handler's, so it gets the JSON envelope.
    const server = http.createServer({ requireHostHeader: false }, (req, res) => {
      this.track(req, res);
      if (!this.runPreRouting(req, res)) express(req, res);
    });
    // `Expect: 100-continue` invites the body. Node would send the 100 before any handler runs;
    // here CORS, the 405 and the body limit decide first, and only a request they let through
    // is told to continue.
    server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      this.track(req, res);
      if (this.runPreRouting(req, res)) return;
      res.writeContinue();
      express(req, res);
    });
    // Any other expectation: Node's bare 417 becomes the envelope, after the same checks.
    server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
      this.track(req, res);
      if (this.runPreRouting(req, res)) return;
      res.setHeader('Connection', 'close');
      writeErrorEnvelope(res, 417, ErrorMessages.expectationFailed);
    });
    this.setHttpServer(server);
  }

  /**
   * Stops accepting connections and waits for in-flight requests. Responses still to be written,
   * including those of requests that arrived before the signal, say `Connection: close`, so
   * keep-alive clients reconnect elsewhere. Node closes idle keep-alive connections only once,
   * when close() starts; a connection whose request finishes later stays open, so the drain would
   * wait for its keep-alive timeout. Closing idle ones every 100 ms ends the drain as soon as the
   * last request is done.
   */
  override async close(): Promise<void> {
    this.closing = true;
    for (const res of this.inFlight) {
      if (!res.headersSent) res.setHeader('Connection', 'close');
    }
    const server = this.getHttpServer() as http.Server;
    const sweep = setInterval(() => server.closeIdleConnections(), 100);
    try {
      await super.close();
    } finally {
      clearInterval(sweep);
    }
  }

  /**
   * Remembers the response until it is done, so a drain can still mark it `Connection: close`,
   * and closes the connection of any response to a body the service will not read.
   */
  private track(req: IncomingMessage, res: ServerResponse): void {
    closeIfBodyWillNotBeRead(req, res);
    // Tracked even while closing: a late request counts among those a shutdown timeout cuts.
    if (this.closing) res.setHeader('Connection', 'close');
    this.inFlight.add(res);
    res.once('close', () => this.inFlight.delete(res));
  }

  private runPreRouting(req: IncomingMessage, res: ServerResponse): boolean {
    try {
      return this.preRouting(req, res);
    } catch (error) {
      // A throw here would escape the server's request listener and crash the process.
      this.preRoutingLogger.error({
        msg: `Pre-routing failed: ${String(error)}`,
        reqId: requestIdOf(res),
        err: error instanceof Error ? error : new Error(String(error)),
      });
      if (res.headersSent) res.destroy();
      else writeErrorEnvelope(res, 500, ErrorMessages.internal);
      return true;
    }
  }
}
