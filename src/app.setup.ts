import { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import type { RequestHandler } from 'express';
import { bodyParserErrorMiddleware } from './common/middleware/body-parser-errors';
import { RequestValidationPipe } from './common/pipes/request-validation.pipe';
import { AppConfig, appConfig } from './config/app.config';
import { CorsMiddleware } from './cors/cors.middleware';
import { setupOpenApi } from './docs/openapi';
import { HTTP_LOGGER } from './logging/logging.module';

/**
 * The one place the request pipeline is assembled; main.ts and the e2e specs both call it, so the
 * tests exercise the production pipeline. The app must be created with `bodyParser: false`: the
 * JSON parser is added here so that what runs before it is under our control. Order matters:
 * 1. helmet — security headers on every response, refusals and preflights included;
 * 2. access log + request id — before anything can end the request;
 * 3. CORS — preflights and refused origins never reach the body parser or the router, and allowed
 *    origins get their headers before anything can fail;
 * 4. the JSON body parser with the body limit, its errors mapped to the contract's messages.
 */
export function configureApp<T extends NestExpressApplication>(app: T): T {
  const { bodyLimitBytes, docsEnabled } = app.get<AppConfig>(appConfig.KEY);
  app.use(helmet());
  app.use(app.get<RequestHandler>(HTTP_LOGGER));
  app.use(app.get(CorsMiddleware).handle);
  // strict: false lets `null`, numbers and strings parse, so they get "must be a JSON object"
  // instead of a misleading "Malformed JSON".
  app.useBodyParser('json', { limit: bodyLimitBytes, strict: false });
  app.use(bodyParserErrorMiddleware);
  app.useGlobalPipes(new RequestValidationPipe());
  if (docsEnabled) setupOpenApi(app);
  return app;
}
