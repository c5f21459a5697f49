import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { listenAsNestReference } from '../shared/nest-reference';
import { ProductionAppModule } from './app.module';

/**
 * The usual production NestJS setup, as most services ship it: Express, helmet, `enableCors` with
 * the benchmark's policy, a strict global ValidationPipe, nestjs-pino request logging (one JSON
 * line per request on stdout) and a prom-client request histogram with GET /metrics. helmet and
 * CORS are `app.use` middleware, so a preflight is answered by the cors package before the
 * module's middleware (pino-http, the histogram) sees it, as in any app set up this way.
 */
async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(ProductionAppModule, {
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  app.use(helmet());
  // The service's BODY_LIMIT, as in the other references.
  app.useBodyParser('json', { limit: '1mb' });
  await listenAsNestReference(app, {
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
  });
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
