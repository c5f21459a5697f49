import { INestApplication } from '@nestjs/common';
import { StrictCorsRoutes } from 'nest-strict-cors';
import type { Server } from 'node:http';
import { PreRoutingServer } from './common/http/pre-routing-server';
import { HttpPlatform } from './platform/http-platform';
import { ErrorMessages } from './common/error-messages';
import {
  answerClientErrors,
  answerConnect,
  type ClientErrorAnswer,
} from './common/http/client-error';
import { closeInStages, lingerOf } from './common/http/lingering-close';
import { applyServerTimeouts } from './common/http/http-server-limits';
import {
  NO_HEADERS,
  preparedEnvelope,
  writeEarlyAnswer,
  writePassThroughHeaders,
} from './common/http/early-answer';
import { clientAddress } from './common/http/client-address';
import { declaresMoreThan } from './common/http/request-body';
import { hasBadHost } from './common/http/request-target';
import { RequestValidationPipe } from './common/pipes/request-validation.pipe';
import { readsJsonBody } from './common/middleware/json-body.middleware';
import { AppConfig, appConfig } from './config/app.config';
import { CorsRequestHandler } from './cors/cors-request.handler';
import { setupOpenApi } from './docs/openapi';
import { AccessLog } from './logging/access-log';
import { HttpMetrics } from './metrics/http-metrics';
import { RateLimitHandler, RateLimitVerdict } from './rate-limit/rate-limit.handler';
import { RateLimitRules } from './rate-limit/rate-limit-rules';

/** A connection closing in stages ends after this many bodies' worth of discarded bytes… */
const LINGER_BODIES = 4;
/**
 * …and never before this many: what a client had already written when the answer left can sit in
 * the two kernels' buffers (Linux's default tcp_rmem and tcp_wmem maxima, 6 + 4 MiB), and closing
 * with it unread resets the connection, so the client loses the answer it has not read yet. With
 * 4 MiB (4 × the default 1 MiB BODY_LIMIT), Node's http client uploading 50 MB lost its answer
 * (EPIPE) in 30 of 400 uploads of eleven kinds (413, 403, 415, 405, 404, 400 …); with this floor
 * in 2 of 400, each after ~32 MB it wrote without reading (docs/operations.md).
 */
const LINGER_MIN_BYTES = 32 * 1024 * 1024;

/**
 * The one place the request pipeline is assembled; main.ts and the e2e specs both call it, so the
 * tests exercise the production pipeline. The app must be created by createApp() (a platform
 * adapter on the PreRoutingServer, `bodyParser: false`). Order matters:
 * 0. the HTTP server: timeouts, and JSON answers to what Node's parser refuses;
 * 1. pre-routing, before Express or Fastify (and before a `100 Continue`): the request's exchange
 *    (id, path, start; PreRoutingServer), a 400 for a target without a usable path or an HTTP/1.1
 *    request without one Host, then CORS, which answers preflights and refusals itself, then a 405
 *    for a known path asked with another method, then the 413 for a declared Content-Length over
 *    the limit, then the rate limit (a 429, or a 503 while its store is down and the service
 *    fails closed; the only step that may wait, for Redis). Each of these answers is written
 *    whole in one writeHead (early-answer.ts); a request let through gets the security headers,
 *    its id, an allowed origin's CORS headers and its rate-limit counts before anything can fail;
 * 2. the platform's body parsing (src/platform/): the same JSON body reader, with the size, depth
 *    and element limits;
 * 3. Nest: guards (CorsGuard, RequireJsonGuard on routes that take JSON), the validation pipe,
 *    the handler, the error-envelope filter.
 * Whatever answers before the body has arrived also closes the connection, unless that body is
 * JSON of at most 16 KiB, which Node skips (early-answer.ts). When a response is done, its
 * metrics and its one access line are written.
 */
export async function configureApp<T extends INestApplication>(
  app: T,
  adapter: PreRoutingServer,
  platform: HttpPlatform,
): Promise<T> {
  const config = app.get<AppConfig>(appConfig.KEY);
  const { bodyLimitBytes, docsEnabled } = config;
  const accessLog = app.get(AccessLog);
  const metrics = app.get(HttpMetrics);
  const recordMetrics = metrics.enabled;
  const cors = app.get(CorsRequestHandler);
  const routes = app.get(StrictCorsRoutes);
  const limits = app.get(RateLimitRules);
  const rateLimiter = app.get(RateLimitHandler);
  const { trustProxy } = config;
  const server = app.getHttpServer() as Server;
  applyServerTimeouts(server, config);
  // Discarding up to a few bodies' worth is cheap; past that the client is not a browser.
  const closer = closeInStages(server, {
    timeoutMs: config.lingerTimeoutMs,
    maxBytes: Math.max(LINGER_BODIES * bodyLimitBytes, LINGER_MIN_BYTES),
  });
  const answered = (answer: ClientErrorAnswer) => {
    accessLog.clientError(answer);
    if (recordMetrics) metrics.parserError(answer.status);
  };
  if (recordMetrics) metrics.countActiveWith(() => adapter.inFlightCount);
  adapter.setBodyInvitation(readsJsonBody);
  answerClientErrors(server, closer, answered);
  answerConnect(server, closer, answered);
  const badRequest = preparedEnvelope(400, ErrorMessages.badRequest);
  const methodNotAllowed = preparedEnvelope(405, ErrorMessages.methodNotAllowed);
  const payloadTooLarge = preparedEnvelope(413, ErrorMessages.payloadTooLarge);
  const tooManyRequests = preparedEnvelope(429, ErrorMessages.tooManyRequests);
  const storeUnavailable = preparedEnvelope(503, ErrorMessages.rateLimitStoreUnavailable);
  adapter.setPreRouting((req, res, exchange) => {
    exchange.client = clientAddress(req, trustProxy);
    const path = exchange.path;
    if (path === undefined || hasBadHost(req)) {
      // A client this confused about HTTP gets no second request on the connection.
      exchange.closeConnection = true;
      writeEarlyAnswer(res, exchange, 400, NO_HEADERS, badRequest);
      return true;
    }
    const decision = cors.handle(req, res, exchange, path);
    if (decision === true) return true;
    const allow = routes.allowHeaderFor(req.method ?? 'GET', path);
    if (allow !== undefined) {
      writeEarlyAnswer(res, exchange, 405, decision.headers, methodNotAllowed, ['Allow', allow]);
      return true;
    }
    if (declaresMoreThan(req, bodyLimitBytes)) {
      writeEarlyAnswer(res, exchange, 413, decision.headers, payloadTooLarge);
      return true;
    }
    const rule = limits.active ? limits.ruleFor(req.method ?? 'GET', path) : undefined;
    if (rule === undefined) {
      // On to the platform, with the headers every response carries.
      writePassThroughHeaders(res, exchange, decision.headers);
      return false;
    }
    return rateLimiter.check(rule, exchange.client).then((verdict: RateLimitVerdict) => {
      if (verdict.storeError && recordMetrics) metrics.rateLimitStoreError();
      // The client left while Redis answered: nothing to write.
      if (res.destroyed) return true;
      if (verdict.kind === 'limited') {
        if (recordMetrics) metrics.rateLimited(path);
        writeEarlyAnswer(res, exchange, 429, decision.headers, tooManyRequests, verdict.headers);
        return true;
      }
      if (verdict.kind === 'unavailable') {
        writeEarlyAnswer(res, exchange, 503, decision.headers, storeUnavailable, verdict.headers);
        return true;
      }
      writePassThroughHeaders(res, exchange, decision.headers, verdict.headers);
      return false;
    });
  });
  adapter.onExchangeDone((req, res, exchange) => {
    if (recordMetrics) metrics.record(req, res, exchange);
    // A connection closing in stages: the access line waits for its end, to say what was discarded.
    // Only a request whose body was not read in full can linger (no lookup on the common path).
    const linger = req.complete ? undefined : lingerOf(req.socket);
    if (linger === undefined) {
      accessLog.write(req, res, exchange);
      return;
    }
    exchange.end = performance.now();
    linger.whenDone(() => {
      exchange.lingered = linger.discarded;
      accessLog.write(req, res, exchange);
    });
  });
  await platform.configure(app, {
    limits: {
      limitBytes: bodyLimitBytes,
      maxDepth: config.bodyMaxDepth,
      maxElements: config.bodyMaxElements,
    },
  });
  app.useGlobalPipes(new RequestValidationPipe());
  if (docsEnabled) await setupOpenApi(app);
  return app;
}
