import { NestExpressApplication } from '@nestjs/platform-express';
import { PreRoutingExpressAdapter } from './common/http/pre-routing.adapter';
import { setSecurityHeaders } from './common/http/security-headers';
import { bodyParserErrorMiddleware } from './common/middleware/body-parser-errors';
import { RequestValidationPipe } from './common/pipes/request-validation.pipe';
import { AppConfig, appConfig } from './config/app.config';
import { CorsRequestHandler } from './cors/cors-request.handler';
import { setupOpenApi } from './docs/openapi';
import { AccessLog } from './logging/access-log';

/**
 * The one place the request pipeline is assembled; main.ts and the e2e specs both call it, so the
 * tests exercise the production pipeline. The app must be created by createApp() (with the
 * pre-routing adapter and `bodyParser: false`). Order matters:
 * 1. pre-routing, before Express: security headers, request id + access log, then CORS, which
 *    answers preflights and refusals itself and writes an allowed origin's headers before
 *    anything can fail;
 * 2. the JSON body parser with the body limit, its errors mapped to the contract's messages;
 * 3. Nest: guards (CorsGuard), the validation pipe, the handler, the error-envelope filter.
 */
export async function configureApp<T extends NestExpressApplication>(app: T): Promise<T> {
  const { bodyLimitBytes, docsEnabled } = app.get<AppConfig>(appConfig.KEY);
  const accessLog = app.get(AccessLog);
  const cors = app.get(CorsRequestHandler);
  const adapter = app.getHttpAdapter();
  if (!(adapter instanceof PreRoutingExpressAdapter)) {
    throw new Error('configureApp() needs an application created by createApp()');
  }
  adapter.setPreRouting((req, res) => {
    setSecurityHeaders(req, res);
    accessLog.track(req, res);
    return cors.handle(req, res);
  });
  // ETags only make sense for cacheable GETs; hashing every POST response costs throughput.
  app.set('etag', false);
  // helmet removes X-Powered-By before routing, but Express would add it back afterwards.
  app.disable('x-powered-by');
  // strict: false lets `null`, numbers and strings parse, so they get "must be a JSON object"
  // instead of a misleading "Malformed JSON".
  app.useBodyParser('json', { limit: bodyLimitBytes, strict: false });
  app.use(bodyParserErrorMiddleware);
  app.useGlobalPipes(new RequestValidationPipe());
  if (docsEnabled) await setupOpenApi(app);
  return app;
}
