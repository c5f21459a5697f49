import { NestExpressApplication } from '@nestjs/platform-express';
import { bodyParserErrorMiddleware } from './common/middleware/body-parser-errors';
import { RequestValidationPipe } from './common/pipes/request-validation.pipe';
import { AppConfig, appConfig } from './config/app.config';
import { CorsMiddleware } from './cors/cors.middleware';

/**
 * The one place the request pipeline is assembled; main.ts and the e2e specs both call it, so the
 * tests exercise the production pipeline. The app must be created with `bodyParser: false`: the
 * JSON parser is added here so that what runs before it (the CORS layer) is under our control.
 */
export function configureApp<T extends NestExpressApplication>(app: T): T {
  const { bodyLimitBytes } = app.get<AppConfig>(appConfig.KEY);
  // First, so preflights and refused origins never reach the body parser or the router, and
  // allowed origins get their headers on every response, errors included.
  app.use(app.get(CorsMiddleware).handle);
  // strict: false lets `null`, numbers and strings parse, so they get "must be a JSON object"
  // instead of a misleading "Malformed JSON".
  app.useBodyParser('json', { limit: bodyLimitBytes, strict: false });
  app.use(bodyParserErrorMiddleware);
  app.useGlobalPipes(new RequestValidationPipe());
  app.enableShutdownHooks();
  return app;
}
