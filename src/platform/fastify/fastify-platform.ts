import { INestApplication } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { readJsonBody } from '../../common/body/json-body.reader';
import { recordErrorReason } from '../../common/error-envelope';
import { ErrorMessages } from '../../common/error-messages';
import { exchangeOf } from '../../common/http/exchange';
import { JSON_CONTENT_TYPE } from '../../common/http/fixed-header-lines';
import { readsJsonBody } from '../../common/middleware/json-body.middleware';
import { PlatformHandler, PreRoutingServer } from '../../common/http/pre-routing-server';
import { mustCloseAfterEarlyAnswer } from '../../common/http/request-body';
import type { HttpPlatform, PlatformSetup } from '../http-platform';

/**
 * Fastify's own media-type parser (what its request handling asks before any content-type parser
 * runs), so the rule below is Fastify's exactly, not a copy that could drift from it.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const FastifyContentType = require('fastify/lib/content-type') as {
  from(headerValue: string): { readonly isValid: boolean };
};

/**
 * Fastify answers a request whose Content-Type it cannot parse (`a b`, `;;;`, a list of two
 * types) with its own 415 before routing; Express routes it, and the service then answers as for
 * any body that is not JSON: 415 with the contract's message on /greet, 400 when the body is
 * empty, 404 on an unknown path. A Content-Type that is not a media type says nothing about the
 * body, so here it is dropped before Fastify sees the request, and both platforms answer alike.
 */
export function dropUnparseableContentType(req: IncomingMessage): void {
  const type = req.headers['content-type'];
  if (type === undefined || type === 'application/json') return;
  if (!FastifyContentType.from(type).isValid) delete req.headers['content-type'];
}

/**
 * Fastify's router (find-my-way) decodes `%XX` in a path before it matches routes; Express's, and
 * the CORS route table, match the path as sent, so `/gr%65et` is the router's 404 there, while
 * Fastify ran the /greet handler with a body the service had not read for it (`/greet` was not
 * the request's route before routing): 400 `Missing request body`. Each `%` of the path becomes
 * `%25`, which find-my-way decodes back to the `%` that was sent: Fastify then matches what
 * Express matches (every route here is a fixed path). The query is left alone; the access log and
 * the 404's message use the path read before this (the exchange's).
 */
export function matchPercentLiterally(req: IncomingMessage): void {
  const url = req.url ?? '';
  const percent = url.indexOf('%');
  if (percent === -1) return;
  const query = url.indexOf('?');
  if (query !== -1 && query < percent) return;
  const end = query === -1 ? url.length : query;
  req.url = url.slice(0, end).replaceAll('%', '%25') + url.slice(end);
}

/** Fastify on the pre-routing server (its `serverFactory`): Fastify only sees what passed. */
class PreRoutingFastifyAdapter extends FastifyAdapter {
  constructor(private readonly preRouting: PreRoutingServer) {
    super({
      serverFactory: (handler: PlatformHandler) =>
        preRouting.create((req, res) => {
          dropUnparseableContentType(req);
          matchPercentLiterally(req);
          handler(req, res);
        }),
      // While the service drains (SIGTERM), a request already read on an open connection is
      // served, as on Express, and /health/ready answers its own 503 envelope; Fastify's default
      // would answer both with its own bare 503.
      return503OnClosing: false,
      // Fastify's own errors before routing would be its own 400 body quoting the target, query
      // included. A path it cannot decode (`/greet%`), the one such error a request could cause,
      // no longer reaches it (matchPercentLiterally leaves every path decodable, and routes it to
      // the router's 404 as on Express); anything else gets the contract's 400 envelope.
      frameworkErrors: (_error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
        recordErrorReason(reply.raw, ErrorMessages.badRequest);
        void reply
          .code(400)
          .type(JSON_CONTENT_TYPE)
          .send(JSON.stringify({ statusCode: 400, error: ErrorMessages.badRequest }));
      },
      // Routed like Express and like the CORS route table: case-insensitive, one trailing slash
      // ignored.
      routerOptions: { caseSensitive: false, ignoreTrailingSlash: true },
      // The JSON body reader enforces BODY_LIMIT itself (declared and chunked, before and after
      // decompression), with the contract's messages.
      bodyLimit: Number.MAX_SAFE_INTEGER,
      // Parser errors are answered by the shared server (answerClientErrors: the envelope, the
      // request id); Fastify's default would also write its own bare 400 on the socket.
      clientErrorHandler: () => undefined,
    });
  }

  /**
   * Fastify marks every body-parser error `connection: close` ("the client may send more data").
   * Whether it may is known here, by the rule every early answer follows
   * (mustCloseAfterEarlyAnswer): a malformed JSON body was read to its end, and the rest of a small
   * one is discarded by Node, so those keep the connection, as on Express. Closing them made each
   * bad request cost a new connection: under a mixed load a quarter of the requests reconnected,
   * and the sockets' objects filled the old generation (docs/performance.md).
   */
  override reply(
    ...args: Parameters<FastifyAdapter['reply']>
  ): ReturnType<FastifyAdapter['reply']> {
    const [response, , statusCode] = args;
    if (statusCode !== undefined && statusCode >= 400 && 'raw' in response) {
      const res = response.raw;
      if (
        response.getHeader('connection') === 'close' &&
        !mustCloseAfterEarlyAnswer(res.req, exchangeOf(res))
      ) {
        response.removeHeader('connection');
        // Fastify's removeHeader also removes it from Node's response, which Node then takes as
        // "send no Connection line at all"; cleared, Node writes its usual `Connection:
        // keep-alive` and `Keep-Alive: timeout=…`, as on Express.
        (res as ServerResponse & { _removedConnection?: boolean })._removedConnection = false;
      }
    }
    return super.reply(...args);
  }

  override close(): Promise<void> {
    return this.preRouting.drain(async () => {
      await super.close();
    });
  }
}

export const fastifyPlatform: HttpPlatform = {
  name: 'fastify',
  createAdapter(preRouting) {
    return { adapter: new PreRoutingFastifyAdapter(preRouting), options: { bodyParser: false } };
  },
  configure(app: INestApplication, { limits }: PlatformSetup) {
    const fastify = (app as NestFastifyApplication).getHttpAdapter().getInstance();
    fastify.removeAllContentTypeParsers();
    // One parser for every type: JSON is read by the same reader as on Express; any other body is
    // left unread (routes that need JSON answer 415 through RequireJsonGuard).
    fastify.addContentTypeParser('*', (request, _payload, done) => {
      const req = request.raw;
      // The same rule as on Express (Fastify itself never parses a GET or HEAD body).
      if (!readsJsonBody(req)) {
        done(null, undefined);
        return;
      }
      readJsonBody(req, limits).then(
        (body) => done(null, body),
        (error: Error) => {
          // The client went away mid-body: nobody is left to answer.
          if (req.socket.destroyed) return;
          done(error, undefined);
        },
      );
    });
  },
};
