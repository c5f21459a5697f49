import { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { PreRoutingServer } from './common/http/pre-routing-server';
import { HttpPlatform } from './platform/http-platform';
import { writeErrorEnvelope } from './common/error-envelope';
import { ErrorMessages } from './common/error-messages';
import { answerClientErrors } from './common/http/client-error';
import { applyServerTimeouts } from './common/http/http-server-limits';
import { declaresMoreThan } from './common/http/request-body';
import { hasBadHost, requestPath } from './common/http/request-target';
import { setSecurityHeaders } from './common/http/security-headers';
import { RequestValidationPipe } from './common/pipes/request-validation.pipe';
import { AppConfig, appConfig } from './config/app.config';
import { CorsRequestHandler } from './cors/cors-request.handler';
import { CorsRouteTable } from './cors/cors-route-table';
import { setupOpenApi } from './docs/openapi';
import { AccessLog } from './logging/access-log';
import { HttpMetrics } from './metrics/http-metrics';

/**
 * The one place the request pipeline is assembled; main.ts and the e2e specs both call it, so the
 * tests exercise the production pipeline. The app must be created by createApp() (a platform
 * adapter on the PreRoutingServer, `bodyParser: false`). Order matters:
 * 0. the HTTP server: timeouts, and JSON answers to what Node's parser refuses;
 * 1. pre-routing, before Express or Fastify (and before a `100 Continue`): security headers, request id +
 *    access log, metrics, a 400 for a target without a usable path or an HTTP/1.1 request without one Host,
 *    then CORS, which answers preflights and refusals itself and writes an allowed origin's
 *    headers before anything can fail, then a 405 for a known path asked with another method,
 *    then the 413 for a declared Content-Length over the limit;
 * 2. the platform's body parsing (src/platform/): the same JSON body reader, with the size, depth
 *    and element limits;
 * 3. Nest: guards (CorsGuard, RequireJsonGuard on routes that take JSON), the validation pipe,
 *    the handler, the error-envelope filter.
 * Whatever answers before the body has arrived also closes the connection, unless that body is
 * JSON of at most 16 KiB, which Node skips (request-body.ts).
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
  const routes = app.get(CorsRouteTable);
  const server = app.getHttpServer() as Server;
  applyServerTimeouts(server, config);
  answerClientErrors(server, (answer) => {
    accessLog.clientError(answer);
    if (recordMetrics) metrics.parserError(answer.status);
  });
  adapter.setPreRouting((req, res) => {
    setSecurityHeaders(req, res);
    // Parsed once, for the log, the metrics, the CORS route lookup and the 405.
    const path = requestPath(req);
    accessLog.track(req, res, path);
    if (recordMetrics) metrics.track(req, res, path);
    if (path === undefined || hasBadHost(req)) {
      // A client this confused about HTTP gets no second request on the connection.
      res.setHeader('Connection', 'close');
      writeErrorEnvelope(res, 400, ErrorMessages.badRequest);
      return true;
    }
    if (cors.handle(req, res, path)) return true;
    const allow = routes.allowHeaderFor(req.method ?? 'GET', path);
    if (allow !== undefined) {
      res.setHeader('Allow', allow);
      writeErrorEnvelope(res, 405, ErrorMessages.methodNotAllowed);
      return true;
    }
    if (!declaresMoreThan(req, bodyLimitBytes)) return false;
    writeErrorEnvelope(res, 413, ErrorMessages.payloadTooLarge);
    return true;
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
