import { Logger } from '@nestjs/common';
import http, { IncomingMessage, ServerResponse } from 'node:http';
import { writeErrorEnvelope } from '../error-envelope';
import { ErrorMessages } from '../error-messages';
import { requestIdFor } from '../request-id';
import { wasAnsweredOnSocket } from './client-error';
import { preparedEnvelope, writeEarlyAnswer } from './early-answer';
import { attachExchange, Exchange, exchangeOf } from './exchange';
import { InFlightList } from './in-flight-list';
import { PipelineLimit } from './pipeline-limit';
import { declaresNonJsonBody } from './request-body';
import { requestPath } from './request-target';
import { TurnBatch } from './turn-batch';

/** Responses whose connections the shutdown timeout cut (their access lines say so). */
const cutAtShutdown = new WeakSet<ServerResponse>();

export function wasCutAtShutdown(res: ServerResponse): boolean {
  return cutAtShutdown.has(res);
}

/**
 * Returns true when it has answered the request itself, false to hand it on; a promise of either
 * when it must wait (a rate-limit count in Redis). While it waits, the body stays unread in the
 * socket: the platform reads it once the request is handed on.
 */
export type PreRoutingHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  exchange: Exchange,
) => boolean | Promise<boolean>;

/** Called once per response, when its connection is done with it (finished, aborted or cut). */
export type ExchangeDoneHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  exchange: Exchange,
) => void;

const INTERNAL_ERROR = preparedEnvelope(500, ErrorMessages.internal);

/** Hands a request the pre-routing handler let through to the platform (Express, Fastify). */
export type PlatformHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The node HTTP server both platforms run on: every request is offered to a pre-routing handler
 * before the platform sees it. Preflights and refused origins are answered there without a router,
 * body parser or Nest's pipeline — the cheapest possible place, which the benchmark showed
 * matters (see docs/performance.md) — and the headers every response needs (security, request
 * id, CORS) are written before anything else can fail.
 */
export class PreRoutingServer {
  private readonly logger = new Logger('PreRouting');
  private preRouting: PreRoutingHandler = () => false;
  private invitesBody: (req: IncomingMessage) => boolean = () => true;
  private done: ExchangeDoneHandler = () => undefined;
  private closing = false;
  private readonly inFlight = new InFlightList<Exchange>();
  private readonly pipeline = new PipelineLimit<Exchange>();
  private server?: http.Server;
  /**
   * The one 'close' listener of every response, created once: it runs with the response as
   * `this`, so no closure is built per request.
   */
  private readonly onResponseClose: (this: ServerResponse) => void;

  constructor() {
    const inFlight = this.inFlight;
    const pipeline = this.pipeline;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.onResponseClose = function (this: ServerResponse) {
      const exchange = exchangeOf(this);
      if (exchange === undefined) return;
      inFlight.remove(exchange);
      exchange.response = undefined;
      pipeline.done(this.req.socket, exchange);
      try {
        self.done(this.req, this, exchange);
      } catch (error) {
        // A throw here (writing the access line, recording metrics) would escape the response's
        // 'close' event and end the process.
        self.logger.error({
          msg: `Finishing a response failed: ${String(error)}`,
          reqId: exchange.id,
          err: error instanceof Error ? error : new Error(String(error)),
        });
      }
    };
  }

  /** Responses not yet done: at the shutdown timeout, the requests about to be cut. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  setPreRouting(handler: PreRoutingHandler): void {
    this.preRouting = handler;
  }

  /**
   * Which requests that passed pre-routing get `100 Continue`: those whose body the platform
   * will read. Any other is answered without inviting a body it would not read (a 415, the
   * router's 404), and its connection closes as for any unread body.
   */
  setBodyInvitation(invites: (req: IncomingMessage) => boolean): void {
    this.invitesBody = invites;
  }

  /** What to do when a response is done (the access line, the metrics). */
  onExchangeDone(handler: ExchangeDoneHandler): void {
    this.done = handler;
  }

  create(platform: PlatformHandler): http.Server {
    // The missing-Host refusal is the pre-routing handler's, so it gets the JSON envelope.
    const server = http.createServer({ requireHostHeader: false }, this.offer(platform));
    // `Expect: 100-continue` invites the body. Node would send the 100 before any handler runs;
    // here CORS, the 405, the body limit and the rate limit decide first, and only a request
    // they let through, whose body the platform will read, is told to continue.
    server.on(
      'checkContinue',
      this.offer((req, res) => {
        if (this.invitesBody(req)) res.writeContinue();
        platform(req, res);
      }),
    );
    // Any other expectation: Node's bare 417 becomes the envelope, after the same checks.
    server.on(
      'checkExpectation',
      this.offer((_req, res) => {
        res.setHeader('Connection', 'close');
        writeErrorEnvelope(res, 417, ErrorMessages.expectationFailed);
      }),
    );
    this.server = server;
    return server;
  }

  /**
   * A request listener: the request is tracked at once (its start time, its place among those in
   * flight), then, when its connection has room (pipeline-limit.ts), offered to the pre-routing
   * handler with the other requests of its turn (turn-batch.ts) and handed to `next` unless that
   * answered it, at once or when its promise settles.
   */
  private offer(next: PlatformHandler): PlatformHandler {
    const batch = new TurnBatch<Exchange>(
      (exchange) => this.dispatch(exchange, next),
      (exchange, error) => {
        const res = exchange.response;
        if (res !== undefined) this.failed(res, exchange, error);
      },
    );
    const start = (exchange: Exchange): void => batch.add(exchange);
    return (req, res) => {
      const exchange = this.track(req, res);
      if (this.pipeline.admit(req.socket, exchange, start)) batch.add(exchange);
    };
  }

  private dispatch(exchange: Exchange, next: PlatformHandler): void {
    const res = exchange.response;
    // Closed while it waited for its turn (the client left, a shutdown cut it): its access line
    // is written already, nothing is left to answer.
    if (res === undefined || res.destroyed) return;
    const req = res.req;
    const answered = this.runPreRouting(req, res, exchange);
    if (answered === false) next(req, res);
    else if (answered !== true) this.later(answered, req, res, exchange, next);
  }

  /** The shutdown timeout: marks the requests still in flight, closes every connection. */
  cutInFlight(): number {
    for (const { response } of this.inFlight.toArray()) {
      if (response !== undefined) cutAtShutdown.add(response);
    }
    this.server?.closeAllConnections();
    return this.inFlight.size;
  }

  /**
   * Runs the platform's close while draining: responses still to be written say
   * `Connection: close`, so keep-alive clients reconnect elsewhere. Node closes idle keep-alive
   * connections only once, when close() starts; a connection whose request finishes later stays
   * open, so the drain would wait for its keep-alive timeout. Closing idle ones every 100 ms ends
   * the drain as soon as the last request is done.
   */
  async drain(close: () => Promise<void>): Promise<void> {
    this.closing = true;
    for (const exchange of this.inFlight.toArray()) {
      exchange.closeConnection = true;
      const res = exchange.response;
      if (res !== undefined && !res.headersSent) res.setHeader('Connection', 'close');
    }
    const server = this.server;
    const sweep = setInterval(() => server?.closeIdleConnections(), 100);
    try {
      await close();
    } finally {
      clearInterval(sweep);
    }
  }

  /**
   * Starts the request's exchange (its id, path and start time) and remembers the response until
   * it is done, so a drain can still mark it `Connection: close`. A response to a body the
   * service will not read, or one that arrives while draining, closes its connection.
   */
  private track(req: IncomingMessage, res: ServerResponse): Exchange {
    const exchange = new Exchange(
      requestIdFor(req),
      requestPath(req),
      // Tracked even while closing: a late request counts among those a shutdown timeout cuts.
      this.closing || declaresNonJsonBody(req),
    );
    attachExchange(res, exchange);
    exchange.response = res;
    this.inFlight.add(exchange);
    res.on('close', this.onResponseClose);
    return exchange;
  }

  private runPreRouting(
    req: IncomingMessage,
    res: ServerResponse,
    exchange: Exchange,
  ): boolean | Promise<boolean> {
    try {
      return this.preRouting(req, res, exchange);
    } catch (error) {
      // A throw here would escape the server's request listener and crash the process.
      this.failed(res, exchange, error);
      return true;
    }
  }

  /**
   * A pre-routing handler that had to wait: the request goes on when it says so, unless its
   * connection is gone meanwhile (the client left, or a shutdown cut it).
   */
  private later(
    answered: Promise<boolean>,
    req: IncomingMessage,
    res: ServerResponse,
    exchange: Exchange,
    next: PlatformHandler,
  ): void {
    answered.then(
      (done) => {
        // Answered meanwhile on the socket: its bytes broke the HTTP parser (client-error.ts).
        if (done || res.destroyed || wasAnsweredOnSocket(res)) return;
        try {
          next(req, res);
        } catch (error) {
          this.failed(res, exchange, error);
        }
      },
      (error: unknown) => this.failed(res, exchange, error),
    );
  }

  private failed(res: ServerResponse, exchange: Exchange, error: unknown): void {
    this.logger.error({
      msg: `Pre-routing failed: ${String(error)}`,
      reqId: exchange.id,
      err: error instanceof Error ? error : new Error(String(error)),
    });
    if (res.headersSent) res.destroy();
    else if (!res.destroyed) writeEarlyAnswer(res, exchange, 500, [], INTERNAL_ERROR);
  }
}
